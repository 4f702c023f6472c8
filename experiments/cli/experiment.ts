/**
 * `reach experiment` (`npm start`): the default experiment end to end — the committed default controller
 * (or one trained first with `--train`) reaches to the 8 center-out targets on the matter-js arm; the
 * run is analysed, exported and written up as report.html; a summary is printed.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { BACKEND_CHOICES } from '../../model/backend.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats.ts';
import { DEFAULT_ARM, defaultModel } from '../default-models.ts';
import { DEFAULT_CHECKPOINT } from '../package-info.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../run-options.ts';
import { parseBackend, parseChoice, parseEngine, parseIntStrict, parseWorkers } from './options.ts';
import { loadInterventionSpec } from './run.ts';

/** The default training config (the one `npm run train:default` uses). */
export const DEFAULT_TRAIN_CONFIG = resolve(DEFAULT_CHECKPOINT, '../default-train.json');

interface RawOptions {
  arm?: string;
  checkpoint?: string;
  out?: string;
  train?: boolean;
  trainConfig?: string;
  iterations?: string;
  backend: string;
  repeats: string;
  seed: string;
  engine: string;
  formats: string;
  log?: string;
  keepLog?: string;
  fixedPoints: boolean;
  force?: boolean;
  json?: boolean;
  workers?: string;
  protocol: string;
  protocolSpec?: string;
  interventions?: string;
}

/** Protocols of `--protocol`; `default` is the center-out experiment. */
export const PROTOCOLS = ['default', 'curl-adaptation', 'visuomotor-rotation', 'ablation'] as const;

const formatsSchema = z
  .string()
  .transform((s) => (s === 'all' ? [...EXPORT_FORMATS] : s.split(',').map((x) => x.trim()).filter((x) => x !== '')))
  .pipe(z.array(z.enum(EXPORT_FORMATS, { error: (i) => `--formats: unknown format '${String(i.input)}' (choose from ${EXPORT_FORMATS.join(', ')}, or all, or none)` })));

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** --checkpoint and the training configs of --train (--train-config, one stage), defaulting to the default controller of --arm (or of DEFAULT_ARM). */
function resolveModel(opts: RawOptions): { checkpoint: string; trainStages: string[] } {
  const model = defaultModel(opts.arm ?? DEFAULT_ARM);
  return { checkpoint: opts.checkpoint ?? model.checkpoint, trainStages: opts.trainConfig ? [opts.trainConfig] : model.trainStages };
}

/**
 * Training stages cut to `iterations` in all (their `iterations` count from the first stage's first): the
 * stage that reaches it ends there and the later ones are dropped; the last stage is run on to it.
 */
export function stagesUpTo<C extends { iterations: number }>(stages: C[], iterations: number): C[] {
  const end = stages.findIndex((s, i) => s.iterations >= iterations || i === stages.length - 1);
  return [...stages.slice(0, end), { ...stages[end], iterations }];
}

