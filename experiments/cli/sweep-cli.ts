/**
 * What the commands that run sweeps (`reach sweep`, `reach compare`) share: the executor flags (which
 * executor, the local pool's `--jobs` and `--workers`, the Slurm settings) parsed into an Executor, and
 * running the sweep under Ctrl-C with the closing lines and exit code.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { Executor } from '../sweeps/executors/executor.ts';
import type { SweepOutcome } from '../sweeps/runner.ts';
import { parseChoice, parseIntStrict, parsePositive, parseWorkers } from './options.ts';

/** The executor flags as commander gives them. */
export interface ExecutorFlags {
  executor: string;
  jobs?: string;
  workers?: string;
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  maxConcurrent?: string;
  account?: string;
  poll: string;
}

/** Add the executor flags to a command. */
export function addExecutorOptions(command: Command): Command {
  return command
    .option('--executor <name>', 'local (a pool of processes) or slurm (a job array)', 'local')
    .option('--jobs <n>', `local: cells at once (default: the number of cores, ${availableParallelism()} here)`)
    .option('--workers <n>', 'local: threads per cell for training and analysis (default: the cores shared out among the --jobs, at least 1)')
    .option('--partition <name>', 'slurm: partition (overrides the spec)')
    .option('--time <limit>', 'slurm: time limit per cell, e.g. 00:30:00 (overrides the spec)')
    .option('--mem <size>', 'slurm: memory per cell, e.g. 2G (overrides the spec)')
    .option('--cpus-per-task <n>', 'slurm: CPUs per cell (overrides the spec; default 1)')
    .option('--max-concurrent <k>', 'slurm: array tasks running at once (--array=…%k)')
    .option('--account <name>', 'slurm: account (overrides the spec)')
    .option('--poll <s>', 'slurm: seconds between looks at the queue', '2');
}

/** `--jobs` as a whole number ≥ 1, or undefined when not given. */
export function parseJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const jobs = parseIntStrict(text, '--jobs');
  if (jobs < 1) throw new Error(`--jobs must be at least 1, got ${jobs}`);
  return jobs;
}

/** The executor the flags name; refuses flags of the other executor. `say` gets warnings. */
export async function executorFromFlags(opts: ExecutorFlags, say: (message: string) => void): Promise<Executor> {
  const executorName = parseChoice(opts.executor, '--executor', ['local', 'slurm'] as const);
  const cores = availableParallelism();
  const jobs = parseJobs(opts.jobs) ?? cores;
  if (opts.jobs !== undefined && executorName !== 'local') throw new Error('--jobs applies to the local executor; on Slurm use --max-concurrent');
  if (opts.workers !== undefined && executorName !== 'local') throw new Error('--workers applies to the local executor; on Slurm each cell uses its --cpus-per-task');
  const slurmFlags = { partition: opts.partition, time: opts.time, mem: opts.mem, account: opts.account, cpusPerTask: opts.cpusPerTask, maxConcurrent: opts.maxConcurrent };
  if (executorName !== 'slurm' && Object.values(slurmFlags).some((v) => v !== undefined)) throw new Error('--partition, --time, --mem, --account, --cpus-per-task and --max-concurrent apply to --executor slurm');
  if (executorName === 'local') {
    const { localExecutor } = await import('../sweeps/executors/local.ts');
    if (jobs > cores) say(`warning: --jobs ${jobs} is more than the ${cores} cores here; cells will slow each other down`);
    return localExecutor({ jobs, ...(opts.workers === undefined ? {} : { workers: parseWorkers(opts.workers) }) });
  }
  const { slurmExecutor } = await import('../sweeps/executors/slurm.ts');
  return slurmExecutor({
    pollSeconds: parsePositive(opts.poll, '--poll'),
    ...(opts.partition ? { partition: opts.partition } : {}),
    ...(opts.time ? { time: opts.time } : {}),
    ...(opts.mem ? { mem: opts.mem } : {}),
    ...(opts.account ? { account: opts.account } : {}),
    ...(opts.cpusPerTask ? { cpusPerTask: parseIntStrict(opts.cpusPerTask, '--cpus-per-task') } : {}),
    ...(opts.maxConcurrent ? { maxConcurrent: parseIntStrict(opts.maxConcurrent, '--max-concurrent') } : {}),
  });
}

/**
 * Run a sweep (`start` is given the abort signal of Ctrl-C: the first stops it, resumable) and say where
 * its outputs are and which cells failed; the exit code is 130 when stopped, 1 when a cell failed.
 */
export async function runSweepCommand(start: (signal: AbortSignal) => Promise<SweepOutcome>, say: (message: string) => void): Promise<SweepOutcome> {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) return say('still stopping…');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await start(abort.signal);
    const failed = r.submitted.filter((c) => c.state === 'failed');
    say(`results: ${r.results}`);
    say(`report:  ${r.report}`);
    for (const c of failed) say(`failed: cell ${c.index}: ${c.detail ?? ''} (log: ${c.log})`);
    const done = r.rows.filter((row) => row.state === 'done').length;
    say(`${done}/${r.rows.length} cells done${failed.length ? `, ${failed.length} failed` : ''}${abort.signal.aborted ? ' (stopped; run the same command again to resume)' : ''}`);
    if (abort.signal.aborted) process.exitCode = 130;
    else if (failed.length > 0) process.exitCode = 1;
    return r;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
