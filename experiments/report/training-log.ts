/**
 * Training logs for the loss curve: `log.json` as `reach train` writes it ({ iterations: [{ iteration,
 * loss: { position, hold, effort, activity, weight, total }, endpointError, … }] }), read, validated
 * and evenly decimated so that a report (or a log committed next to a model) stays small.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../io/files.ts';

const lossSchema = z.object({
  position: z.number(),
  hold: z.number(),
  effort: z.number(),
  activity: z.number(),
  weight: z.number(),
  total: z.number(),
});
const entrySchema = z.object({ iteration: z.number().int(), loss: lossSchema, endpointError: z.number().nullable().optional() });
const logSchema = z.object({
  iterations: z.array(entrySchema),
  /** Set on decimated logs: the length of the log they came from. */
  totalIterations: z.number().int().optional(),
  backend: z.string().optional(),
});

export type TrainingLogEntry = z.infer<typeof entrySchema>;

export interface TrainingLog {
  /** Where the log was read from. */
  source: string;
  /** Iterations kept (all, or an even subsample). */
  iterations: TrainingLogEntry[];
  /** Iterations in the full log. */
  totalIterations: number;
}

/** Keep at most `maxPoints` entries, evenly spaced, always including the first and last. */
export function decimateLog(log: TrainingLog, maxPoints: number): TrainingLog {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new Error(`maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  const n = log.iterations.length;
  if (n <= maxPoints) return log;
  const kept = Array.from({ length: maxPoints }, (_, i) => log.iterations[Math.round((i * (n - 1)) / (maxPoints - 1))]);
  return { ...log, iterations: kept };
}

/** Read a training log; errors name the file. */
export function readTrainingLog(path: string): TrainingLog {
  if (!existsSync(path)) throw new Error(`training log not found: ${path}`);
  const parsed = logSchema.safeParse(readJsonFile(path));
  if (!parsed.success) {
    throw new Error(`${path}: not a training log (expected log.json written by reach train): ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.iterations.length === 0) throw new Error(`${path}: the training log has no iterations`);
  const iterations = parsed.data.iterations.map((e) => ({ iteration: e.iteration, loss: e.loss, ...(e.endpointError !== undefined ? { endpointError: e.endpointError } : {}) }));
  return { source: path, iterations, totalIterations: parsed.data.totalIterations ?? iterations.length };
}

/** Write a (decimated) log that readTrainingLog reads back: one iteration per line, 6 significant digits. */
export function writeTrainingLog(path: string, log: TrainingLog): void {
  const round = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v);
  const lines = log.iterations.map((e) => '    ' + JSON.stringify(e, round));
  writeFileAtomic(path, `{\n  "totalIterations": ${log.totalIterations},\n  "iterations": [\n${lines.join(',\n')}\n  ]\n}\n`);
}

/** The training log conventionally kept next to a checkpoint: `<name>.log.json` for `<name>.json`. */
export function logPathFor(checkpointPath: string): string {
  return checkpointPath.replace(/\.json$/i, '') + '.log.json';
}
