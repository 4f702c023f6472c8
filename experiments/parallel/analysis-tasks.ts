/**
 * An experiment's independent pieces that may run on other threads (closed-loop trials, fixed-point
 * searches from one start, linearisations, the subspace splits, samples of the alignment baseline): pure
 * functions of plain data, so a piece gives the same numbers wherever it runs. `serialTasks` runs them
 * here; experiments/parallel/task-pool.ts on worker threads and the calling thread (same functions,
 * same inputs).
 */
import type { Checkpoint } from '../../model/checkpoint.ts';
import { runClosedLoop, type ClosedLoopOptions, type Recording } from '../../model/closed-loop.ts';
import type { Matrix } from '../../model/analysis/linalg.ts';
import { alignmentBaseline, alignmentIndex, potentNullSplit, randomAlignmentIndices, type AlignmentBaseline, type AlignmentResult, type PotentNullSplit } from '../../model/analysis/subspace.ts';
import type { NetworkParams, NetworkSpec } from '../../model/network.ts';
import { fixedPointStart, linearizeAt, stepMap, type Linearization, type Minimum, type StepMap } from '../../model/fixed-points.ts';
import { bodyOf } from '../../sim/body.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';
import { mark } from './timeline.ts';

/** A network under a constant input (the fixed-point pieces' common part). */
export interface HeldNetwork {
  spec: NetworkSpec;
  params: NetworkParams;
  input: number[];
}

/**
 * The step map of a held network, one per (params, input) pair of objects: the tasks of one search share
 * them (a batch's message keeps shared objects shared), and a new map is new code for V8 to optimise
 * again. Keyed by the weights too, so one input array held under two networks gets two maps.
 */
const maps = new WeakMap<NetworkParams, WeakMap<number[], StepMap>>();
function heldMap(a: HeldNetwork): StepMap {
  let byInput = maps.get(a.params);
  if (!byInput) maps.set(a.params, (byInput = new WeakMap()));
  let map = byInput.get(a.input);
  if (!map) byInput.set(a.input, (map = stepMap(a.spec, a.params, a.input)));
  return map;
}

export const ANALYSIS_TASKS = {
  /** The minimum reached from start `s` of a fixed-point search (model/fixed-points.ts). */
  fixedPointStart: (a: HeldNetwork & { starts: number[]; s: number }): Minimum => fixedPointStart(heldMap(a), a.starts, a.s),
  /** The linearisation of the network around one point of a fixed-point search (model/fixed-points.ts). */
  linearize: (a: HeldNetwork & { state: Float64Array }): Linearization => linearizeAt(heldMap(a), a.state),
  /** Output-potent / output-null split of one epoch's activity (model/analysis/subspace.ts). */
  potentNullSplit: (a: { activity: Matrix; wOut: Matrix }): PotentNullSplit => potentNullSplit(a.activity, a.wOut),
  /** Alignment index of two epochs and the sampler of its chance distribution (model/analysis/subspace.ts). */
  alignment: (a: { prep: Matrix; move: Matrix; k: number }): { index: AlignmentResult; baseline: AlignmentBaseline } => ({
    index: alignmentIndex(a.prep, a.move, a.k),
    baseline: alignmentBaseline(a.prep, a.move, a.k),
  }),
  /** Samples from … from + count − 1 of the alignment index's chance distribution (model/analysis/subspace.ts). */
  alignmentSamples: (a: { baseline: AlignmentBaseline; seed: number; from: number; count: number }): Float64Array => randomAlignmentIndices(a.baseline, a.seed, a.from, a.count),
  /** A piece of a closed-loop run: the checkpoint's controller on its body (model/closed-loop.ts). */
  closedLoop: (a: { ck: Pick<Checkpoint, 'arm' | 'muscles' | 'network' | 'params'>; trials: TrialBatch; opts: ClosedLoopOptions; seed: number }): Recording =>
    // bodyOf, as checkpointBody: the task workers need not load model/checkpoint.ts (and the training code it imports).
    runClosedLoop(bodyOf(a.ck.arm, a.ck.muscles), a.ck.network, a.ck.params, a.trials, a.opts, a.seed),
};

export type AnalysisTaskName = keyof typeof ANALYSIS_TASKS;
export type AnalysisTaskInput<K extends AnalysisTaskName> = Parameters<(typeof ANALYSIS_TASKS)[K]>[0];
export type AnalysisTaskOutput<K extends AnalysisTaskName> = ReturnType<(typeof ANALYSIS_TASKS)[K]>;

/** Run one task here. */
export function runTask<K extends AnalysisTaskName>(name: K, input: AnalysisTaskInput<K>): AnalysisTaskOutput<K> {
  return (ANALYSIS_TASKS[name] as (input: AnalysisTaskInput<K>) => AnalysisTaskOutput<K>)(input);
}

/** Run a batch of independent tasks, returning their results in input order (synchronously). */
export type ParallelMap = <K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>) => Array<AnalysisTaskOutput<K>>;

/** Tasks handed out now whose results are collected later; wait() returns them in input order (and throws a task's error). */
export interface PendingTasks<T> {
  wait(): T[];
}

/** Where an analysis runs its pieces: a batch at once (`map`), or handed out early and collected when needed (`submit`). */
export interface Parallel {
  map: ParallelMap;
  submit<K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>): PendingTasks<AnalysisTaskOutput<K>>;
}

/** Every task in this thread, one after another. */
export function serialMap<K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>): Array<AnalysisTaskOutput<K>> {
  const out = inputs.map((input, i) => {
    mark(`${name} ${i}`);
    return runTask(name, input);
  });
  mark(`${name} done`);
  return out;
}

/** This thread alone: a submitted batch runs when its results are first asked for. */
export const serialTasks: Parallel = {
  map: serialMap,
  submit(name, inputs) {
    let out: Array<AnalysisTaskOutput<typeof name>> | null = null;
    return { wait: () => (out ??= serialMap(name, inputs)) };
  },
};
