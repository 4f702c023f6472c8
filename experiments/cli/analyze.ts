/**
 * `reach analyze`: population analysis (PCA, jPCA, tangling, cosine tuning) of a user's own
 * `[conditions, times, units]` array from a `.npy` file; writes `analysis.json` and/or prints it.
 * With `--run DIR` it analyses a run directory instead (see analyze-run.ts).
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { formatShape } from '../../core/npy.ts';
import { readActivity } from '../io/activity-input.ts';
import { readNpyFile, writeJsonAtomic } from '../io/files.ts';
import { ANALYSES, analyzeActivity, summarizeAnalysis, type AnalysisName } from '../analyze.ts';
import { parseNullFlags } from './null-flags.ts';
import { parseIntStrict } from './options.ts';
import type { AnalyzeRunRawOptions } from './analyze-run.ts';

interface RawOptions extends Omit<AnalyzeRunRawOptions, 'run'> {
  input?: string;
  run?: string;
  dt?: string;
  times?: string;
  window?: string;
  pcs: string;
  softNorm: string;
  analyses?: string;
  angles?: string;
  anglesDeg?: string;
  tanglingPcs: string;
  tanglingStep?: string;
  meanSubtract: boolean;
  alpha: string;
}

/** Flags that only make sense for one of the two modes. */
const INPUT_ONLY = ['dt', 'times', 'window', 'analyses', 'angles', 'anglesDeg', 'tanglingStep'] as const;
const RUN_ONLY = ['checkpoint', 'log', 'jpcaWindow', 'tuningWindow', 'prepWindow', 'moveWindow', 'alignmentDims', 'state', 'force'] as const;
const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

async function dispatch(opts: RawOptions): Promise<void> {
  if (!opts.input === !opts.run) throw new Error('give exactly one of --input FILE (a [conditions, times, units] array: .npy, long CSV condition,time,unit,value, or a reach CSV export) or --run DIR (a run directory)');
  if (opts.run) {
    const wrong = INPUT_ONLY.filter((k) => opts[k] !== undefined);
    if (wrong.length) throw new Error(`only with --input, not with --run: ${wrong.map(flag).join(', ')}`);
    if (!opts.meanSubtract) throw new Error('only with --input, not with --run: --no-mean-subtract');
    const { analyzeRunCommand } = await import('./analyze-run.ts');
    return analyzeRunCommand({ ...opts, run: opts.run });
  }
  const wrong = RUN_ONLY.filter((k) => opts[k] !== undefined);
  if (wrong.length || !opts.fixedPoints) throw new Error(`only with --run: ${[...wrong.map(flag), ...(opts.fixedPoints ? [] : ['--no-fixed-points'])].join(', ')}`);
  run(opts as RawOptions & { input: string });
}

const positiveInt = (flag: string) =>
  z.number({ error: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(1, `${flag} must be ≥ 1`);

const optionsSchema = z.object({
  dt: z.number({ error: '--dt must be a number (s)' }).refine((v) => Number.isFinite(v) && v > 0, '--dt must be a positive number of seconds').optional(),
  pcs: positiveInt('--pcs').refine((v) => v % 2 === 0, '--pcs must be even for jPCA (its planes come in pairs)'),
  tanglingPcs: positiveInt('--tangling-pcs'),
  tanglingStep: positiveInt('--tangling-step').optional(),
  softNorm: z.union([z.literal('none'), z.number().min(0, '--soft-norm must be "none" or a number ≥ 0')], { error: '--soft-norm must be "none" or a number ≥ 0' }),
  alpha: z.number({ error: '--alpha must be a number' }).gt(0, '--alpha must lie in (0, 1)').lt(1, '--alpha must lie in (0, 1)'),
});

function parseNumberList(flag: string, text: string, count?: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((s) => s === '') || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`${flag} must be comma-separated numbers, got '${text}'`);
  }
  if (count !== undefined && values.length !== count) throw new Error(`${flag} needs ${count} numbers, got ${values.length} in '${text}'`);
  return values;
}

function parseAnalyses(text: string): AnalysisName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error('--analyses is empty');
  for (const n of names) {
    if (!(ANALYSES as readonly string[]).includes(n)) throw new Error(`--analyses: unknown analysis '${n}' (choose from ${ANALYSES.join(', ')})`);
  }
  return [...new Set(names)] as AnalysisName[];
}