async function run(opts: RawOptions): Promise<void> {
  const t0 = performance.now();
  const { checkpoint, trainStages } = resolveModel(opts);
  opts.checkpoint = checkpoint;
  const protocol = parseChoice(opts.protocol, '--protocol', PROTOCOLS);
  if (protocol !== 'default') return runNamedProtocol(protocol, opts, t0);
  if (opts.protocolSpec !== undefined) throw new Error('--protocol-spec applies only with --protocol curl-adaptation, visuomotor-rotation or ablation');
  const [{ runFullExperiment }, { loadTrainConfig }, { formatRunSummary }] = await Promise.all([
    import('../experiment.ts'),
    import('../training.ts'),
    import('../run-analysis.ts'),
  ]);
  const backend = parseBackend(opts.backend);
  const engine = parseEngine(opts.engine);
  const repeats = parseIntStrict(opts.repeats, '--repeats');
  if (repeats < 1) throw new Error(`--repeats must be at least 1, got ${repeats}`);
  const seed = parseIntStrict(opts.seed, '--seed');
  const workers = parseWorkers(opts.workers);
  const formats: ExportFormat[] = opts.formats === 'none' ? [] : (() => {
    const f = formatsSchema.safeParse(opts.formats);
    if (!f.success) throw new Error(f.error.issues.map((i) => i.message).join('; '));
    return [...new Set(f.data)];
  })();
  if (opts.iterations !== undefined && !opts.train) throw new Error('--iterations applies only with --train');
  let train;
  if (opts.train) {
    const configs = trainStages.map((path) => loadTrainConfig(path));
    const [config, ...then] = opts.iterations === undefined ? configs : stagesUpTo(configs, parseIntStrict(opts.iterations, '--iterations'));
    train = { config, then, backend };
  }
  const out = resolve(opts.out ?? `runs/experiment-${timestamp(new Date())}`);
  const say = (m: string) => process.stderr.write(`experiment: ${m}\n`);
  say(`→ ${out}`);
  const r = await runFullExperiment({
    out,
    force: opts.force === true,
    checkpointPath: resolve(opts.checkpoint),
    train,
    run: { ...EXPERIMENT_RUN_OPTIONS, repeats, seed, engine, ...(opts.interventions === undefined ? {} : { interventions: await loadInterventionSpec(opts.interventions) }) },
    analysis: { seed },
    fixedPoints: opts.fixedPoints,
    logPath: opts.log ? resolve(opts.log) : undefined,
    keepLogPath: opts.keepLog ? resolve(opts.keepLog) : undefined,
    formats,
    progress: say,
    workers,
  });
  const wall = (performance.now() - t0) / 1000;
  const stages = Object.entries(r.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
  const exportsLine = Object.entries(r.exports).map(([f, paths]) => `${f} (${paths.length} files)`).join(', ');
  process.stderr.write(
    `\n${formatRunSummary(r.analysis)}\n\n` +
      `report:   ${r.report}\n` +
      `analysis: ${r.analysisJson} (+ ${r.figures.length} figures in ${resolve(out, 'figures')})\n` +
      (exportsLine ? `exports:  ${resolve(out, 'export')}: ${exportsLine}\n` : '') +
      `run:      ${out} (controller ${r.checkpointPath})\n` +
      `done in ${wall.toFixed(1)} s (${stages})\n`,
  );
  if (opts.json) process.stdout.write(JSON.stringify({ out, report: r.report, seconds: { total: wall, ...r.seconds }, run: r.runSummary, summary: r.analysis.summary }, null, 2) + '\n');
}

function parseFormats(formats: string): ExportFormat[] {
  if (formats === 'none') return [];
  const f = formatsSchema.safeParse(formats);
  if (!f.success) throw new Error(f.error.issues.map((i) => i.message).join('; '));
  return [...new Set(f.data)];
}

async function runNamedProtocol(protocol: Exclude<(typeof PROTOCOLS)[number], 'default'>, opts: RawOptions, t0: number): Promise<void> {
  if (opts.train || opts.iterations !== undefined) throw new Error('--train and --iterations apply only to the default protocol');
  if (opts.interventions !== undefined) throw new Error('--interventions applies to the default protocol; the other protocols build their own (see experiments/protocols/README.md)');
  const { runProtocol } = await import('../protocols/index.ts');
  const out = resolve(opts.out ?? `runs/${protocol}-${timestamp(new Date())}`);
  const say = (m: string) => process.stderr.write(`experiment: ${m}\n`);
  say(`${protocol} → ${out}`);
  const r = await runProtocol({
    protocol,
    out,
    force: opts.force === true,
    checkpointPath: resolve(opts.checkpoint!),
    specPath: opts.protocolSpec ? resolve(opts.protocolSpec) : undefined,
    seed: parseIntStrict(opts.seed, '--seed'),
    formats: parseFormats(opts.formats),
    progress: say,
  });
  const wall = (performance.now() - t0) / 1000;
  process.stderr.write(`\n${JSON.stringify(r.summary, null, 2)}\n\nreport:   ${r.report}\nanalysis: ${r.analysisJson}\ndone in ${wall.toFixed(1)} s\n`);
  if (opts.json) process.stdout.write(JSON.stringify({ out, report: r.report, seconds: wall, ...r.summary }, null, 2) + '\n');
}

export function register(program: Command): void {
  program
    .command('experiment')
    .description('The default experiment end to end: center-out reaches on the matter-js arm, analysis, exports (npy, csv, nwb) and report.html')
    .option('--arm <name>', `body whose default controller (and training config, with --train) to use: motornet (torque motors) or arm26 (six muscles); default ${DEFAULT_ARM}`)
    .option('--checkpoint <file>', 'controller checkpoint (default: the default controller of --arm)')
    .option('--out <dir>', 'output folder (default runs/experiment-<timestamp>)')
    .option('--train', 'train a controller first (the default controller\'s training configs, stage after stage) and use it')
    .option('--train-config <file>', 'one training config for --train (default: the default controller\'s stages of --arm)')
    .option('--iterations <n>', 'training iterations in all for --train (overrides the configs: the stages run in order up to it)')
    .option('--backend <name>', `tfjs backend for --train: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--repeats <n>', 'repetitions of each of the 8 targets (with sensory noise)', String(EXPERIMENT_RUN_OPTIONS.repeats))
    .option('--seed <n>', 'seed of the sensory noise and of the analysis', String(EXPERIMENT_RUN_OPTIONS.seed))
    .option('--engine <name>', 'arm: matter or analytic', EXPERIMENT_RUN_OPTIONS.engine)
    .option('--formats <list>', `exports: comma-separated ${EXPORT_FORMATS.join(', ')}, or all, or none`, 'all')
    .option('--log <file>', 'training log.json for the loss curve (default: the training just run, else <checkpoint>.log.json)')
    .option('--keep-log <file>', 'also write the training log, decimated, to this file (e.g. models/default-controller.log.json)')
    .option('--no-fixed-points', 'skip the fixed-point analysis')
    .option('--interventions <file>', 'JSON intervention spec applied to the default experiment\'s trials (model/interventions/spec.ts)')
    .option('--protocol <name>', `${PROTOCOLS.join(', ')} (default: center-out reaches, analysis and report)`, 'default')
    .option('--protocol-spec <file>', 'JSON settings of the protocol (trial counts, field, learning rate, fractions…; see experiments/protocols/); --seed overrides its seed')
    .option('--force', 'replace an existing non-empty --out whole (default: refuse it)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--workers <n>', `threads for training and analysis (the results do not depend on it; default: the number of cores, ${availableParallelism()} here)`)
    .action((opts: RawOptions) => run(opts));
}
