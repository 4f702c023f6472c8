import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRng, normal } from '../../../core/random.ts';
import { PACKAGE_ROOT } from '../../../experiments/package-info.ts';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS } from '../../../experiments/run-analysis.ts';
import { runExperiment, writeRun } from '../../../experiments/run.ts';
import { DEFAULT_RUN_OPTIONS } from '../../../experiments/run-options.ts';
import { checkpointBody, parseCheckpoint, type Checkpoint } from '../../../model/checkpoint.ts';
import { runClosedLoop } from '../../../model/closed-loop.ts';
import { sliceTrials } from '../../../model/trial-pieces.ts';
import { centerOutConditions, parseTaskSpec } from '../../../sim/tasks/task-spec.ts';
import { initParams, networkSpecSchema, stateSize } from '../../../model/network.ts';
import { serialTasks, type Parallel } from '../../../experiments/parallel/analysis-tasks.ts';
import { findFixedPoints, fixedPointSearch, mergeMinima } from '../../../model/fixed-points.ts';
import { startTaskPool, type TaskPool } from '../../../experiments/parallel/task-pool.ts';
import { claimingWorker, expectHeldTaskFails, smallTask } from './held-task.ts';

let pool: TaskPool;
let pool3: TaskPool;
let ck: Checkpoint;
beforeAll(async () => {
  pool = startTaskPool(2);
  pool3 = startTaskPool(3);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const file = join(PACKAGE_ROOT, 'test', 'fixtures', 'checkpoint-0.1.0.json');
  ck = parseCheckpoint(readFileSync(file, 'utf8'), file);
  vi.restoreAllMocks();
});
afterAll(async () => {
  await pool.dispose();
  await pool3.dispose();
});

/** A fixed-point search in pieces on `parallel`: each start, then each distinct point's linearisation. */
function searchInPieces(parallel: Parallel, t: { spec: Parameters<typeof findFixedPoints>[0]; params: Parameters<typeof findFixedPoints>[1]; input: number[]; starts: number[] }) {
  const n = stateSize(t.spec);
  const minima = parallel.map('fixedPointStart', Array.from({ length: t.starts.length / n }, (_, s) => ({ ...t, s })));
  const merged = mergeMinima(minima);
  return fixedPointSearch(merged, parallel.map('linearize', merged.kept.map((k) => ({ ...t, state: k.state }))));
}

describe('analysis tasks on worker threads', () => {
  it('a fixed-point search in pieces (a task per start, then per point) on 2 or 3 threads is the search in one go', () => {
    const spec = networkSpecSchema.parse({ kind: 'gru', hidden: 12, inputs: 11, outputs: 2, dt: 0.01 });
    const rng = createRng(2);
    const tasks = Array.from({ length: 5 }, () => ({
      spec,
      params: initParams(spec, rng),
      input: Array.from({ length: 11 }, () => normal(rng)),
      starts: Array.from({ length: 3 * 12 }, () => 0.3 * normal(rng)),
    }));
    const whole = tasks.map((t) => findFixedPoints(t.spec, t.params, t.input, t.starts));
    expect(whole.flatMap((w) => w.points).length).toBeGreaterThan(0);
    expect(pool.threads).toBe(2);
    expect(tasks.map((t) => searchInPieces(serialTasks, t))).toEqual(whole);
    expect(tasks.map((t) => searchInPieces(pool, t))).toEqual(whole);
    expect(tasks.map((t) => searchInPieces(pool3, t))).toEqual(whole);
  });

  it('batches handed out together come back in input order, each from its own wait', () => {
    const spec = networkSpecSchema.parse({ kind: 'rnn', hidden: 6, inputs: 11, outputs: 2, dt: 0.01 });
    const rng = createRng(3);
    const held = { spec, params: initParams(spec, rng), input: Array.from({ length: 11 }, () => normal(rng)), starts: Array.from({ length: 9 * 6 }, () => 0.5 * normal(rng)) };
    const inputs = Array.from({ length: 9 }, (_, s) => ({ ...held, s }));
    const serial = serialTasks.map('fixedPointStart', inputs);
    for (const p of [pool, pool3]) {
      const a = p.submit('fixedPointStart', inputs);
      const b = p.submit('fixedPointStart', inputs.slice(4));
      // The later batch is waited for first: the earlier one is taken meanwhile and kept.
      expect(b.wait()).toEqual(serial.slice(4));
      expect(a.wait()).toEqual(serial);
    }
  });

  it('a failing task fails the call with its message, and the pool serves the next call', () => {
    const good = smallTask;
    expect(() => pool.map('fixedPointStart', [good, { ...good, starts: [1, 2, 3] }])).toThrow(/starting states must be \[starts, 4\]/);
    expect(pool.map('fixedPointStart', [good])).toEqual(serialTasks.map('fixedPointStart', [good]));
  });

  it('a closed-loop run played in pieces on worker threads is the run played here in one go, bit for bit (noisy feedback)', () => {
    expect(ck.config.feedback.jointAngleNoise).toBeGreaterThan(0);
    const o = { ...DEFAULT_RUN_OPTIONS, repeats: 2, seed: 4 };
    const here = runExperiment(ck, o);
    const there = runExperiment(ck, o, pool.map);
    expect(there.recording.hidden).toEqual(here.recording.hidden);
    expect(there.recording.handPosition).toEqual(here.recording.handPosition);
    expect(there.recording.inputs).toEqual(here.recording.inputs);
    expect(there.summary).toEqual(here.summary);
  });

  it('the analysis of a run with its pieces (fixed points, subspaces, alignment baseline) on worker threads is the serial analysis', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'reach-task-pool-')), 'run');
    try {
      writeRun(dir, ck, 'fixture', DEFAULT_RUN_OPTIONS, runExperiment(ck, DEFAULT_RUN_OPTIONS, pool.map));
      const run = readRunDir(dir);
      const opts = { ...DEFAULT_RUN_ANALYSIS_OPTIONS, checkpoint: ck, checkpointPath: 'fixture', alignmentSamples: 300 };
      // Everything but the wall-clock seconds it records.
      const numbers = (a: unknown) => JSON.stringify(a, (key, v: unknown) => (key === 'seconds' ? null : v));
      const here = numbers(analyzeRun(run, opts));
      const there = analyzeRun(run, opts, pool);
      expect(there.subspaces.alignment.random.samples).toBe(300);
      expect(numbers(there)).toBe(here);
      expect(numbers(analyzeRun(run, opts, pool3))).toBe(here);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });
});

