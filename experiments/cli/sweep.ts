/**
 * `reach sweep SPEC.json --out DIR`: train, run and analyse every cell of a sweep (locally on a pool of
 * processes, or as a Slurm job array), then write results.csv and report.html. `--status DIR` prints
 * progress; `--dry-run` prints what would be submitted. The hidden `--run-cell DIR INDEX` runs one cell
 * in this process: it is what every executor starts.
 */
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseChoice, parseIntStrict, parsePositive, parseWorkers } from './options.ts';

interface RawOptions {
  out?: string;
  executor: string;
  jobs?: string;
  dryRun?: boolean;
  status?: string;
  runCell?: string;
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  maxConcurrent?: string;
  account?: string;
  poll: string;
  bench?: boolean;
  iterations?: string;
  workers?: string;
}

const say = (m: string) => process.stderr.write(`sweep: ${m}\n`);

async function runOneCell(dir: string, indexText: string | undefined, workers: number): Promise<void> {
  if (indexText === undefined) throw new Error('--run-cell DIR INDEX: the cell index is missing');
  const index = parseIntStrict(indexText, 'INDEX');
  const { markInterrupted, runCell } = await import('../sweeps/cell.ts');
  // A signal (Ctrl-C in the pool, scancel on Slurm) leaves the cell marked interrupted, never half-finished.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      markInterrupted(dir, index, signal);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const r = await runCell(dir, index, { progress: (m) => process.stderr.write(`cell ${index}: ${m}\n`), workers });
  process.stderr.write(`cell ${index}: done in ${r.seconds.total.toFixed(1)} s\n`);
}

async function bench(opts: RawOptions): Promise<void> {
  const { runSweepBench } = await import('../sweeps/bench.ts');
  const jobs = opts.jobs === undefined ? undefined : parseIntStrict(opts.jobs, '--jobs');
  const iterations = opts.iterations === undefined ? undefined : parseIntStrict(opts.iterations, '--iterations');
  if (jobs !== undefined && jobs < 1) throw new Error(`--jobs must be at least 1, got ${jobs}`);
  if (iterations !== undefined && iterations < 1) throw new Error(`--iterations must be at least 1, got ${iterations}`);
  const r = await runSweepBench({ jobs, iterations, progress: (m) => say(`bench: ${m}`) });
  process.stderr.write(
    `sweep of ${r.cells} cells (16-unit RNN, ${r.iterations} iterations each) on ${r.cores} cores\n` +
      `                       cells     whole sweep (with results.csv, report.html)\n` +
      `  one after another  ${r.sequentialSeconds.toFixed(1).padStart(6)} s  ${r.sequentialSweepSeconds.toFixed(1).padStart(6)} s\n` +
      `  ${`${r.jobs} at a time`.padEnd(17)} ${r.parallelSeconds.toFixed(1).padStart(6)} s  ${r.parallelSweepSeconds.toFixed(1).padStart(6)} s\n` +
      `  speed-up           ${r.speedup.toFixed(2).padStart(6)}×  ${r.sweepSpeedup.toFixed(2).padStart(6)}×\n`,
  );
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}

