import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decimateLog, logMismatch, logPathFor, readTrainingLog, writeTrainingLog } from '../../experiments/report/index.ts';
import { lossCurve } from '../../experiments/report/figures.ts';
import { summarizeTraining } from '../../model/checkpoint.ts';
import type { TrainState } from '../../model/train.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A log as reach train writes it: 1000 iterations, one skipped step (event) near the end. */
function rawLog() {
  return Array.from({ length: 1000 }, (_, i) => ({
    iteration: i + 1,
    loss: { position: 1 / (i + 1), hold: 0.01, effort: 1e-4, activity: 1e-3, weight: 1e-5, total: 1 / (i + 1) + 0.01111 },
    endpointError: 0.1 / (i + 1),
    gradNorm: 1,
    lr: 1e-3,
    ms: 90,
    ...(i === 980 ? { event: 'non-finite gradient: step skipped' } : {}),
  }));
}

describe('training logs for the loss curve', () => {
  const full = join(dir, 'log.json');
  writeFileSync(full, JSON.stringify({ backend: 'wasm', packageVersion: '0', iterations: rawLog() }));

  it('decimates evenly, keeping the first and last iteration', () => {
    const d = decimateLog(readTrainingLog(full), 400);
    expect(d.iterations.length).toBe(400);
    expect(d.iterations[0].iteration).toBe(1);
    expect(d.iterations[399].iteration).toBe(1000);
    expect(d.totalIterations).toBe(1000);
  });

  it("fingerprints a log by the final loss a checkpoint records, and tells a log from another controller's", () => {
    const iterations = rawLog();
    const training = summarizeTraining({ iteration: 1000, log: iterations } as unknown as TrainState);
    const log = readTrainingLog(full);
    expect(logMismatch(log, training)).toBeNull();
    // Decimated and written next to a model, it still matches; a log of another run does not.
    const kept = join(dir, 'controller.log.json');
    writeTrainingLog(kept, decimateLog(log, 100));
    expect(logPathFor(join(dir, 'controller.json'))).toBe(kept);
    expect(readFileSync(kept, 'utf8').length).toBeLessThan(30_000);
    expect(logMismatch(readTrainingLog(kept), training)).toBeNull();
    expect(logMismatch(readTrainingLog(kept), { ...training, iterations: 1200 })).toMatch(/1000 iterations.*1200/);
    expect(logMismatch(readTrainingLog(kept), { ...training, finalLoss: { ...training.finalLoss, total: training.finalLoss.total * 1.01 } })).toMatch(/final loss/);
  });

  it('keeps and marks where a next stage starts: a rule at the 600 iterations before it, whatever the decimation', () => {
    const staged = join(dir, 'staged.json');
    writeFileSync(staged, JSON.stringify({ iterations: rawLog().map((e) => (e.iteration === 601 ? { ...e, stageStart: true } : e)) }));
    const d = decimateLog(readTrainingLog(staged), 7);
    expect(d.iterations.filter((e) => e.stageStart).map((e) => e.iteration)).toEqual([601]);
    type Layers = { layer: Array<{ mark: { type: string }; data: { values: Array<{ iteration: number }> } }> };
    const rules = (spec: unknown) => (spec as Layers).layer.filter((l) => l.mark.type === 'rule').map((l) => l.data.values);
    expect(rules(lossCurve(d).spec)).toEqual([[{ iteration: 600 }]]);
    expect(rules(lossCurve(decimateLog(readTrainingLog(full), 7)).spec)).toEqual([]);
  });

  it('rejects files that are not training logs, naming them', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ iterations: [{ iteration: 1 }] }));
    expect(() => readTrainingLog(bad)).toThrow(new RegExp(`${bad}: not a training log`));
    expect(() => readTrainingLog(join(dir, 'none.json'))).toThrow(/training log not found/);
  });
});