describe('a task worker that dies', () => {
  /**
   * A worker script that claims a batch's first task as the real one does, says so on a broadcast
   * channel, sleeps a moment (so that the calling thread is asleep in its wait) and then dies by `death`.
   */
  function dyingWorker(death: string): URL {
    const file = join(mkdtempSync(join(tmpdir(), 'reach-dying-worker-')), 'worker.mjs');
    writeFileSync(
      file,
      claimingWorker('dying-task-worker', `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  ${death}`),
    );
    return pathToFileURL(file);
  }

  for (const [how, death, error] of [
    ['exits', 'process.exit(3)', /analysis worker 1 of 1 stopped \(exit code 3\) while running fixedPointStart 0$/],
    ['throws', "throw new Error('worker blew up')", /analysis worker 1 of 1 stopped \(exit code 1\) while running fixedPointStart 0: Error: worker blew up/],
  ] as const) {
    it(`fails the wait for the task it claimed as soon as it ${how}, naming the task (not after the 600 s stall limit)`, async () => {
      const script = dyingWorker(death);
      try {
        await expectHeldTaskFails(startTaskPool(2, { workerScript: script }), 'dying-task-worker', error);
      } finally {
        rmSync(dirname(script.pathname), { recursive: true, force: true });
      }
    });
  }
});

describe('stopping a pool', () => {
  it('dispose() called twice stops the workers once, and both calls resolve', async () => {
    const p = startTaskPool(2);
    const task = smallTask;
    expect(p.map('fixedPointStart', [task, task])).toEqual(serialTasks.map('fixedPointStart', [task, task]));
    const first = p.dispose();
    await expect(Promise.all([first, p.dispose()])).resolves.toEqual([undefined, undefined]);
    expect(p.dispose()).toBe(first);
  });
});

describe('closed-loop noise, trial by trial', () => {
  it("a trial's noise depends only on the run's seed and the trial's index: trial 5 alone equals trial 5 of the 8", () => {
    const task = parseTaskSpec({ ...ck.config.task, kind: 'center-out', duration: 1, steps: undefined });
    const trials = centerOutConditions(ck.arm, task, 0.3, 1);
    const opts = { engine: 'analytic' as const, feedback: ck.config.feedback, hiddenNoise: 0.05 };
    const all = runClosedLoop(checkpointBody(ck), ck.network, ck.params, trials, opts, 9);
    const alone = runClosedLoop(checkpointBody(ck), ck.network, ck.params, sliceTrials(trials, 5, 1), { ...opts, trialOffset: 5 }, 9);
    const n = ck.network.hidden * trials.steps;
    expect(alone.hidden).toEqual(all.hidden.slice(5 * n, 6 * n));
    // The noise is real: another seed moves the same trial.
    const other = runClosedLoop(checkpointBody(ck), ck.network, ck.params, sliceTrials(trials, 5, 1), { ...opts, trialOffset: 5 }, 10);
    expect(other.hidden).not.toEqual(alone.hidden);
  });
});