async function sweep(specPath: string | undefined, opts: RawOptions): Promise<void> {
  if (opts.runCell) return runOneCell(resolve(opts.runCell), specPath, parseWorkers(opts.workers));
  if (opts.bench) return bench(opts);
  if (opts.iterations !== undefined) throw new Error('--iterations applies only with --bench');
  if (opts.status) {
    const { formatSweepStatus, sweepStatus } = await import('../sweeps/runner.ts');
    process.stdout.write(formatSweepStatus(opts.status, sweepStatus(resolve(opts.status))) + '\n');
    return;
  }
  if (!specPath) throw new Error('give a sweep spec (reach sweep SPEC.json --out DIR), or --status DIR');
  const executorName = parseChoice(opts.executor, '--executor', ['local', 'slurm'] as const);
  const cores = availableParallelism();
  const jobs = opts.jobs === undefined ? cores : parseIntStrict(opts.jobs, '--jobs');
  if (jobs < 1) throw new Error(`--jobs must be at least 1, got ${jobs}`);
  if (opts.jobs !== undefined && executorName !== 'local') throw new Error('--jobs applies to the local executor; on Slurm use --max-concurrent');
  if (opts.workers !== undefined && executorName !== 'local') throw new Error('--workers applies to the local executor; on Slurm each cell uses its --cpus-per-task');
  const slurmFlags = { partition: opts.partition, time: opts.time, mem: opts.mem, account: opts.account, cpusPerTask: opts.cpusPerTask, maxConcurrent: opts.maxConcurrent };
  if (executorName !== 'slurm' && Object.values(slurmFlags).some((v) => v !== undefined)) throw new Error('--partition, --time, --mem, --account, --cpus-per-task and --max-concurrent apply to --executor slurm');

  const { readSweepSpec } = await import('../sweeps/spec.ts');
  const spec = readSweepSpec(specPath);
  const out = resolve(opts.out ?? `runs/sweep-${spec.name}`);
  const { localExecutor } = await import('../sweeps/executors/local.ts');
  const { slurmExecutor } = await import('../sweeps/executors/slurm.ts');
  const executor =
    executorName === 'local'
      ? localExecutor({ jobs, ...(opts.workers === undefined ? {} : { workers: parseWorkers(opts.workers) }) })
      : slurmExecutor({
          pollSeconds: parsePositive(opts.poll, '--poll'),
          ...(opts.partition ? { partition: opts.partition } : {}),
          ...(opts.time ? { time: opts.time } : {}),
          ...(opts.mem ? { mem: opts.mem } : {}),
          ...(opts.account ? { account: opts.account } : {}),
          ...(opts.cpusPerTask ? { cpusPerTask: parseIntStrict(opts.cpusPerTask, '--cpus-per-task') } : {}),
          ...(opts.maxConcurrent ? { maxConcurrent: parseIntStrict(opts.maxConcurrent, '--max-concurrent') } : {}),
        });
  if (executorName === 'local' && jobs > cores) say(`warning: --jobs ${jobs} is more than the ${cores} cores here; cells will slow each other down`);

  if (opts.dryRun) {
    const { cellDir, isCellFinished, planSweep } = await import('../sweeps/layout.ts');
    const plan = planSweep(spec);
    const n = plan.cells.length;
    const todo = plan.cells.filter((c) => !isCellFinished(cellDir(out, c.index, n))).map((c) => c.index);
    say(`dry run: ${n} cells, ${todo.length} to run; nothing is written or submitted`);
    process.stdout.write(todo.length ? executor.describe(out, plan, todo) : '');
    return;
  }

  const { runSweep } = await import('../sweeps/runner.ts');
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) return say('still stopping…');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await runSweep(spec, { out, executor, signal: abort.signal, progress: say });
    const ended = (s: string) => r.submitted.filter((c) => c.state === s);
    const failed = ended('failed');
    say(`results: ${r.results}`);
    say(`report:  ${r.report}`);
    for (const c of failed) say(`failed: cell ${c.index}: ${c.detail ?? ''} (log: ${c.log})`);
    const done = r.rows.filter((row) => row.state === 'done').length;
    say(`${done}/${r.rows.length} cells done${failed.length ? `, ${failed.length} failed` : ''}${abort.signal.aborted ? ' (stopped; run the same command again to resume)' : ''}`);
    if (abort.signal.aborted) process.exitCode = 130;
    else if (failed.length > 0) process.exitCode = 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('Train, run and analyse every cell of a sweep (grid of config values × seeds) locally or on Slurm; writes results.csv and report.html')
    .argument('[spec]', 'sweep spec (JSON): base config, axes or cells, seeds')
    .option('--out <dir>', 'sweep directory (default runs/sweep-<name>); run the same command again to resume')
    .option('--executor <name>', 'local (a pool of processes) or slurm (a job array)', 'local')
    .option('--jobs <n>', `local: cells at once (default: the number of cores, ${availableParallelism()} here)`)
    .option('--dry-run', 'print what would run (the sbatch script, or the local commands) and stop')
    .option('--status <dir>', 'print the progress of a sweep directory and stop')
    .option('--partition <name>', 'slurm: partition (overrides the spec)')
    .option('--time <limit>', 'slurm: time limit per cell, e.g. 00:30:00 (overrides the spec)')
    .option('--mem <size>', 'slurm: memory per cell, e.g. 2G (overrides the spec)')
    .option('--cpus-per-task <n>', 'slurm: CPUs per cell (overrides the spec; default 1)')
    .option('--max-concurrent <k>', 'slurm: array tasks running at once (--array=…%k)')
    .option('--account <name>', 'slurm: account (overrides the spec)')
    .option('--poll <s>', 'slurm: seconds between looks at the queue', '2')
    .option('--bench', 'benchmark: 4 small cells one after another, then on a pool of --jobs processes; prints the speed-up')
    .option('--iterations <n>', 'with --bench: training iterations per cell (default 60)')
    .option('--workers <n>', 'local: threads per cell for training and analysis (default: the cores shared out among the --jobs, at least 1)')
    .addOption(new Option('--run-cell <dir>', 'run one cell of the sweep in DIR in this process (the index is the argument); used by the executors').hideHelp())
    .action((spec: string | undefined, opts: RawOptions) => sweep(spec, opts));
}
