/**
 * What a finished cell reports (result.json) and the sweep's table (results.csv): one row per cell,
 * the swept values and seed, then the headline figures of its training, reaches and population analysis.
 * Column names carry their unit (`_m`, `_s`, `_Hz`, `_per_s2`); columns without one are dimensionless.
 */
import { z } from 'zod';
import type { TrainingSummary } from '../../model/checkpoint.ts';
import type { RunAnalysis } from '../run-analysis.ts';

export interface MetricSources {
  analysis: RunAnalysis;
  training: TrainingSummary;
  /** Wall time of each stage of the cell (s). */
  seconds: Record<string, number>;
}

export interface MetricColumn {
  name: string;
  description: string;
  /** Wall-clock time: differs between runs of the same cell; every other column does not. */
  wallClock?: true;
  value: (s: MetricSources) => number;
}

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { name: 'train_seconds', description: 'training wall time (s)', wallClock: true, value: (s) => s.seconds.train },
  { name: 'cell_seconds', description: 'wall time of the whole cell: train, run, analyse, report (s)', wallClock: true, value: (s) => s.seconds.total },
  { name: 'final_loss', description: 'training loss, mean of the last 50 iterations', value: (s) => s.training.finalLoss.total },
  { name: 'train_endpoint_error_m', description: 'training batches: final hand-to-target distance, mean of the last 50 iterations (m)', value: (s) => s.training.endpointError },
  { name: 'endpoint_error_mean_m', description: 'closed-loop reaches: hand-to-target distance at the evaluation time, mean (m)', value: (s) => s.analysis.kinematics.meanEndpointError },
  { name: 'endpoint_error_max_m', description: 'closed-loop reaches: endpoint error, max (m)', value: (s) => s.analysis.kinematics.maxEndpointError },
  { name: 'straightness_mean', description: 'max distance from the start–target line / reach length, mean', value: (s) => s.analysis.kinematics.meanStraightness },
  { name: 'straightness_max', description: 'straightness, worst reach', value: (s) => s.analysis.kinematics.maxStraightness },
  { name: 'single_peaked_fraction', description: 'fraction of reaches with one speed peak', value: (s) => s.analysis.kinematics.singlePeakedFraction },
  { name: 'min_jerk_r', description: 'correlation of the speed profile with minimum jerk, mean', value: (s) => s.analysis.kinematics.meanMinJerkCorrelation },
  { name: 'reaction_time_s', description: 'go cue to movement onset, mean (s)', value: (s) => s.analysis.kinematics.meanReactionTime },
  { name: 'jpca_R2_Mskew_kD', description: 'jPCA: R² of the skew-symmetric fit, all planes', value: (s) => s.analysis.jpca.R2_Mskew_kD },
  { name: 'jpca_R2_Mbest_kD', description: 'jPCA: R² of the unconstrained fit, all planes', value: (s) => s.analysis.jpca.R2_Mbest_kD },
  { name: 'jpca_ratio', description: 'jPCA: R2_Mskew_kD / R2_Mbest_kD (1: purely rotational)', value: (s) => s.analysis.jpca.R2_Mskew_kD / s.analysis.jpca.R2_Mbest_kD },
  { name: 'jpca_rotation_Hz', description: 'jPCA: rotation frequency of the top plane (Hz)', value: (s) => s.analysis.jpca.rotationHz },
  { name: 'tangling_hidden_median_per_s2', description: 'median tangling Q of the hidden units (s⁻²)', value: (s) => s.analysis.tangling.hidden.summary.median },
  { name: 'tangling_torque_median_per_s2', description: 'median tangling Q of the joint torques (s⁻²)', value: (s) => s.analysis.tangling.torque.summary.median },
  { name: 'tangling_ratio', description: 'median tangling, torques / hidden units', value: (s) => s.analysis.tangling.medianRatio },
  { name: 'fraction_tuned', description: 'fraction of units cosine-tuned to the target direction', value: (s) => s.analysis.tuning.fractionTuned },
  { name: 'pd_bimodality_p', description: 'axial Rayleigh test of the preferred directions, p', value: (s) => s.analysis.tuning.pdAxial?.p ?? NaN },
  { name: 'prep_null_fraction', description: 'preparatory variance in the output-null space (fraction)', value: (s) => s.analysis.subspaces.prep.nullFraction },
  { name: 'alignment_index', description: 'alignment index of the preparatory and movement subspaces', value: (s) => s.analysis.subspaces.alignment.index },
  { name: 'alignment_index_random', description: 'alignment index of random subspaces, mean', value: (s) => s.analysis.subspaces.alignment.random.mean },
  { name: 'fixed_points', description: 'fixed points found under the hold input, all conditions', value: (s) => ('summary' in s.analysis.fixedPoints ? s.analysis.fixedPoints.summary.fixedPoints : NaN) },
  { name: 'stable_fixed_points', description: 'of which stable', value: (s) => ('summary' in s.analysis.fixedPoints ? s.analysis.fixedPoints.summary.stableFixedPoints : NaN) },
];

/** Columns of results.csv that hold wall-clock times. */
export const WALL_CLOCK_COLUMNS = METRIC_COLUMNS.filter((c) => c.wallClock).map((c) => c.name);

/** result.json: written last by a cell that finished. Non-finite figures are stored as null. */
export const cellResultSchema = z
  .object({
    index: z.number().int().min(0),
    values: z.record(z.string(), z.unknown()),
    seed: z.number().int(),
    backend: z.string(),
    iterations: z.number().int(),
    metrics: z.record(z.string(), z.number().nullable()),
    seconds: z.record(z.string(), z.number()),
    /** The cell's report, relative to the cell directory. */
    report: z.string(),
  })
  .strict();
export type CellResult = z.infer<typeof cellResultSchema>;

export function metricsOf(s: MetricSources): Record<string, number | null> {
  return Object.fromEntries(
    METRIC_COLUMNS.map((c) => {
      const v = c.value(s);
      return [c.name, Number.isFinite(v) ? v : null];
    }),
  );
}

/** One row of results.csv, for a cell finished or not. */
export interface ResultRow {
  cell: number;
  state: string;
  values: Record<string, unknown>;
  seed: number;
  result: CellResult | null;
  /** The cell's report, relative to the sweep directory. */
  report: string;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  // Numbers as the shortest decimal that reads back to the same double.
  const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** results.csv: `cell, state, <swept paths…>, seed, backend, iterations, <metrics…>, report`. */
export function resultsCsv(paths: readonly string[], rows: readonly ResultRow[]): string {
  const header = ['cell', 'state', ...paths, 'seed', 'backend', 'iterations', ...METRIC_COLUMNS.map((c) => c.name), 'report'];
  const lines = rows.map((r) =>
    [r.cell, r.state, ...paths.map((p) => r.values[p]), r.seed, r.result?.backend, r.result?.iterations, ...METRIC_COLUMNS.map((c) => r.result?.metrics[c.name]), r.result ? r.report : '']
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
