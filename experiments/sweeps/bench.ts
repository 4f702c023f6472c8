/**
 * The sweep benchmark (`reach sweep --bench`): the same 4 cells of small networks, each on one training
 * worker, run by the local executor one after another (`jobs` 1) and on a pool of `jobs` processes,
 * each into a fresh sweep directory; the speed-up is the ratio of the wall times of the cells (both
 * runs start one process per cell, so it measures the pool, not process start-up). The whole sweeps'
 * ratio, which adds the serial planning and results.csv + report.html, is reported beside it.
 *
 * Each cell is trained for 2000 iterations by default, as a real cell would be: a cell also pays ~2 s of
 * fixed cost (process and tfjs start, loading Vega, rendering its report) that uses more than one core,
 * so with 60 iterations the pool measured only 1.21× on an idle 2-core machine against 1.84× at 2000.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { localExecutor } from './executors/local.ts';
import { runSweep } from './runner.ts';
import { parseSweepSpec } from './spec.ts';

export interface SweepBenchOptions {
  /** Pool size of the parallel run. Default: the number of cores. */
  jobs?: number;
  /** Training iterations per cell. Default 2000. */
  iterations?: number;
  /** Progress messages. */
  progress?: (message: string) => void;
}

export interface SweepBenchResult {
  cells: number;
  jobs: number;
  cores: number;
  iterations: number;
  /** Wall time of the cells one after another (s): from the first start to the last end. */
  sequentialSeconds: number;
  /** The same on the pool (s). */
  parallelSeconds: number;
  /** sequentialSeconds / parallelSeconds: the pool's speed-up. */
  speedup: number;
  /** Whole sweeps, planning and results.csv + report.html (serial, a few seconds) included (s). */
  sequentialSweepSeconds: number;
  parallelSweepSeconds: number;
  sweepSpeedup: number;
}

/** 4 cells: activity penalty 0 or 0.01 × seeds 1, 2; a 16-unit RNN, batch 16, 0.6 s trials; one noisy repeat per target. */
export const benchSpec = (iterations: number) =>
  parseSweepSpec({
    name: 'bench',
    base: { iterations, batch: 16, network: { hidden: 16 }, task: { kind: 'mixed', duration: 0.6, delay: [0.1, 0.2] }, checkpointEvery: 0 },
    axes: { 'loss.activity': [0, 0.01] },
    seeds: [1, 2],
    run: { repeats: 1 },
  });

export async function runSweepBench(o: SweepBenchOptions = {}): Promise<SweepBenchResult> {
  const cores = availableParallelism();
  const jobs = o.jobs ?? cores;
  const iterations = o.iterations ?? 2000;
  const spec = benchSpec(iterations);
  const root = mkdtempSync(join(tmpdir(), 'reach-sweep-bench-'));
  const time = async (n: number) => {
    o.progress?.(`4 cells, ${n} at a time`);
    const t0 = performance.now();
    const r = await runSweep(spec, { out: join(root, `jobs-${n}`), executor: localExecutor({ jobs: n, workers: 1 }) });
    const failed = r.rows.filter((row) => row.state !== 'done');
    if (failed.length) throw new Error(`sweep benchmark: cells ${failed.map((f) => f.cell).join(', ')} did not finish (logs in ${join(root, `jobs-${n}`, 'logs')})`);
    return { cells: r.seconds.cells, sweep: (performance.now() - t0) / 1000 };
  };
  const one = await time(1);
  const pool = await time(jobs);
  // Kept when a cell failed: the error names its logs.
  rmSync(root, { recursive: true, force: true });
  return {
    cells: 4,
    jobs,
    cores,
    iterations,
    sequentialSeconds: one.cells,
    parallelSeconds: pool.cells,
    speedup: one.cells / pool.cells,
    sequentialSweepSeconds: one.sweep,
    parallelSweepSeconds: pool.sweep,
    sweepSpeedup: one.sweep / pool.sweep,
  };
}
