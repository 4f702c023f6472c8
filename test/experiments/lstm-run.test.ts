import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKPOINT } from '../../experiments/package-info.ts';
import { readRunDir } from '../../experiments/run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS, type RunAnalysis } from '../../experiments/run-analysis.ts';
import { selectState } from '../../experiments/run-state.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment, writeRun } from '../../experiments/run.ts';
import { createRng } from '../../core/random.ts';
import { parseCheckpoint, type Checkpoint } from '../../model/checkpoint.ts';
import { initParams, networkSpecSchema } from '../../model/network.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An untrained 12-unit LSTM in the default controller's setting (its arm, task and feedback). */
function lstmCheckpoint(): Checkpoint {
  const base = parseCheckpoint(readFileSync(DEFAULT_CHECKPOINT, 'utf8'), DEFAULT_CHECKPOINT);
  const network = networkSpecSchema.parse({ ...base.network, kind: 'lstm', hidden: 12, outputScale: 0.05 });
  return { ...base, network, params: initParams(network, createRng(2)), config: { ...base.config, network: { ...base.config.network, kind: 'lstm', hidden: 12 } } };
}

describe('an LSTM controller closed loop, recorded and analysed on h, c or both', () => {
  const ck = lstmCheckpoint();
  const opts = { ...DEFAULT_RUN_OPTIONS, engine: 'analytic' as const };
  const result = runExperiment(ck, opts);
  const dir = mkdtempSync(join(tmpdir(), 'lstm-run-'));
  dirs.push(dir);
  writeRun(dir, ck, 'lstm.json', opts, result);
  const run = readRunDir(dir);

  it('records the cell state c next to h, with h = o·tanh(c): same sign and |h| ≤ |tanh c|', () => {
    const h = run.byName.hidden;
    const c = run.byName.cell_state;
    expect(c.shape).toEqual(h.shape);
    expect(c.shape[2]).toBe(12);
    let moving = 0;
    for (let i = 0; i < h.data.length; i++) {
      const th = Math.tanh(c.data[i]);
      expect(Math.abs(h.data[i])).toBeLessThanOrEqual(Math.abs(th) + 1e-7);
      if (Math.abs(th) > 1e-6) expect(Math.sign(h.data[i])).toBe(Math.sign(th));
      if (Math.abs(c.data[i]) > 1e-3) moving++;
    }
    expect(moving).toBeGreaterThan(h.data.length / 2);
  });

  it('--state hc puts h and c side by side; the readout sees only the h columns', () => {
    const hc = selectState(run, 'hc');
    expect(hc.units).toBe(24);
    const h = run.byName.hidden.data;
    const c = run.byName.cell_state.data;
    for (let s = 0; s < 5; s++) {
      for (let j = 0; j < 12; j++) {
        expect(hc.data[s * 24 + j]).toBe(h[s * 12 + j]);
        expect(hc.data[s * 24 + 12 + j]).toBe(c[s * 12 + j]);
      }
    }
    const w = run.byName.readout_weights.data;
    for (let o = 0; o < 2; o++) for (let j = 0; j < 12; j++) {
      expect(hc.readout[o * 24 + j]).toBe(w[o * 12 + j]);
      expect(hc.readout[o * 24 + 12 + j]).toBe(0);
    }
    expect(() => selectState(run, 'x')).toThrow(/not recorded.*h, c/);
  });

  it('fixed points are sought on (h, c) whichever blocks are analysed', () => {
    for (const state of ['h', 'c', 'hc']) {
      const a: RunAnalysis = analyzeRun(run, { ...DEFAULT_RUN_ANALYSIS_OPTIONS, state, checkpoint: ck, fixedPointStarts: 2, alignmentSamples: 20 });
      expect(a.run.units).toBe(state === 'hc' ? 24 : 12);
      const fp = a.fixedPoints;
      if ('skipped' in fp) throw new Error(`fixed points skipped: ${fp.skipped}`);
      const points = fp.conditions.flatMap((c) => c.points);
      expect(points.length).toBeGreaterThan(0);
      for (const p of points) expect(p.state).toHaveLength(24);
    }
  });
});
