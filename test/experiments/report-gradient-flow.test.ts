import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradientFigures, gradientFlowComparison, renderFigures } from '../../experiments/report/figures.ts';
import { decimateLog, readTrainingLog, writeTrainingLog } from '../../experiments/report/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A log as reach train writes it: 1000 iterations, every 10th clipped, a gradient-flow snapshot every 100 decaying as 0.9^(T−1−t). */
function rawLog(decay: number) {
  const T = 50;
  return Array.from({ length: 1000 }, (_, i) => ({
    iteration: i + 1,
    loss: { position: 1 / (i + 1), hold: 0.01, effort: 1e-4, activity: 1e-3, weight: 1e-5, total: 1 / (i + 1) + 0.01111 },
    endpointError: 0.1,
    gradNorm: i % 10 === 0 ? 3 : 0.5,
    clipped: i % 10 === 0,
    lr: 1e-3,
    ms: 90,
    ...(i % 100 === 0 ? { gradientFlow: Array.from({ length: T }, (_, t) => decay ** (T - 1 - t)) } : {}),
  }));
}

function writeRaw(name: string, decay: number): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ backend: 'wasm', iterations: rawLog(decay) }));
  return path;
}

describe('gradient norms and gradient flow in training logs and reports', () => {
  it('reads the gradient norm, the clipping flag and the gradient-flow snapshots; decimation keeps the first and last snapshot', () => {
    const log = readTrainingLog(writeRaw('log.json', 0.9));
    expect(log.iterations[0].gradNorm).toBe(3);
    expect(log.iterations[0].clipped).toBe(true);
    expect(log.gradientFlow.map((f) => f.iteration)).toEqual([1, 101, 201, 301, 401, 501, 601, 701, 801, 901]);
    const d = decimateLog(log, 100, 4);
    expect(d.gradientFlow.map((f) => f.iteration)).toEqual([1, 301, 601, 901]);
    const kept = join(dir, 'kept.log.json');
    writeTrainingLog(kept, d);
    const back = readTrainingLog(kept);
    expect(back.gradientFlow.map((f) => f.iteration)).toEqual([1, 301, 601, 901]);
    // 6 significant digits: 0.9^49 = 0.00572526…
    expect(back.gradientFlow[3].norms[0]).toBeCloseTo(0.9 ** 49, 7);
    expect(back.iterations.filter((e) => e.clipped).length).toBe(d.iterations.filter((e) => e.clipped).length);
  });

  it('draws the gradient norm with the clipped fraction, and the flow per snapshot', async () => {
    const figs = gradientFigures(readTrainingLog(writeRaw('log2.json', 0.9)));
    expect(figs.map((f) => f.id)).toEqual(['gradient-norm', 'gradient-flow']);
    expect(figs[0].caption).toMatch(/100 of the 1000 shown \(10 %\)/);
    const rendered = await renderFigures(figs);
    for (const r of rendered) expect(r.svg).toMatch(/^<svg/);
  });

  it('a log without gradient data (older training) draws neither figure', () => {
    const path = join(dir, 'old.json');
    writeFileSync(path, JSON.stringify({ iterations: [{ iteration: 1, loss: { position: 1, hold: 0, effort: 0, activity: 0, weight: 0, total: 1 } }] }));
    expect(gradientFigures(readTrainingLog(path))).toEqual([]);
  });

  it('the comparison divides each network’s last snapshot by its maximum, so a slower decay lies above a faster one', () => {
    const slow = readTrainingLog(writeRaw('lstm.json', 0.99));
    const fast = readTrainingLog(writeRaw('rnn.json', 0.8));
    const fig = gradientFlowComparison([
      { label: 'LSTM', log: slow },
      { label: 'RNN', log: fast },
    ]);
    const rows = (fig.spec as { data: { values: Array<{ network: string; step: number; norm: number }> } }).data.values;
    const at = (label: string, step: number) => rows.find((r) => r.network.startsWith(label) && r.step === step)!.norm;
    expect(at('LSTM', 49)).toBe(1);
    expect(at('RNN', 49)).toBe(1);
    expect(at('LSTM', 0)).toBeCloseTo(0.99 ** 49, 5);
    expect(at('RNN', 0)).toBeCloseTo(0.8 ** 49, 9);
    expect(() => gradientFlowComparison([{ label: 'old', log: { ...slow, gradientFlow: [] } }])).toThrow(/gradientFlowEvery/);
  });
});
