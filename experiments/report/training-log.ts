/**
 * Training logs for the loss curve and the gradient figures: `log.json` as `reach train` writes it
 * ({ iterations: [{ iteration, loss: { position, hold, effort, activity, weight, total }, endpointError,
 * gradNorm, clipped, gradientFlow?, … }] }), read, validated and evenly decimated so that a report (or a
 * log committed next to a model) stays small. The sparse gradient-flow snapshots (‖∂L/∂h_t‖ over the
 * steps of one batch) are kept apart from the decimated iterations.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../../core/zod-issues.ts';
import { SUMMARY_WINDOW } from '../../model/checkpoint.ts';
import { lossComponentsSchema } from '../../model/losses.ts';
import { readJsonFile, writeFileAtomic } from '../io/files.ts';

const entrySchema = z.object({
  iteration: z.number().int(),
  loss: lossComponentsSchema,
  endpointError: z.number().nullable().optional(),
  /** Gradient norm before clipping (null when it was not finite). */
  gradNorm: z.number().nullable().optional(),
  clipped: z.boolean().optional(),
  gradientFlow: z.array(z.number().nullable()).optional(),
  event: z.string().optional(),
  stageStart: z.literal(true).optional(),
});
const flowSchema = z.object({ iteration: z.number().int(), norms: z.array(z.number().nullable()) });
const logSchema = z.object({
  iterations: z.array(entrySchema),
  /** Set on decimated logs: the gradient-flow snapshots of the log they came from. */
  gradientFlow: z.array(flowSchema).optional(),
  /** Set on decimated logs: the length of the log they came from. */
  totalIterations: z.number().int().optional(),
  /** Set on decimated logs: SUMMARY_WINDOW-iteration mean of the total loss of the log they came from. */
  finalLossTotal: z.number().optional(),
  backend: z.string().optional(),
});

export type TrainingLogEntry = Omit<z.infer<typeof entrySchema>, 'gradientFlow'>;

/** ‖∂loss/∂h_t‖ over the batch for each step t of one iteration's batch (null where not finite). */
export interface GradientFlowSnapshot {
  iteration: number;
  norms: Array<number | null>;
}

export interface TrainingLog {
  /** Where the log was read from. */
  source: string;
  /** Iterations kept (all, or an even subsample). */
  iterations: TrainingLogEntry[];
  /** Gradient-flow snapshots (all, or an even subsample), by iteration. */
  gradientFlow: GradientFlowSnapshot[];
  /** Iterations in the full log. */
  totalIterations: number;
  /** Mean total loss over the full log's last SUMMARY_WINDOW iterations (those without an event), as a checkpoint's training summary records it. */
  finalLossTotal: number;
}

function finalLossOf(iterations: TrainingLogEntry[]): number {
  const tail = iterations.slice(-SUMMARY_WINDOW).filter((e) => !e.event);
  return tail.reduce((s, e) => s + e.loss.total / tail.length, 0);
}

/**
 * Whether `log` is the training log of a checkpoint with this training summary: same number of
 * iterations and the same final mean total loss (to 1e-6 relative). Returns null if it is, else why not.
 */
export function logMismatch(log: TrainingLog, training: { iterations: number; finalLoss: { total: number } }): string | null {
  if (log.totalIterations !== training.iterations) return `the log has ${log.totalIterations} iterations, the checkpoint ${training.iterations}`;
  const a = log.finalLossTotal;
  const b = training.finalLoss.total;
  if (!(Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)))) return `the log's final loss ${a} differs from the checkpoint's ${b}`;
  return null;
}

/** At most `max` items, evenly spaced, always including the first and last. */
function evenly<T>(items: T[], max: number): T[] {
  const n = items.length;
  if (n <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (n - 1)) / (max - 1))]);
}

/** Keep at most `maxPoints` entries (plus each stage's first) and `maxSnapshots` gradient-flow snapshots (default 8), evenly spaced, always including the first and last. */
export function decimateLog(log: TrainingLog, maxPoints: number, maxSnapshots = 8): TrainingLog {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new Error(`maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  if (!Number.isInteger(maxSnapshots) || maxSnapshots < 2) throw new Error(`maxSnapshots must be an integer ≥ 2, got ${maxSnapshots}`);
  const kept = new Set([...evenly(log.iterations, maxPoints), ...log.iterations.filter((e) => e.stageStart)]);
  return { ...log, iterations: log.iterations.filter((e) => kept.has(e)), gradientFlow: evenly(log.gradientFlow, maxSnapshots) };
}

/** Read a training log; errors name the file. */
export function readTrainingLog(path: string): TrainingLog {
  if (!existsSync(path)) throw new Error(`training log not found: ${path}`);
  const parsed = logSchema.safeParse(readJsonFile(path));
  if (!parsed.success) {
    throw new Error(`${path}: not a training log (expected log.json written by reach train): ${formatIssues(parsed.error)}`);
  }
  if (parsed.data.iterations.length === 0) throw new Error(`${path}: the training log has no iterations`);
  const iterations: TrainingLogEntry[] = parsed.data.iterations.map((e) => ({
    iteration: e.iteration,
    loss: e.loss,
    ...(e.endpointError !== undefined ? { endpointError: e.endpointError } : {}),
    ...(e.gradNorm !== undefined ? { gradNorm: e.gradNorm } : {}),
    ...(e.clipped !== undefined ? { clipped: e.clipped } : {}),
    ...(e.event !== undefined ? { event: e.event } : {}),
    ...(e.stageStart ? { stageStart: e.stageStart } : {}),
  }));
  const gradientFlow = parsed.data.gradientFlow ?? parsed.data.iterations.flatMap((e) => (e.gradientFlow ? [{ iteration: e.iteration, norms: e.gradientFlow }] : []));
  return { source: path, iterations, gradientFlow, totalIterations: parsed.data.totalIterations ?? iterations.length, finalLossTotal: parsed.data.finalLossTotal ?? finalLossOf(iterations) };
}

/** Write a (decimated) log that readTrainingLog reads back: one iteration per line, 6 significant digits. */
export function writeTrainingLog(path: string, log: TrainingLog): void {
  const round = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v);
  const lines = log.iterations.map((e) => '    ' + JSON.stringify(e, round));
  const flow = log.gradientFlow.map((f) => '    ' + JSON.stringify(f, round));
  writeFileAtomic(
    path,
    `{\n  "totalIterations": ${log.totalIterations},\n  "finalLossTotal": ${log.finalLossTotal},\n  "gradientFlow": [\n${flow.join(',\n')}\n  ],\n  "iterations": [\n${lines.join(',\n')}\n  ]\n}\n`,
  );
}

/** The training log conventionally kept next to a checkpoint: `<name>.log.json` for `<name>.json`. */
export function logPathFor(checkpointPath: string): string {
  return checkpointPath.replace(/\.json$/i, '') + '.log.json';
}
