/** The command that runs one cell, for every executor: the `reach` CLI's hidden `sweep --run-cell`. */
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../package-info.ts';

/** `reach` of this installation (node and the bin script, absolute, so a scheduler may run it from anywhere). */
export const REACH_BIN: readonly [string, string] = [process.execPath, join(PACKAGE_ROOT, 'bin', 'reach.js')];

/**
 * Program and arguments that run cell `index` (a number, or a shell expression such as "$SLURM_ARRAY_TASK_ID",
 * always the last argument) of the sweep in `sweepDir`, on `workers` threads (default: the cell's cores).
 */
export function cellCommand(sweepDir: string, index: number | string, workers?: number): [string, string[]] {
  return [REACH_BIN[0], [REACH_BIN[1], 'sweep', ...(workers === undefined ? [] : ['--workers', String(workers)]), '--run-cell', resolve(sweepDir), String(index)]];
}

/** Quote a word for bash (single quotes; an embedded quote closes, escapes and reopens). */
export const shellQuote = (word: string) => (/^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
