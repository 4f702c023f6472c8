/**
 * An experiment's independent pieces that may run on other threads (closed-loop trials, fixed-point
 * searches, samples of the alignment baseline): pure functions of plain data, so a piece gives the same numbers wherever it runs.
 * `serialMap` runs them here; experiments/parallel/task-pool.ts on worker threads (same functions, same
 * inputs).
 */
import { checkpointBody, type Checkpoint } from '../../model/checkpoint.ts';
import { runClosedLoop, type ClosedLoopOptions, type Recording } from '../../model/closed-loop.ts';
import { randomAlignmentIndices, type AlignmentBaseline } from '../../model/analysis/subspace.ts';
import type { NetworkParams, NetworkSpec } from '../../model/network.ts';
import { findFixedPoints, type FixedPointSearch } from '../../model/fixed-points.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';

export const ANALYSIS_TASKS = {
  /** Fixed-point search of one condition (model/fixed-points.ts). */
  fixedPoints: (a: { spec: NetworkSpec; params: NetworkParams; input: number[]; starts: number[] }): FixedPointSearch => findFixedPoints(a.spec, a.params, a.input, a.starts),
  /** Samples from … from + count − 1 of the alignment index's chance distribution (model/analysis/subspace.ts). */
  alignmentSamples: (a: { baseline: AlignmentBaseline; seed: number; from: number; count: number }): Float64Array => randomAlignmentIndices(a.baseline, a.seed, a.from, a.count),
  /** A piece of a closed-loop run: the checkpoint's controller on its body (model/closed-loop.ts). */
  closedLoop: (a: { ck: Pick<Checkpoint, 'arm' | 'muscles' | 'network' | 'params'>; trials: TrialBatch; opts: ClosedLoopOptions; seed: number }): Recording =>
    runClosedLoop(checkpointBody(a.ck), a.ck.network, a.ck.params, a.trials, a.opts, a.seed),
};

export type AnalysisTaskName = keyof typeof ANALYSIS_TASKS;
export type AnalysisTaskInput<K extends AnalysisTaskName> = Parameters<(typeof ANALYSIS_TASKS)[K]>[0];
export type AnalysisTaskOutput<K extends AnalysisTaskName> = ReturnType<(typeof ANALYSIS_TASKS)[K]>;

/** Run a batch of independent tasks, returning their results in input order (synchronously). */
export type ParallelMap = <K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>) => Array<AnalysisTaskOutput<K>>;

/** Every task in this thread, one after another. */
export function serialMap<K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>): Array<AnalysisTaskOutput<K>> {
  const task = ANALYSIS_TASKS[name] as (input: AnalysisTaskInput<K>) => AnalysisTaskOutput<K>;
  return inputs.map((input) => task(input));
}
