/**
 * One cell of a sweep, run in the calling process: train the cell's config, run the controller closed
 * loop, analyse and report — `reach experiment --train` into the cell's run directory — then write
 * result.json. Every executor runs a cell through this function (`reach sweep --run-cell DIR INDEX`).
 * A cell always starts afresh: whatever an earlier, unfinished attempt left in its directory is removed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { writeJsonAtomic } from '../io/files.ts';
import { runFullExperiment } from '../experiment.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../run-options.ts';
import { loadCheckpointFile } from '../training.ts';
import { cellDir, cellRunDir, readCellStatus, readPlan, writeCellStatus, type CellStatus } from './layout.ts';
import { metricsOf, type CellResult } from './results.ts';
import { cellLabel } from './spec.ts';

export interface RunCellOptions {
  /** Progress messages (default none). */
  progress?: (message: string) => void;
  /** Threads for the cell's training and analysis (the results do not depend on it). Default: the number of cores. */
  workers?: number;
}

/** The status a cell process leaves when a signal stops it (the caller exits right after). */
export function markInterrupted(sweepDir: string, index: number, signal: string): void {
  const dir = cellDir(sweepDir, index, readPlan(sweepDir).cells.length);
  const now = new Date().toISOString();
  const before = readCellStatus(dir);
  writeCellStatus(dir, { host: hostname(), pid: process.pid, startedAt: now, ...before, state: 'interrupted', finishedAt: now, error: `stopped by ${signal}` });
}

/** Run cell `index` of the sweep in `sweepDir`; returns its result (also written to result.json). */
export async function runCell(sweepDir: string, index: number, o: RunCellOptions = {}): Promise<CellResult> {
  const plan = readPlan(sweepDir);
  const cell = plan.cells[index];
  if (!cell) throw new Error(`${sweepDir} has cells 0–${plan.cells.length - 1}, not ${index}`);
  const dir = cellDir(sweepDir, index, plan.cells.length);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, 'cell.json'), { index, label: cellLabel(cell), values: cell.values, seed: cell.seed, config: cell.config });
  const status: CellStatus = { state: 'running', host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
  writeCellStatus(dir, status);
  const t0 = performance.now();
  try {
    const r = await runFullExperiment({
      out: cellRunDir(dir),
      checkpointPath: join(cellRunDir(dir), 'train', 'controller.json'),
      train: { config: cell.config, backend: plan.spec.backend },
      run: { ...EXPERIMENT_RUN_OPTIONS, ...plan.spec.run, seed: cell.seed },
      analysis: { seed: cell.seed },
      fixedPoints: plan.spec.analysis.fixedPoints,
      formats: [],
      progress: o.progress,
      workers: o.workers,
    });
    const ck = loadCheckpointFile(r.checkpointPath);
    const seconds = { ...r.seconds, total: (performance.now() - t0) / 1000 };
    const result: CellResult = {
      index,
      values: cell.values,
      seed: cell.seed,
      backend: ck.backend,
      iterations: ck.training.iterations,
      metrics: metricsOf({ analysis: r.analysis, training: ck.training, seconds }),
      seconds,
      report: relative(dir, r.report),
    };
    writeJsonAtomic(join(dir, 'result.json'), result);
    writeCellStatus(dir, { ...status, state: 'done', finishedAt: new Date().toISOString() });
    return result;
  } catch (err) {
    writeCellStatus(dir, { ...status, state: 'failed', finishedAt: new Date().toISOString(), error: (err as Error).message });
    throw err;
  }
}
