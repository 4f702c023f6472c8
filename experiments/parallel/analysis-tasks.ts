/**
 * The analysis's independent pieces that may run on other threads: pure functions of plain data, so a
 * piece gives the same numbers wherever it runs. `serialMap` runs them here; experiments/parallel/
 * task-pool.ts on worker threads (same functions, same inputs).
 */
import type { NetworkParams, NetworkSpec } from '../../model/network.ts';
import { findFixedPoints, type FixedPointSearch } from '../../model/fixed-points.ts';

export const ANALYSIS_TASKS = {
  /** Fixed-point search of one condition (model/fixed-points.ts). */
  fixedPoints: (a: { spec: NetworkSpec; params: NetworkParams; input: number[]; starts: number[] }): FixedPointSearch => findFixedPoints(a.spec, a.params, a.input, a.starts),
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
