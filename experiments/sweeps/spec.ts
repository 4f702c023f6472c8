/**
 * Sweep specs: a base training config, the values to sweep (a grid over dotted config paths, or an
 * explicit list of cells) and the seeds; expanded into cells, each with its resolved training config.
 *
 *   { "name": "activity-penalty",
 *     "base": { "iterations": 600, "network": { "hidden": 64 } },
 *     "axes": { "loss.activity": [0, 0.01, 0.1] },
 *     "seeds": [1, 2, 3] }
 *
 * Cells are ordered as the grid reads: the first axis varies slowest, the seed fastest. Every path is
 * checked against the training config schema and every cell's config is validated before anything runs.
 * The seed of a cell seeds its training, its closed-loop run (sensory noise) and its analysis.
 */
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';
import { BACKEND_CHOICES } from '../../model/backend.ts';
import { parseTrainConfig, trainConfigSchema, type TrainConfig } from '../../model/train.ts';
import { readJsonFile } from '../io/files.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../run-options.ts';
import { configPathError, setConfigPath } from './config-paths.ts';

const jsonValue: z.ZodType<unknown> = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/** Closed-loop run of every cell (experiments/run-options.ts; defaults those of `reach experiment`; the seed is the cell's). */
const RUN = EXPERIMENT_RUN_OPTIONS;
const runSchema = z
  .object({
    /** Arm the controller drives: matter or analytic. */
    engine: z.enum(['matter', 'analytic']).default(RUN.engine),
    /** center-out conditions or random reaches. */
    task: z.enum(['center-out', 'random']).default(RUN.task),
    /** Repetitions of each center-out target, or the number of random reaches. */
    repeats: z.number().int().min(1).default(RUN.repeats),
    /** Go cue of center-out trials (s). */
    goTime: z.number().positive().default(RUN.goTime),
    /** Trial duration (s). */
    duration: z.number().positive().default(RUN.duration),
    /** Time after go at which the endpoint error is measured (s). */
    evalAfter: z.number().positive().default(RUN.evalAfter),
  })
  .strict();

/** Slurm job settings; unset fields are left to the cluster's defaults. */
export const slurmOptionsSchema = z
  .object({
    /** Partition (`--partition`). */
    partition: z.string().min(1).optional(),
    /** Time limit per cell (`--time`, e.g. "00:30:00"). */
    time: z.string().min(1).optional(),
    /** Memory per cell (`--mem`, e.g. "2G"). */
    mem: z.string().min(1).optional(),
    /** CPUs per cell (`--cpus-per-task`). Default 1. */
    cpusPerTask: z.number().int().min(1).default(1),
    /** Cells running at once (`--array=…%K`); unset: as many as the cluster allows. */
    maxConcurrent: z.number().int().min(1).optional(),
    /** Account (`--account`). */
    account: z.string().min(1).optional(),
  })
  .strict();
export type SlurmOptions = z.infer<typeof slurmOptionsSchema>;

export const sweepSpecSchema = z
  .object({
    /** Name of the sweep (job name on Slurm, report title). */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only').default('sweep'),
    /** One line on what the sweep asks. */
    description: z.string().default(''),
    /** Training config every cell starts from (omitted fields take their defaults). */
    base: z.record(z.string(), z.unknown()).default({}),
    /** Grid: dotted config path → values; every combination is a cell. */
    axes: z.record(z.string(), z.array(jsonValue).min(1)).optional(),
    /** Explicit cells instead of a grid: each an object of dotted path → value. */
    cells: z.array(z.record(z.string(), jsonValue)).min(1).optional(),
    /** Seeds; every cell runs once per seed. Default [1]. */
    seeds: z.array(z.number().int()).min(1).default([1]),
    /** tfjs backend of the training. Default auto. */
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    run: runSchema.default(runSchema.parse({})),
    analysis: z
      .object({
        /** Search for fixed points of each controller. Default true. */
        fixedPoints: z.boolean().default(true),
      })
      .strict()
      .default({ fixedPoints: true }),
    slurm: slurmOptionsSchema.default(slurmOptionsSchema.parse({})),
  })
  .strict()
  .refine((s) => !(s.axes && s.cells), { message: 'give either axes (a grid) or cells (an explicit list), not both' })
  .refine((s) => new Set(s.seeds).size === s.seeds.length, { message: 'seeds must be distinct', path: ['seeds'] });

export type SweepSpec = z.infer<typeof sweepSpecSchema>;

/** One cell of a sweep: its swept values, seed and resolved training config. */
export interface SweepCell {
  /** Position in the sweep (0-based); also the Slurm array task id. */
  index: number;
  /** Swept values by dotted path, in the spec's order. */
  values: Record<string, unknown>;
  seed: number;
  config: TrainConfig;
}

/** Validate a sweep spec (defaults filled in); throws naming every problem. */
export function parseSweepSpec(input: unknown, source = 'sweep spec'): SweepSpec {
  const r = sweepSpecSchema.safeParse(input, KEY_HINTS);
  if (!r.success) throw new Error(`${source}: ${formatIssues(r.error, '(spec)')}`);
  return r.data;
}

export function readSweepSpec(path: string): SweepSpec {
  return parseSweepSpec(readJsonFile(path), path);
}

/** The swept paths of a spec, in order (columns of results.csv). */
export function sweptPaths(spec: SweepSpec): string[] {
  if (spec.axes) return Object.keys(spec.axes);
  return [...new Set((spec.cells ?? []).flatMap((c) => Object.keys(c)))];
}

/** `path=value, …, seed=N`: how a cell is named in messages and the report. */
export function cellLabel(cell: Pick<SweepCell, 'values' | 'seed'>): string {
  const parts = Object.entries(cell.values).map(([p, v]) => `${p}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [...parts, `seed=${cell.seed}`].join(', ');
}

function grid(axes: Record<string, unknown[]>): Array<Record<string, unknown>> {
  let rows: Array<Record<string, unknown>> = [{}];
  for (const [path, values] of Object.entries(axes)) rows = rows.flatMap((row) => values.map((v) => ({ ...row, [path]: v })));
  return rows;
}

/** Expand a spec into its cells; throws on an unknown path, a swept seed, or a cell whose config is invalid. */
export function expandSweep(spec: SweepSpec): SweepCell[] {
  for (const path of sweptPaths(spec)) {
    if (path === 'seed') throw new Error("'seed' cannot be swept as a config path: list the seeds in \"seeds\"");
    const why = configPathError(trainConfigSchema, path);
    if (why) throw new Error(why);
  }
  const points = spec.axes ? grid(spec.axes) : (spec.cells ?? [{}]);
  const cells: SweepCell[] = [];
  for (const values of points) {
    for (const seed of spec.seeds) {
      let raw: Record<string, unknown> = spec.base;
      for (const [path, value] of Object.entries(values)) raw = setConfigPath(raw, path, value);
      raw = setConfigPath(raw, 'seed', seed);
      const cell = { index: cells.length, values, seed };
      let config: TrainConfig;
      try {
        config = parseTrainConfig(raw);
      } catch (err) {
        throw new Error(`cell ${cell.index} (${cellLabel(cell)}): ${(err as Error).message}`, { cause: err });
      }
      cells.push({ ...cell, config });
    }
  }
  return cells;
}
