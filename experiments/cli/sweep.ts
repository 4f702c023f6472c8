/**
 * `reach sweep SPEC.json --out DIR`: train, run and analyse every cell of a sweep (locally on a pool of
 * processes, or as a Slurm job array), then write results.csv and report.html. `--status DIR` prints
 * progress; `--dry-run` prints what would be submitted. The hidden `--run-cell DIR INDEX` runs one cell
 * in this process: it is what every executor starts.
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { parseIntStrict, parseWorkers } from './options.ts';
import { addExecutorOptions, executorFromFlags, parseJobs, runSweepCommand, type ExecutorFlags } from './sweep-cli.ts';

interface RawOptions extends ExecutorFlags {
  out?: string;
  dryRun?: boolean;
  status?: string;
  runCell?: string;
  bench?: boolean;
  iterations?: string;
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
  const jobs = parseJobs(opts.jobs);
  const iterations = opts.iterations === undefined ? undefined : parseIntStrict(opts.iterations, '--iterations');
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
  const { readSweepSpec } = await import('../sweeps/spec.ts');
  const spec = readSweepSpec(specPath);
  const out = resolve(opts.out ?? `runs/sweep-${spec.name}`);
  const executor = await executorFromFlags(opts, say);

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
  await runSweepCommand((signal) => runSweep(spec, { out, executor, signal, progress: say }), say);
}

export function register(program: Command): void {
  const command = program
    .command('sweep')
    .description('Train, run and analyse every cell of a sweep (grid of config values × seeds) locally or on Slurm; writes results.csv and report.html')
    .argument('[spec]', 'sweep spec (JSON): base config, axes or cells, seeds')
    .option('--out <dir>', 'sweep directory (default runs/sweep-<name>); run the same command again to resume')
    .option('--dry-run', 'print what would run (the sbatch script, or the local commands) and stop')
    .option('--status <dir>', 'print the progress of a sweep directory and stop')
    .option('--bench', 'benchmark: 4 small cells one after another, then on a pool of --jobs processes; prints the speed-up')
    .option('--iterations <n>', 'with --bench: training iterations per cell (default 2000)');
  addExecutorOptions(command)
    .addOption(new Option('--run-cell <dir>', 'run one cell of the sweep in DIR in this process (the index is the argument); used by the executors').hideHelp())
    .action((spec: string | undefined, opts: RawOptions) => sweep(spec, opts));
}