/** Times (s) from a 1-D `.npy`; returns them and the uniform bin width they imply. */
function readTimes(path: string, expected: number): { times: Float64Array; dt: number } {
  const arr = readNpyFile(path);
  if (arr.shape.length !== 1) throw new Error(`${path}: times must be 1-D [times] (s), got shape ${formatShape(arr.shape)}`);
  if (arr.shape[0] !== expected) throw new Error(`${path}: ${arr.shape[0]} times given but the input has ${expected} time bins`);
  return binWidth(Float64Array.from(arr.data), path);
}

/** The uniform bin width of increasing, evenly spaced times (s); `path` names their source in errors. */
function binWidth(times: Float64Array, path: string): { times: Float64Array; dt: number } {
  if (times.length < 2) throw new Error(`${path}: need at least 2 times to know the bin width`);
  for (let i = 0; i < times.length; i++) if (!Number.isFinite(times[i])) throw new Error(`${path}: time ${i} is not finite`);
  // 12 significant digits drop the rounding noise of (last − first)/(n − 1), e.g. 0.010000000000000002.
  const dt = Number(((times[times.length - 1] - times[0]) / (times.length - 1)).toPrecision(12));
  if (!(dt > 0)) throw new Error(`${path}: times must increase`);
  for (let i = 1; i < times.length; i++) {
    if (Math.abs(times[i] - times[i - 1] - dt) > 1e-6 * dt) {
      throw new Error(`${path}: times must be evenly spaced (bin ${i} is ${times[i] - times[i - 1]} s, mean bin ${dt} s)`);
    }
  }
  return { times, dt };
}

