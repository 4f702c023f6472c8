/**
 * The one interface every executor implements: submit cells, poll them, collect them. An executor only
 * starts processes that run `reach sweep --run-cell DIR INDEX` (executors/command.ts) and follows them;
 * what a cell computes and writes is the same whichever executor ran it (experiments/sweeps/cell.ts).
 */
import type { CellState, SweepPlan } from '../layout.ts';

/** Where one submitted cell stands. */
export interface CellProgress {
  index: number;
  state: CellState;
  /** Why it failed or was interrupted, or the scheduler's word on it (e.g. "PENDING (Resources)"). */
  detail?: string;
  /** The cell process's output. */
  log: string;
}

/** Cells submitted together. */
export interface SweepJob {
  /** Where each submitted cell stands now. */
  poll(): Promise<CellProgress[]>;
  /** Wait until every submitted cell has ended (done, failed or interrupted); calls `onChange` whenever a cell's state changes. */
  collect(onChange?: (cells: CellProgress[]) => void): Promise<CellProgress[]>;
  /** Stop the job (Ctrl-C): queued cells never start, running ones are signalled; `collect` then returns. */
  cancel(): Promise<void>;
}

export interface Executor {
  readonly name: string;
  /** Start the cells `indices` of the sweep in `sweepDir`. */
  submit(sweepDir: string, plan: SweepPlan, indices: readonly number[]): Promise<SweepJob>;
  /** What `submit` would do, as text (the sbatch script; the commands of a local pool): `--dry-run`. */
  describe(sweepDir: string, plan: SweepPlan, indices: readonly number[]): string;
}

/** Terminal states: a cell in one of these will not change again within this job. */
export const isEnded = (s: CellState) => s === 'done' || s === 'failed' || s === 'interrupted';
