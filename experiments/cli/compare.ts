/**
 * `reach compare`: which network looks most like motor cortex? Trains each network kind (default rnn,
 * gru, lstm; 64 units, 1000 iterations) on the same task over several seeds, runs each closed loop,
 * analyses each and writes one comparison report. A ready-made sweep (network.kind × seeds) run by the
 * sweep runner on any executor; run the same command again to resume.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { BACKEND_CHOICES } from '../../model/backend.ts';
import { CELL_KINDS, type CellKind } from '../../model/cells/index.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../run-options.ts';
import { parseBackend, parseChoice, parseIntStrict } from './options.ts';
import { addExecutorOptions, executorFromFlags, runSweepCommand, type ExecutorFlags } from './sweep-cli.ts';

interface RawOptions extends ExecutorFlags {
  kinds: string;
  hidden: string;
  iterations: string;
  seeds: string;
  config?: string;
  repeats: string;
  fixedPoints: boolean;
  backend: string;
  out: string;
  dryRun?: boolean;
}

const say = (m: string) => process.stderr.write(`compare: ${m}\n`);

function positiveInt(text: string, flag: string): number {
  const n = parseIntStrict(text, flag);
  if (n < 1) throw new Error(`${flag} must be at least 1, got ${n}`);
  return n;
}

async function compare(opts: RawOptions): Promise<void> {
  const kinds = opts.kinds.split(',').map((k) => parseChoice<CellKind>(k.trim(), '--kinds', CELL_KINDS));
  const seedCount = positiveInt(opts.seeds, '--seeds');
  const [{ compareSpec, runCompare }, { readJsonFile }] = await Promise.all([import('../sweeps/compare.ts'), import('../io/files.ts')]);
  const options = {
    kinds,
    hidden: positiveInt(opts.hidden, '--hidden'),
    iterations: positiveInt(opts.iterations, '--iterations'),
    seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
    ...(opts.config === undefined ? {} : { base: readJsonFile(opts.config) as Record<string, unknown> }),
    run: { repeats: positiveInt(opts.repeats, '--repeats') },
    fixedPoints: opts.fixedPoints,
    backend: parseBackend(opts.backend),
  };
  const spec = compareSpec(options);
  const out = resolve(opts.out);
  const executor = await executorFromFlags(opts, say);
  if (opts.dryRun) {
    const { planSweep } = await import('../sweeps/layout.ts');
    const plan = planSweep(spec);
    say(`dry run: ${plan.cells.length} trainings (${kinds.join(', ')} × seeds 1–${seedCount}); nothing is written or submitted`);
    process.stdout.write(executor.describe(out, plan, plan.cells.map((c) => c.index)));
    return;
  }
  await runSweepCommand((signal) => runCompare(options, { out, executor, signal, progress: say }), say);
}

export function register(program: Command): void {
  const command = program
    .command('compare')
    .description('Which network looks most like cortex? Train each network kind (rnn, gru, lstm) on the same task over several seeds, run and analyse each; one comparison report.html (a sweep: network.kind × seeds)')
    .option('--kinds <list>', `network kinds, comma-separated (${CELL_KINDS.join(', ')})`, CELL_KINDS.join(','))
    .option('--hidden <n>', 'hidden units of every network', '64')
    .option('--iterations <n>', 'training iterations of every network', '1000')
    .option('--seeds <n>', 'seeds 1…n; every kind trains once per seed', '3')
    .option('--config <file>', 'training config every network starts from (default: the training defaults); --hidden and --iterations override it')
    .option('--repeats <n>', 'closed loop: repetitions of each of the 8 center-out targets', String(EXPERIMENT_RUN_OPTIONS.repeats))
    .option('--no-fixed-points', 'skip the fixed-point analysis')
    .option('--backend <name>', `tfjs backend of the trainings: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--out <dir>', 'comparison directory (a sweep directory); run the same command again to resume', 'runs/compare')
    .option('--dry-run', 'print what would run and stop');
  addExecutorOptions(command).action((opts: RawOptions) => compare(opts));
}
