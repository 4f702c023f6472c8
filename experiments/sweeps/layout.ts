/**
 * A sweep is a directory:
 *
 *   sweep.json            the spec and its cells (index, swept values, seed, resolved training config)
 *   cells/<NNN>/          one cell: cell.json (its values, seed and resolved training config),
 *                         status.json (written by the cell as it goes), result.json (written last:
 *                         a cell is finished exactly when result.json is there and valid)
 *   cells/<NNN>/run/      its run directory, the `reach experiment` layout: run arrays, analysis.json,
 *                         figures/, report.html, train/ with the training directory
 *   logs/cell-<NNN>.log   the cell process's output, whichever executor ran it
 *   slurm/                the sbatch script and the ids of submitted jobs
 *   results.csv, report.html
 *
 * and `<sweep directory>.lock` beside it is held by the runner while it runs (experiments/io/out-dir.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../../core/zod-issues.ts';
import { readJsonFile, writeJsonAtomic } from '../io/files.ts';
import { isProcessAlive } from '../io/out-dir.ts';
import { PACKAGE_VERSION } from '../package-info.ts';
import { readRunManifest } from '../run-dir.ts';
import { cellResultSchema } from './results.ts';
import { expandSweep, sweepSpecSchema, type SweepCell, type SweepSpec } from './spec.ts';

export const SWEEP_FORMAT = 'reach-sweep';

/** The plan stored in sweep.json. */
export interface SweepPlan {
  format: typeof SWEEP_FORMAT;
  version: 1;
  packageVersion: string;
  spec: SweepSpec;
  cells: SweepCell[];
}

/** Digits of cell directory names: at least 3, enough for the largest index. */
export const cellDigits = (cells: number) => Math.max(3, String(Math.max(0, cells - 1)).length);
export const cellName = (index: number, cells: number) => String(index).padStart(cellDigits(cells), '0');
export const cellDir = (sweepDir: string, index: number, cells: number) => join(sweepDir, 'cells', cellName(index, cells));
/** The cell's run directory, inside its cell directory. */
export const cellRunDir = (cellDirectory: string) => join(cellDirectory, 'run');
export const cellLogPath = (sweepDir: string, index: number, cells: number) => join(sweepDir, 'logs', `cell-${cellName(index, cells)}.log`);
export const planPath = (sweepDir: string) => join(sweepDir, 'sweep.json');

/** The part of a plan that decides what a cell computes: two plans that agree on it share finished cells. */
const identity = (p: Pick<SweepPlan, 'spec' | 'cells'>) =>
  JSON.stringify({ cells: p.cells.map((c) => ({ values: c.values, seed: c.seed, config: c.config })), run: p.spec.run, analysis: p.spec.analysis, backend: p.spec.backend });

export function readPlan(sweepDir: string): SweepPlan {
  const path = planPath(sweepDir);
  if (!existsSync(path)) throw new Error(`${sweepDir} is not a sweep directory (no sweep.json)`);
  const raw = readJsonFile(path) as Partial<SweepPlan>;
  if (raw.format !== SWEEP_FORMAT) throw new Error(`${path} is not a sweep plan (format ${JSON.stringify(raw.format)})`);
  const spec = sweepSpecSchema.safeParse(raw.spec);
  if (!spec.success) throw new Error(`${path}: ${formatIssues(spec.error, '(spec)')}`);
  return { format: SWEEP_FORMAT, version: 1, packageVersion: String(raw.packageVersion), spec: spec.data, cells: expandSweep(spec.data) };
}

/** The plan of a spec, in memory (its cells expanded and validated). */
export function planSweep(spec: SweepSpec): SweepPlan {
  return { format: SWEEP_FORMAT, version: 1, packageVersion: PACKAGE_VERSION, spec, cells: expandSweep(spec) };
}

/**
 * Write sweep.json for `spec`, or check that the one already there describes the same cells (a sweep
 * directory is resumed only by the sweep that made it). Returns the plan.
 */
export function writeOrCheckPlan(sweepDir: string, spec: SweepSpec): SweepPlan {
  const plan = planSweep(spec);
  if (existsSync(planPath(sweepDir))) {
    const old = readPlan(sweepDir);
    if (identity(old) !== identity(plan)) {
      throw new Error(`${sweepDir} holds a different sweep (its sweep.json has other cells, run or analysis settings); resume it with the same spec or choose another --out`);
    }
    // Name, description and Slurm settings may change between attempts.
  }
  writeJsonAtomic(planPath(sweepDir), plan);
  return plan;
}

export const cellStateSchema = z.enum(['pending', 'queued', 'running', 'done', 'failed', 'interrupted']);
export type CellState = z.infer<typeof cellStateSchema>;

/** status.json of a cell, written by the process that runs it. */
export const cellStatusSchema = z
  .object({
    state: cellStateSchema,
    host: z.string(),
    pid: z.number().int(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    error: z.string().optional(),
  })
  .strict();
export type CellStatus = z.infer<typeof cellStatusSchema>;

export function writeCellStatus(dir: string, status: CellStatus): void {
  writeJsonAtomic(join(dir, 'status.json'), status);
}

export function readCellStatus(dir: string): CellStatus | null {
  const path = join(dir, 'status.json');
  if (!existsSync(path)) return null;
  try {
    const r = cellStatusSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid is alive on this host (null: the status is from another host). */
export function processAlive(status: Pick<CellStatus, 'host' | 'pid'>): boolean | null {
  return status.host === hostname() ? isProcessAlive(status.pid) : null;
}

/** A cell is finished when its result.json (written last) is valid and its run directory reads. */
export function isCellFinished(dir: string): boolean {
  const path = join(dir, 'result.json');
  if (!existsSync(path)) return false;
  try {
    if (!cellResultSchema.safeParse(JSON.parse(readFileSync(path, 'utf8'))).success) return false;
    readRunManifest(cellRunDir(dir));
    return true;
  } catch {
    return false;
  }
}