function run(opts: RawOptions & { input: string }): void {
  const parsed = optionsSchema.safeParse({
    dt: opts.dt === undefined ? undefined : Number(opts.dt),
    pcs: Number(opts.pcs),
    tanglingPcs: Number(opts.tanglingPcs),
    tanglingStep: opts.tanglingStep === undefined ? undefined : Number(opts.tanglingStep),
    softNorm: opts.softNorm === 'none' ? 'none' : Number(opts.softNorm),
    alpha: Number(opts.alpha),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  if (opts.angles && opts.anglesDeg) throw new Error('give either --angles or --angles-deg, not both');

  const input = readActivity(opts.input);
  const [nc, nt, nu] = input.shape;
  process.stderr.write(`analyze: ${opts.input}: [${nc} conditions, ${nt} times, ${nu} units] ${input.dtype}\n`);

  let dt = o.dt;
  let times: Float64Array | undefined;
  if (input.times && opts.times) throw new Error(`${opts.input} carries its own times; drop --times`);
  if (input.times || opts.times) {
    const t = input.times ? binWidth(input.times, opts.input) : readTimes(opts.times as string, nt);
    times = t.times;
    if (dt !== undefined && Math.abs(dt - t.dt) > 1e-6 * t.dt) {
      throw new Error(`--dt ${dt} s disagrees with the bin width ${t.dt} s of ${opts.times ?? opts.input}`);
    }
    dt = t.dt;
  }
  if (dt === undefined) throw new Error('give the bin width with --dt (s) or the bin times with --times FILE.npy (s)');

  let angles: number[] | undefined;
  if (opts.anglesDeg) angles = parseNumberList('--angles-deg', opts.anglesDeg).map((d) => (d * Math.PI) / 180);
  if (opts.angles) {
    const a = readNpyFile(opts.angles);
    if (a.shape.length !== 1) throw new Error(`${opts.angles}: angles must be 1-D [conditions] (rad), got shape ${formatShape(a.shape)}`);
    angles = Array.from(a.data);
  }
  if (angles && angles.length !== nc) throw new Error(`${angles.length} angles given for ${nc} conditions`);

  const analyses = opts.analyses ? parseAnalyses(opts.analyses) : angles ? [...ANALYSES] : (['pca', 'jpca', 'tangling'] as AnalysisName[]);
  if (analyses.includes('tuning') && !angles) throw new Error('tuning needs the direction of each condition: --angles FILE.npy (rad) or --angles-deg "0,45,…"');
  const window = opts.window ? (parseNumberList('--window', opts.window, 2) as [number, number]) : undefined;
  const nullFlags = parseNullFlags(opts.null, opts.surrogates);
  const seed = opts.seed === undefined ? 1 : parseIntStrict(opts.seed, '--seed');
  const nullModel = nullFlags.nullModel === 'none' ? undefined : { method: nullFlags.nullModel, surrogates: nullFlags.surrogates, seed };
  if (nullModel && !analyses.includes('jpca') && !analyses.includes('tangling')) throw new Error('--null tests jPCA and tangling: select at least one of them with --analyses');

  process.stderr.write(
    `analyze: running ${analyses.join(', ')} (dt ${dt} s${window ? `, window ${window[0]}…${window[1]} s` : ''})` +
      (nullModel ? `, then jPCA/tangling on ${nullModel.surrogates} ${nullModel.method.toUpperCase()} surrogates` : '') +
      '\n',
  );
  const result = analyzeActivity(input.data, input.shape, {
    dt,
    times,
    window,
    analyses,
    jpcaPcs: o.pcs,
    tanglingPcs: o.tanglingPcs,
    tanglingStep: o.tanglingStep,
    softNorm: o.softNorm === 'none' ? null : o.softNorm,
    meanSubtract: opts.meanSubtract,
    angles,
    tuningAlpha: o.alpha,
    nullModel,
  });

  if (opts.out) {
    const path = join(resolve(opts.out), 'analysis.json');
    writeJsonAtomic(path, { kind: 'reach-analysis', source: resolve(opts.input), ...result });
    process.stderr.write(`analyze: wrote ${path}\n`);
  }
  if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stderr.write(summarizeAnalysis(result) + '\n');
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description(
      'Analyse a [conditions, times, units] .npy recording (--input): PCA, jPCA (Churchland 2012), tangling (Russo 2018), cosine tuning, and with --null their p-values against surrogate data; ' +
        'or a run directory (--run): the same on onset-aligned condition averages of the hidden units, plus tangling of the torques, output-null/potent split, alignment index, kinematics, fixed points, figures and report.html.',
    )
    .option('--input <file>', 'activity [conditions, times, units]: .npy (float32/float64), long CSV condition,time,unit,value (time in s), or a reach CSV export (data.csv or its folder: hidden_* averaged per condition and time)')
    .option('--run <dir>', 'run directory written by reach run / reach experiment')
    .option('--dt <s>', 'bin width (s)')
    .option('--times <file>', '.npy bin times [times] (s); alternative to --dt')
    .option('--window <start,end>', 'analysis window (s, inclusive) for every analysis')
    .option('--pcs <k>', 'number of jPCA PCs (even)', '6')
    .option('--soft-norm <c>', "soft normalisation x/(range + c): 'none', or c ≥ 0 (0 = divide by range; jPCA.m uses 10 for spikes/s)", 'none')
    .option('--analyses <list>', `comma-separated subset of ${ANALYSES.join(',')} (default pca,jpca,tangling, + tuning with angles)`)
    .option('--angles <file>', '.npy movement direction of each condition [conditions] (rad), for tuning')
    .option('--angles-deg <list>', 'movement direction of each condition (degrees), e.g. "0,45,90"')
    .option('--tangling-pcs <n>', 'number of PCs for tangling', '8')
    .option('--tangling-step <n>', 'analyse every n-th bin for tangling (default floor(0.02 s / dt))')
    .option('--no-mean-subtract', 'jPCA: keep the cross-condition mean')
    .option('--alpha <p>', 'significance level of the tuning F-test', '0.05')
    .option('--null <model>', "null model for jPCA and tangling: tme (tensor maximum entropy surrogates, Elsayed & Cunningham 2017), cmpt (covariance-matched condition permutations, Michaels et al. 2016) or none", 'none')
    .option('--surrogates <n>', 'surrogates drawn for --null (p-values resolve down to 1/(n + 1))', '100')
    .option('--checkpoint <file>', 'with --run: controller for the fixed points (default: the one recorded in the run, if present)')
    .option('--no-fixed-points', 'with --run: skip the fixed-point search')
    .option('--state <blocks>', "with --run: state analysed: h (the output, default), or for an LSTM c (cell state) or hc (both); fixed points use the whole state")
    .option('--log <file>', 'with --run: training log.json for the loss-curve figure')
    .option('--seed <n>', 'seed of the --null surrogates; with --run also of the random subspaces (alignment baseline) and fixed-point starts (default 1)')
    .option('--jpca-window <start,end>', 'with --run: jPCA window around movement onset (s, default -0.05,0.2)')
    .option('--tuning-window <start,end>', 'with --run: tuning window after movement onset (s, default 0,0.2)')
    .option('--prep-window <start,end>', 'with --run: preparatory epoch around the go cue (s, default -0.2,0)')
    .option('--move-window <start,end>', 'with --run: movement epoch around movement onset (s, default -0.05,0.25)')
    .option('--alignment-dims <k>', 'with --run: dimensions of the alignment index (default 6)')
    .option('--out <dir>', 'write <dir>/analysis.json (with --run also figures/ and report.html, written whole; default: the run directory)')
    .option('--force', 'with --run: replace an existing non-empty --out whole (default: refuse it)')
    .option('--json', 'print the full result as JSON on stdout')
    .action((opts: RawOptions) => dispatch(opts));
}
