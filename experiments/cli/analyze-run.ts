/**
 * `reach analyze --run DIR`: the population analysis of a run directory (experiments/run-analysis.ts),
 * written as analysis.json, figures/*.svg and report.html into the run directory or `--out`.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readRunDir, readRunManifest } from '../run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS, formatRunSummary, resolveRunCheckpoint, type RunAnalysis, type Window } from '../run-analysis.ts';
import { logMismatch, readTrainingLog, writeAnalysisOutputs } from '../report/index.ts';
import { moveEntriesInto, stageDir, withOutputLock } from '../io/out-dir.ts';
import { parseNullFlags } from './null-flags.ts';

/** The options `reach analyze` passes on in run mode (strings as commander gives them). */
export interface AnalyzeRunRawOptions {
  run: string;
  out?: string;
  force?: boolean;
  json?: boolean;
  pcs: string;
  softNorm: string;
  tanglingPcs: string;
  alpha: string;
  checkpoint?: string;
  fixedPoints: boolean;
  null: string;
  surrogates: string;
  state?: string;
  log?: string;
  seed?: string;
  jpcaWindow?: string;
  tuningWindow?: string;
  prepWindow?: string;
  moveWindow?: string;
  alignmentDims?: string;
}

const int = (flag: string) => z.number({ error: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(1, `${flag} must be ≥ 1`);
const schema = z.object({
  pcs: int('--pcs').refine((v) => v % 2 === 0, '--pcs must be even for jPCA (its planes come in pairs)'),
  tanglingPcs: int('--tangling-pcs'),
  alignmentDims: int('--alignment-dims'),
  seed: z.number({ error: '--seed must be a number' }).int('--seed must be an integer'),
  softNorm: z.union([z.literal('none'), z.number().min(0)], { error: '--soft-norm must be "none" or a number ≥ 0' }),
  alpha: z.number({ error: '--alpha must be a number' }).gt(0, '--alpha must lie in (0, 1)').lt(1, '--alpha must lie in (0, 1)'),
});

function parseWindow(flag: string, text: string | undefined, fallback: Window): Window {
  if (text === undefined) return fallback;
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || !(parts[1] > parts[0])) {
    throw new Error(`${flag} must be "start,end" in seconds with end > start, got '${text}'`);
  }
  return [parts[0], parts[1]];
}

/** Run mode of `reach analyze`. */
export async function analyzeRunCommand(raw: AnalyzeRunRawOptions): Promise<void> {
  const d = DEFAULT_RUN_ANALYSIS_OPTIONS;
  const parsed = schema.safeParse({
    pcs: Number(raw.pcs),
    tanglingPcs: Number(raw.tanglingPcs),
    alignmentDims: raw.alignmentDims === undefined ? d.alignmentDims : Number(raw.alignmentDims),
    seed: raw.seed === undefined ? d.seed : Number(raw.seed),
    softNorm: raw.softNorm === 'none' ? 'none' : Number(raw.softNorm),
    alpha: Number(raw.alpha),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  const nullFlags = parseNullFlags(raw.null, raw.surrogates);
  if (nullFlags.nullModel !== 'none') process.stderr.write(`analyze: null model: ${nullFlags.surrogates} ${nullFlags.nullModel.toUpperCase()} surrogates of the analysed units (jPCA and tangling on each)\n`);
  const dir = resolve(raw.run);
  readRunManifest(dir); // a missing or foreign directory is named before any lock or folder is made
  const out = resolve(raw.out ?? dir);
  // One writer at a time. A separate --out is written whole like a run directory (refused when it holds
  // files, unless --force); in the run directory itself, the outputs are staged in a temporary folder
  // there and moved in by a few renames (figures/ replaced whole), under the run directory's lock.
  await withOutputLock(out, async () => {
    const staged = out === dir ? stageDir(join(dir, 'analysis'), { force: true }) : stageDir(out, { force: raw.force === true, what: 'analysis' });
    try {
      const { analysis, figures } = await analyzeInto(staged.tmp, dir, nullFlags, o, raw);
      if (out === dir) moveEntriesInto(staged.tmp, dir);
      else staged.commit();
      process.stderr.write(`analyze: wrote ${join(out, 'analysis.json')}, ${figures} figures and ${join(out, 'report.html')}\n`);
      if (raw.json) process.stdout.write(JSON.stringify(analysis, null, 2) + '\n');
      else process.stderr.write(formatRunSummary(analysis) + '\n');
    } catch (err) {
      staged.abandon();
      throw err;
    }
  });
}

/** Analyse the run in `dir` and write analysis.json, figures/ and report.html into `tmp`. */
async function analyzeInto(
  tmp: string,
  dir: string,
  nullFlags: ReturnType<typeof parseNullFlags>,
  o: z.infer<typeof schema>,
  raw: AnalyzeRunRawOptions,
): Promise<{ analysis: RunAnalysis; figures: number }> {
  const d = DEFAULT_RUN_ANALYSIS_OPTIONS;
  const run = readRunDir(dir);
  process.stderr.write(`analyze: run ${dir}: ${run.trials.length} trials, dt ${run.dt} s\n`);
  const ck = raw.fixedPoints ? resolveRunCheckpoint(run, raw.checkpoint) : { checkpoint: null, reason: 'switched off (--no-fixed-points)' };
  if (!ck.checkpoint) process.stderr.write(`analyze: no fixed points: ${ck.reason}\n`);
  const log = raw.log ? readTrainingLog(raw.log) : null;
  const training = (run.config as { checkpoint?: { training?: { iterations: number; finalLoss: { total: number } } } }).checkpoint?.training;
  if (log && training) {
    const why = logMismatch(log, training);
    if (why) throw new Error(`training log ${raw.log} does not belong to the run's controller: ${why}`);
  }
  const analysis = analyzeRun(run, {
    ...d,
    jpcaPcs: o.pcs,
    tanglingPcs: o.tanglingPcs,
    alignmentDims: o.alignmentDims,
    seed: o.seed,
    softNorm: o.softNorm === 'none' ? null : o.softNorm,
    tuningAlpha: o.alpha,
    jpcaWindow: parseWindow('--jpca-window', raw.jpcaWindow, d.jpcaWindow),
    tuningWindow: parseWindow('--tuning-window', raw.tuningWindow, d.tuningWindow),
    prepWindow: parseWindow('--prep-window', raw.prepWindow, d.prepWindow),
    moveWindow: parseWindow('--move-window', raw.moveWindow, d.moveWindow),
    state: raw.state ?? d.state,
    ...nullFlags,
    checkpoint: ck.checkpoint,
    checkpointPath: ck.path,
    checkpointMissingReason: ck.reason,
  });
  const written = await writeAnalysisOutputs(tmp, run, analysis, { log, title: `Analysis of ${dir}` });
  return { analysis, figures: written.figures.length };
}
