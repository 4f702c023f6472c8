/**
 * Analysis of a run directory, the way motor-cortex recordings are analysed:
 *
 * - trials are aligned on movement onset (10 % of peak hand speed; the go cue when a trial has no
 *   onset) and averaged within each condition (center-out target), giving [conditions, times, units]
 *   cubes of hidden activity, torques and inputs;
 * - PCA of the hidden units over the whole aligned window (trajectories for PC1–PC2);
 * - jPCA (Churchland et al. 2012) from 50 ms before to 200 ms after movement onset: Churchland et al.
 *   analysed −50…+150 ms of monkey data; the reaches here last ~0.3–0.5 s, so the window runs 50 ms
 *   further to cover the speed peak;
 * - cosine tuning (Georgopoulos 1982) of the mean activity 0…200 ms after onset against the target
 *   direction, and the axial Rayleigh test of the preferred directions (Lillicrap & Scott 2013);
 * - tangling (Russo et al. 2018) of the hidden units and of the joint torques over −100…+500 ms, with
 *   identical settings (8 PCs or all there are, ε = 0.1 × variance, 20 ms step), paired point by point;
 * - output-null / output-potent variance (Kaufman et al. 2014) of the preparatory epoch (the 200 ms
 *   before the go cue, go-aligned) and the movement epoch (−50…+250 ms around onset), with the readout
 *   W_out of the run, and the alignment index of the two epochs' subspaces (Elsayed et al. 2016) against
 *   its random-subspace distribution;
 * - reach kinematics (Flash & Hogan 1985 minimum-jerk comparison);
 * - fixed points of the controller (Sussillo & Barak 2013) under each condition's hold input (the mean
 *   input over the preparatory epoch), when the checkpoint is available;
 * - with muscles (a run holding muscle_activation): tangling of the muscle activations with the same
 *   settings as the hidden units' (Russo et al. 2018: cortex ≪ muscles), cosine tuning and the axial
 *   Rayleigh test of the muscles' preferred directions, and the PD axis limb mechanics predict at the
 *   start posture (model/analysis/limb-axis.ts: the hand-acceleration direction that needs the largest
 *   joint torques, M J⁻¹ a; Lillicrap & Scott 2013), compared with the units' and the muscles' axes.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createRng, normal } from '../core/random.ts';
import { reachMetrics } from '../model/analysis/kinematics.ts';
import { axisDifference, limbAxes, type LimbAxes } from '../model/analysis/limb-axis.ts';
import { axialRayleighTest, type AxialRayleighResult } from '../model/analysis/stats.ts';
import { matrix, type Matrix } from '../model/analysis/linalg.ts';
import { columnMeans, percentile, stackWindow, type Shape3 } from '../model/analysis/population.ts';
import type { PotentNullSplit } from '../model/analysis/subspace.ts';
import type { Checkpoint } from '../model/checkpoint.ts';
import { fixedPointSearch, mergeMinima, type Minimum } from '../model/fixed-points.ts';
import { stateSize } from '../model/network.ts';
import { parseArmParams } from '../sim/arm-params.ts';
import { inverseKinematics, jacobian, massMatrix } from '../sim/skeleton.ts';
import { analyzeActivity, jpcaOptionsFor, tanglingOptionsFor, type AnalysisResult, type AnalyzeOptions } from './analyze.ts';
import { DEFAULT_NULL, DEFAULT_SURROGATES, formatNullAnalysis, nullAnalysis, type NullAnalysis, type NullChoice } from './null-analysis.ts';
import { serialTasks, type HeldNetwork, type Parallel, type PendingTasks } from './parallel/analysis-tasks.ts';
import { mark } from './parallel/timeline.ts';
import { getRunArray, type RunData } from './run-dir.ts';
import { fullState, selectState } from './run-state.ts';
import { loadCheckpointFile } from './training.ts';

/** A time window relative to an event (s, inclusive). */
export type Window = readonly [number, number];

/** Options of {@link analyzeRun}; windows are in s relative to movement onset unless stated. */
export interface RunAnalysisOptions {
  /** Onset-aligned window kept for PCA, trajectories and figures (s, default [−0.25, 0.6]; clipped to what every trial holds). */
  alignedWindow: Window;
  /** jPCA window (s, default [−0.05, 0.2]). */
  jpcaWindow: Window;
  /** Number of jPCA PCs, even (default 6). */
  jpcaPcs: number;
  /** PCA components reported (default 10). */
  pcaComponents: number;
  /** Soft normalisation x/(range + c) for PCA, jPCA and tangling; null = none (default: hidden units are tanh activity, not rates). */
  softNorm: number | null;
  /** Tuning window (s, default [0, 0.2]). */
  tuningWindow: Window;
  /** Significance level of the tuning F-test (default 0.05). */
  tuningAlpha: number;
  /** Tangling window (s, default [−0.1, 0.5]). */
  tanglingWindow: Window;
  /** Tangling PCs (default 8, as tangleAnalysis.m). */
  tanglingPcs: number;
  /** Preparatory epoch relative to the go cue (s, default [−0.2, 0]). */
  prepWindow: Window;
  /** Movement epoch (s, default [−0.05, 0.25]). */
  moveWindow: Window;
  /** Subspace dimensions of the alignment index (default 6). */
  alignmentDims: number;
  /** Random subspaces drawn for the alignment-index baseline (default 1000). */
  alignmentSamples: number;
  /** Seed of the random subspaces and fixed-point start perturbations (default 1). */
  seed: number;
  /** Controller whose fixed points are sought (its hidden size must match the run); null: skip. */
  checkpoint: Checkpoint | null;
  /** Where the checkpoint came from (recorded in the result). */
  checkpointPath?: string;
  /** Why there is no checkpoint (recorded when `checkpoint` is null). */
  checkpointMissingReason?: string;
  /** Starting states per condition for the fixed-point search (default 6). */
  fixedPointStarts: number;
  /** Null model of the analysed units' jPCA and tangling (null-analysis.ts): 'tme', 'cmpt' or 'none' (default 'none', see DEFAULT_NULL). */
  nullModel: NullChoice;
  /** Surrogates drawn for the null model (default 100). */
  surrogates: number;
  /** State blocks analysed (experiments/run-state.ts): 'h' (default), or for an LSTM 'c' or 'hc'. Fixed points are always sought on the whole state. */
  state: string;
}

export const DEFAULT_RUN_ANALYSIS_OPTIONS: RunAnalysisOptions = {
  alignedWindow: [-0.25, 0.6],
  jpcaWindow: [-0.05, 0.2],
  jpcaPcs: 6,
  pcaComponents: 10,
  softNorm: null,
  tuningWindow: [0, 0.2],
  tuningAlpha: 0.05,
  tanglingWindow: [-0.1, 0.5],
  tanglingPcs: 8,
  prepWindow: [-0.2, 0],
  moveWindow: [-0.05, 0.25],
  alignmentDims: 6,
  alignmentSamples: 1000,
  seed: 1,
  checkpoint: null,
  fixedPointStarts: 6,
  nullModel: DEFAULT_NULL,
  surrogates: DEFAULT_SURROGATES,
  state: 'h',
};

/** One condition of the analysis. */
export interface ConditionInfo {
  /** Condition id in the run (−1-free: random reaches get one condition per trial, numbered by trial). */
  condition: number;
  /** Target direction (rad, from +x). */
  angle: number;
  target: [number, number];
  start: [number, number];
  /** Trial ids averaged into this condition. */
  trials: number[];
}

/** Fixed points under one condition's hold input. */
export interface ConditionFixedPoints {
  condition: number;
  /** The constant input used (mean input over the preparatory epoch): [inputs]. */
  input: number[];
  /** The recorded preparatory state (mean over the last 50 ms before go) on the hidden PCs (first 3). */
  prepStatePc: number[];
  points: Array<{
    q: number;
    isFixedPoint: boolean;
    stable: boolean;
    maxAbsEigenvalue: number;
    unstableModes: number;
    starts: number;
    /** Top eigenvalues of the step map (by |λ|, at most 10). */
    topEigenvalues: { re: number[]; im: number[] };
    /** The same as continuous-time eigenvalues (λ − 1)/dt (1/s). */
    topContinuousEigenvalues: { re: number[]; im: number[] };
    /** Slowest-decaying rotational mode, if any. */
    slowestRotation: { frequencyHz: number; decayRate: number; absEigenvalue: number } | null;
    /** Number of complex-conjugate pairs. */
    rotationalModes: number;
    /** Projection on the hidden PCs (first 3). */
    pc: number[];
    /** Distance to the recorded preparatory state (mean over the last 50 ms before go) of this condition (activity units). */
    distanceToPrepState: number;
    state: number[];
  }>;
  failedStarts: number;
}

/** The analysis of a run directory (JSON-ready). */
export interface RunAnalysis {
  kind: 'reach-run-analysis';
  version: 1;
  run: { dir: string; trials: number; conditions: number; units: number; dt: number; task: string | null; engine: string | null };
  options: Omit<RunAnalysisOptions, 'checkpoint' | 'checkpointPath' | 'checkpointMissingReason'>;
  alignment: {
    /** Event each trial was aligned on. */
    event: 'movement_onset';
    /** Trials aligned on the go cue because they had no movement onset. */
    goFallbackTrials: number[];
    /** Catch trials and trials with neither onset nor go cue, left out. */
    excludedTrials: number[];
    /** Onset-aligned window actually kept (s) and its sample times (s, relative to onset). */
    window: [number, number];
    times: number[];
    /** Go-aligned preparatory window kept (s, relative to go). */
    prepWindow: [number, number];
    /** Sample index of the alignment event in each analysed trial. */
    eventIndex: Array<{ trial: number; condition: number; index: number; goIndex: number }>;
  };
  conditions: ConditionInfo[];
  kinematics: {
    /** Endpoint error from trials.json (m): mean and max over analysed trials. */
    meanEndpointError: number;
    maxEndpointError: number;
    meanPeakSpeed: number;
    meanReactionTime: number;
    meanDuration: number;
    meanStraightness: number;
    maxStraightness: number;
    singlePeakedFraction: number;
    meanMinJerkCorrelation: number;
    /** Reach length (m), mean. */
    meanReachLength: number;
  };
  pca: NonNullable<AnalysisResult['pca']> & { window: [number, number]; mean: number[] };
  jpca: NonNullable<AnalysisResult['jpca']> & { window: [number, number] };
  tuning: NonNullable<AnalysisResult['tuning']> & {
    window: [number, number];
    /** Mean activity per condition and unit in the tuning window: [conditions][units]. */
    responses: number[][];
    /** The most strongly tuned units (by R²), for figures. */
    exampleUnits: number[];
  };
  tangling: {
    window: [number, number];
    hidden: NonNullable<AnalysisResult['tangling']>;
    torque: NonNullable<AnalysisResult['tangling']>;
    /** median Q_torque / median Q_hidden. */
    medianRatio: number;
    /** Fraction of paired points with Q_torque > Q_hidden. */
    fractionTorqueMoreTangled: number;
  };
  subspaces: {
    readoutRank: number;
    prep: PotentNullSplit & { window: [number, number] };
    move: PotentNullSplit & { window: [number, number] };
    /** Preparatory / movement variance in each space. */
    prepToMovePotentRatio: number;
    prepToMoveNullRatio: number;
    /** Null fraction an isotropic (direction-blind) population would have: (units − rank)/units. */
    chanceNullFraction: number;
    alignment: {
      index: number;
      k: number;
      prepVarianceFraction: number;
      movementVarianceFraction: number;
      random: { mean: number; p5: number; p95: number; samples: number };
      /** Fraction of random subspaces with an index at or below the observed one. */
      fractionRandomBelow: number;
      /** The random indices (for the histogram). */
      randomIndices: number[];
    };
  };
  fixedPoints:
    | {
        checkpoint: string;
        inputKind: 'hold';
        conditions: ConditionFixedPoints[];
        summary: {
          fixedPoints: number;
          stableFixedPoints: number;
          slowPoints: number;
          /** Mean over conditions of the distance from the recorded preparatory state to the nearest stable fixed point (activity units). */
          meanPrepDistanceToStable: number;
          /** Mean distance between the preparatory states of different conditions (activity units), for scale. */
          meanPrepSpread: number;
          /** Wall time from handing out the search to collecting it (s); the rest of the analysis runs meanwhile. */
          seconds: number;
        };
      }
    | { skipped: string };
  /** jPCA and tangling of the analysed units against surrogates fitted to the whole aligned window (`fitWindow`, s); null when not asked for. */
  nullModel: (NullAnalysis & { fitWindow: [number, number] }) | null;
  /** Muscle bodies only (runs with muscle_activation). */
  muscles?: MuscleAnalysis;
  summary: Record<string, number>;
}

/** Tangling and tuning of the muscles, and the limb-mechanics axis of preferred directions. */
export interface MuscleAnalysis {
  names: string[];
  /** Tangling of the muscle activations, paired point by point with the hidden units' (same window and settings). */
  tangling: {
    activation: NonNullable<AnalysisResult['tangling']>;
    /** median Q_muscles / median Q_hidden. */
    medianRatio: number;
    /** Fraction of paired points with Q_muscles > Q_hidden. */
    fractionMuscleMoreTangled: number;
  };
  /** Cosine tuning of the mean activation in the units' tuning window (its pdAxial counts tuned muscles only). */
  tuning: NonNullable<AnalysisResult['tuning']>;
  /** Axial Rayleigh test on the PDs of all the muscles (six angles: the F-test on 8 condition means rarely passes for a muscle). */
  pdAxial: AxialRayleighResult;
  /** Limb mechanics at the start posture (joint angles, rad) and the axes (rad, [0, π), from +x) they predict. */
  limb: LimbAxes & {
    posture: [number, number];
    /** The units' PD axis (axial Rayleigh mean axis of tuned units; NaN when fewer than 2 are tuned) and the muscles' (all muscles). */
    unitAxis: number;
    muscleAxis: number;
    /** Angles between axes (rad, [0, π/2]). */
    unitVsTorqueDemand: number;
    muscleVsTorqueDemand: number;
    unitVsMuscle: number;
  };
}

/** Condition-averaged cube of `array: [trials, times, last]` aligned on per-trial event indices, for offsets k0…k1 (samples). */
function alignedCube(data: ArrayLike<number>, T: number, last: number, groups: number[][], eventIndex: Map<number, number>, k0: number, k1: number): Float64Array {
  const w = k1 - k0 + 1;
  const out = new Float64Array(groups.length * w * last);
  groups.forEach((trials, c) => {
    for (const tr of trials) {
      const e = eventIndex.get(tr)!;
      for (let k = 0; k < w; k++) {
        const src = (tr * T + e + k0 + k) * last;
        const dst = (c * w + k) * last;
        for (let j = 0; j < last; j++) out[dst + j] += data[src + j] / trials.length;
      }
    }
  });
  return out;
}

const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
/** Samples of the alignment baseline per piece handed to `parallel` (the values do not depend on it). */
const ALIGNMENT_PIECE = 125;
const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** Inclusive sample offsets [k0, k1] of `w` (s) at step dt, clipped to [lo, hi]; throws naming `what` when nothing is left. */
function offsets(w: Window, dt: number, lo: number, hi: number, what: string): [number, number] {
  if (!(w[1] > w[0])) throw new Error(`${what} window [${w[0]}, ${w[1]}] s must have end > start`);
  const k0 = Math.max(Math.round(w[0] / dt), lo);
  const k1 = Math.min(Math.round(w[1] / dt), hi);
  if (k1 - k0 < 2) throw new Error(`${what} window [${w[0]}, ${w[1]}] s leaves ${Math.max(0, k1 - k0 + 1)} samples inside every trial; at least 3 are needed`);
  return [k0, k1];
}

/** Analyse a run read by readRunDir (see the module note). */
/**
 * `parallel` runs the independent pieces (fixed-point searches from each start and the linearisations
 * of the points found, the output-null splits and alignment index, samples of the alignment baseline):
 * here by default, or on worker threads (experiments/parallel/task-pool.ts) with the same numbers. They
 * are handed out as soon as their inputs exist, so other threads compute them while this one does the
 * rest of the analysis.
 */
export function analyzeRun(run: RunData, opts: RunAnalysisOptions = DEFAULT_RUN_ANALYSIS_OPTIONS, parallel: Parallel = serialTasks): RunAnalysis {
  return startRunAnalysis(run, opts, parallel).finish();
}

/** A run's analysis but for the fixed points (and the summary, which counts them). */
export type AnalysisBeforeFixedPoints = Omit<RunAnalysis, 'fixedPoints' | 'summary'>;

/** The part of the analysis that describes the run itself (trials, alignment, reach kinematics): known before the population analysis starts. */
export type RunPartOfAnalysis = Pick<RunAnalysis, 'run' | 'alignment' | 'conditions' | 'kinematics'>;

/** An analysis whose fixed-point search is still running on the threads of `parallel`. */
export interface RunAnalysisInProgress {
  /** Everything else, done. */
  partial: AnalysisBeforeFixedPoints;
  /** Collect the fixed points (this thread takes search tasks while it waits) and return the whole analysis. */
  finish(): RunAnalysis;
}

/**
 * {@link analyzeRun} up to the fixed points, whose search goes on meanwhile (on other threads, when
 * `parallel` has them). `onRunPart` is given the run's part of the analysis as soon as it is known,
 * before the population analysis (so that its figures can be drawn meanwhile).
 */
export function startRunAnalysis(
  run: RunData,
  opts: RunAnalysisOptions = DEFAULT_RUN_ANALYSIS_OPTIONS,
  parallel: Parallel = serialTasks,
  onRunPart?: (part: RunPartOfAnalysis) => void,
): RunAnalysisInProgress {
  const o = { ...DEFAULT_RUN_ANALYSIS_OPTIONS, ...opts };
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt(o.alignmentDims, 'alignmentDims');
  positiveInt(o.alignmentSamples, 'alignmentSamples');
  positiveInt(o.fixedPointStarts, 'fixedPointStarts');
  positiveInt(o.tanglingPcs, 'tanglingPcs');
  positiveInt(o.pcaComponents, 'pcaComponents');
  const dt = run.dt;
  const hidden = selectState(run, o.state);
  const torques = getRunArray(run, 'torques');
  const inputs = getRunArray(run, 'inputs');
  const [B, T] = getRunArray(run, 'hidden').shape;
  const U = hidden.units;
  const nIn = inputs.shape[2];

  // Trials → conditions and alignment events.
  const eventIndex = new Map<number, number>();
  const goIndex = new Map<number, number>();
  const goFallback: number[] = [];
  const excluded: number[] = [];
  const byCondition = new Map<number, ConditionInfo>();
  run.trials.forEach((t, b) => {
    if (t.catch || t.go_time === null) {
      excluded.push(t.trial);
      return;
    }
    const go = Math.round(t.go_time / dt);
    let e: number;
    if (t.movement_onset !== null) e = Math.round(t.movement_onset / dt);
    else {
      e = go;
      goFallback.push(t.trial);
    }
    eventIndex.set(b, Math.min(Math.max(e, 0), T - 1));
    goIndex.set(b, Math.min(Math.max(go, 0), T - 1));
    const key = t.condition >= 0 ? t.condition : 1_000_000 + b;
    let c = byCondition.get(key);
    if (!c) {
      c = { condition: t.condition >= 0 ? t.condition : t.trial, angle: t.target_angle, target: t.target, start: t.start, trials: [] };
      byCondition.set(key, c);
    }
    c.trials.push(b);
  });
  const conditions = [...byCondition.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  if (conditions.length < 4) throw new Error(`run ${run.dir}: ${conditions.length} analysable conditions; the analysis needs at least 4 (e.g. the 8 center-out targets)`);
  const groups = conditions.map((c) => c.trials);
  const nc = conditions.length;
  const analysed = groups.flat();

  // Clip the windows to what every trial holds.
  const ev = analysed.map((b) => eventIndex.get(b)!);
  const gv = analysed.map((b) => goIndex.get(b)!);
  const loE = -Math.min(...ev);
  const hiE = T - 1 - Math.max(...ev);
  const [a0, a1] = offsets(o.alignedWindow, dt, loE, hiE, 'aligned');
  const [p0, p1] = offsets(o.prepWindow, dt, -Math.min(...gv), T - 1 - Math.max(...gv), 'preparatory');
  const nt = a1 - a0 + 1;
  const times = Array.from({ length: nt }, (_, i) => round((a0 + i) * dt));
  const within = (w: Window, what: string): Window => {
    const [k0, k1] = offsets(w, dt, a0, a1, what);
    return [round(k0 * dt), round(k1 * dt)];
  };

  const hCube = alignedCube(hidden.data, T, U, groups, eventIndex, a0, a1);
  const tCube = alignedCube(torques.data, T, torques.shape[2], groups, eventIndex, a0, a1);
  const prepH = alignedCube(hidden.data, T, U, groups, goIndex, p0, p1);
  const prepX = alignedCube(inputs.data, T, nIn, groups, goIndex, p0, p1);
  const shape: Shape3 = [nc, nt, U];
  const angles = conditions.map((c) => c.angle);
  const jw = within(o.jpcaWindow, 'jPCA');
  const tw = within(o.tuningWindow, 'tuning');
  const gw = within(o.tanglingWindow, 'tangling');
  const mw = within(o.moveWindow, 'movement');

  // Subspaces (go-aligned preparatory epoch vs onset-aligned movement epoch) and fixed points are handed out first: they take longest.
  const [m0, m1] = [Math.round(mw[0] / dt) - a0, Math.round(mw[1] / dt) - a0];
  const prepMat = stackWindow(prepH, [nc, p1 - p0 + 1, U], 0, p1 - p0);
  const moveMat = stackWindow(hCube, shape, m0, m1);
  const wOut: Matrix = matrix(hidden.outputs, U, hidden.readout);
  const k = Math.min(o.alignmentDims, U);
  // The alignment index first: its baseline's samples wait for it.
  const aligning = parallel.submit('alignment', [{ prep: prepMat, move: moveMat, k }]);
  const splitting = parallel.submit('potentNullSplit', [{ activity: prepMat, wOut }, { activity: moveMat, wOut }]);
  let searching: FixedPointsStarted | null = null;
  if (o.checkpoint) {
    // Fixed points live in the whole state (h and c for an LSTM), whatever part is analysed.
    const full = fullState(run);
    const S = full.units;
    const cubes = full.key === hidden.key ? { prep: prepH, cube: hCube } : { prep: alignedCube(full.data, T, S, groups, goIndex, p0, p1), cube: alignedCube(full.data, T, S, groups, eventIndex, a0, a1) };
    searching = startFixedPoints(o, parallel, o.checkpoint, conditions, cubes.prep, prepX, [p0, p1], cubes.cube, nt, S, nIn);
  }
  mark('analysis: cubes');
  const config = run.config as { options?: { task?: string; engine?: string } };
  const runPart: RunPartOfAnalysis = {
    run: { dir: run.dir, trials: B, conditions: nc, units: U, dt, task: config.options?.task ?? null, engine: config.options?.engine ?? null },
    alignment: {
      event: 'movement_onset',
      goFallbackTrials: goFallback,
      excludedTrials: excluded,
      window: [times[0], times[nt - 1]],
      times,
      prepWindow: [round(p0 * dt), round(p1 * dt)],
      eventIndex: analysed.map((b) => ({ trial: run.trials[b].trial, condition: run.trials[b].condition, index: eventIndex.get(b)!, goIndex: goIndex.get(b)! })),
    },
    conditions,
    kinematics: kinematics(run, analysed, goIndex),
  };
  onRunPart?.(runPart);

  // PCA over the whole aligned window.
  const pcaR = analyzeActivity(hCube, shape, { dt, times, analyses: ['pca'], pcaComponents: Math.min(o.pcaComponents, U), softNorm: o.softNorm }).pca!;
  const pcaMean = columnMeans(stackWindow(hCube, shape, 0, nt - 1));

  mark('analysis: pca');
  const jpcaOpts: AnalyzeOptions = { dt, times, window: jw, analyses: ['jpca'], jpcaPcs: o.jpcaPcs, softNorm: o.softNorm };
  const jpcaR = analyzeActivity(hCube, shape, jpcaOpts).jpca!;

  mark('analysis: jpca');
  const tuningR = analyzeActivity(hCube, shape, { dt, times, window: tw, analyses: ['tuning'], angles, tuningAlpha: o.tuningAlpha }).tuning!;
  const [tf, tl] = [Math.round(tw[0] / dt) - a0, Math.round(tw[1] / dt) - a0];
  const responses = conditions.map((_, c) =>
    Array.from({ length: U }, (_, j) => {
      let s = 0;
      for (let k = tf; k <= tl; k++) s += hCube[(c * nt + k) * U + j];
      return s / (tl - tf + 1);
    }),
  );
  const exampleUnits = Array.from({ length: U }, (_, j) => j)
    .sort((a, b) => tuningR.r2[b] * tuningR.modulationDepth[b] - tuningR.r2[a] * tuningR.modulationDepth[a])
    .slice(0, Math.min(6, U));

  mark('analysis: tuning');
  const tangOpts: AnalyzeOptions = { dt, times, window: gw, analyses: ['tangling'], tanglingPcs: o.tanglingPcs, softNorm: o.softNorm };
  const tangH = analyzeActivity(hCube, shape, tangOpts).tangling!;
  const tangT = analyzeActivity(tCube, [nc, nt, torques.shape[2]], tangOpts).tangling!;
  const nullModel =
    o.nullModel === 'none'
      ? null
      : {
          ...nullAnalysis(hCube, shape, { method: o.nullModel, surrogates: o.surrogates, seed: o.seed + 2 }, { jpca: jpcaOptionsFor(jpcaOpts, nt), tangling: tanglingOptionsFor(tangOpts, nt) }),
          fitWindow: [times[0], times[nt - 1]] as [number, number],
        };
  mark('analysis: tangling');
  let above = 0;
  for (let i = 0; i < tangH.Q.length; i++) if (tangT.Q[i] > tangH.Q[i]) above++;
  const muscles = run.byName.muscle_activation
    ? muscleAnalysis(run, conditions, groups, eventIndex, T, [a0, a1], { ...tangOpts, tanglingPcs: Math.min(o.tanglingPcs, run.byName.muscle_activation.shape[2]) }, tangH, {
        dt,
        times,
        window: tw,
        analyses: ['tuning'],
        angles,
        tuningAlpha: o.tuningAlpha,
      }, tuningR)
    : undefined;

  mark('analysis: muscles');
  const [{ index: align, baseline }] = aligning.wait();
  mark('analysis: subspaces');
  const pieces = Array.from({ length: Math.ceil(o.alignmentSamples / ALIGNMENT_PIECE) }, (_, i) => ({ baseline, seed: o.seed, from: i * ALIGNMENT_PIECE, count: Math.min(ALIGNMENT_PIECE, o.alignmentSamples - i * ALIGNMENT_PIECE) }));
  const sampling = parallel.submit('alignmentSamples', pieces);
  const [prepSplit, moveSplit] = splitting.wait();
  mark('analysis: splits');
  const rnd = sampling.wait().flatMap((piece) => [...piece]);
  let below = 0;
  for (const v of rnd) if (v <= align.index) below++;

  mark('analysis: baseline');

  const { checkpoint: _c, checkpointPath: _p, checkpointMissingReason: _r, ...optionsOut } = o;
  const partial: AnalysisBeforeFixedPoints = {
    kind: 'reach-run-analysis',
    version: 1,
    run: runPart.run,
    options: optionsOut,
    alignment: runPart.alignment,
    conditions,
    kinematics: runPart.kinematics,
    pca: { ...pcaR, window: [times[0], times[nt - 1]], mean: Array.from(pcaMean) },
    jpca: { ...jpcaR, window: [jw[0], jw[1]] },
    tuning: { ...tuningR, window: [tw[0], tw[1]], responses, exampleUnits },
    tangling: {
      window: [gw[0], gw[1]],
      hidden: tangH,
      torque: tangT,
      medianRatio: tangT.summary.median / tangH.summary.median,
      fractionTorqueMoreTangled: tangH.Q.length ? above / tangH.Q.length : NaN,
    },
    subspaces: {
      readoutRank: prepSplit.rank,
      prep: { ...prepSplit, window: [round(p0 * dt), round(p1 * dt)] },
      move: { ...moveSplit, window: [mw[0], mw[1]] },
      prepToMovePotentRatio: prepSplit.potentVariance / moveSplit.potentVariance,
      prepToMoveNullRatio: prepSplit.nullVariance / moveSplit.nullVariance,
      chanceNullFraction: (U - prepSplit.rank) / U,
      alignment: {
        index: align.index,
        k,
        prepVarianceFraction: align.prepVarianceFraction,
        movementVarianceFraction: align.movementVarianceFraction,
        random: { mean: mean(Array.from(rnd)), p5: percentile(rnd, 5), p95: percentile(rnd, 95), samples: rnd.length },
        fractionRandomBelow: rnd.length ? below / rnd.length : NaN,
        randomIndices: Array.from(rnd),
      },
    },
    nullModel,
    ...(muscles ? { muscles } : {}),
  };
  return {
    partial,
    finish() {
      const fixedPoints: RunAnalysis['fixedPoints'] = searching
        ? finishFixedPoints(o, parallel, searching, conditions, hidden.inFullState, pcaR.loadings, pcaMean)
        : { skipped: o.checkpointMissingReason ?? 'no checkpoint given' };
      mark('analysis: fixed points');
      // analysis.json keeps its key order: the fixed points come after the subspaces.
      const { nullModel: nm, muscles: ms, ...before } = partial;
      const result: RunAnalysis = { ...before, fixedPoints, nullModel: nm, ...(ms ? { muscles: ms } : {}), summary: {} };
      result.summary = summarizeRunAnalysis(result);
      return result;
    },
  };
}

function kinematics(run: RunData, analysed: number[], goIndex: Map<number, number>): RunAnalysis['kinematics'] {
  const pos = getRunArray(run, 'hand_position');
  const T = pos.shape[1];
  const ms = analysed.map((b) => {
    const t = run.trials[b];
    return reachMetrics(pos.data.subarray(b * T * 2, (b + 1) * T * 2), { dt: run.dt, target: t.target, start: t.start, goIndex: Math.min(goIndex.get(b)!, T - 2) });
  });
  const errors = analysed.map((b) => run.trials[b].endpoint_error).filter((e): e is number => e !== null);
  return {
    meanEndpointError: mean(errors),
    maxEndpointError: errors.length ? Math.max(...errors) : NaN,
    meanPeakSpeed: mean(ms.map((m) => m.peakSpeed)),
    meanReactionTime: mean(ms.map((m) => m.reactionTime)),
    meanDuration: mean(ms.map((m) => m.duration)),
    meanStraightness: mean(ms.map((m) => m.straightness)),
    maxStraightness: Math.max(...ms.map((m) => m.straightness)),
    singlePeakedFraction: ms.filter((m) => m.singlePeaked).length / ms.length,
    meanMinJerkCorrelation: mean(ms.map((m) => m.minJerkCorrelation)),
    meanReachLength: mean(ms.map((m) => m.reachLength)),
  };
}

/** Fixed-point searches handed out by {@link startFixedPoints}. */
interface FixedPointsStarted {
  /** Each condition's network under its hold input, and its starts [starts, U]. */
  tasks: Array<HeldNetwork & { starts: number[] }>;
  /** The minimum from each start, conditions in order. */
  minima: PendingTasks<Minimum>;
  /** Recorded preparatory state of each condition [U]. */
  prepState: Float64Array[];
  U: number;
  t0: number;
}

/** Hand out the fixed-point search of each condition's hold input, one task per start. */
function startFixedPoints(
  o: RunAnalysisOptions,
  parallel: Parallel,
  ck: Checkpoint,
  conditions: ConditionInfo[],
  prepH: Float64Array,
  prepX: Float64Array,
  [p0, p1]: [number, number],
  hCube: Float64Array,
  nt: number,
  U: number,
  nIn: number,
): FixedPointsStarted {
  if (stateSize(ck.network) !== U) throw new Error(`checkpoint ${o.checkpointPath ?? ''} has a state of ${stateSize(ck.network)} units but the run recorded ${U}`);
  if (ck.network.inputs !== nIn) throw new Error(`checkpoint ${o.checkpointPath ?? ''} takes ${ck.network.inputs} inputs but the run recorded ${nIn}`);
  const t0 = performance.now();
  const rng = createRng(o.seed + 1);
  const pw = p1 - p0 + 1;
  // The recorded preparatory state: mean over the last 50 ms before go.
  const tail = Math.max(1, Math.min(pw, Math.round(0.05 / ck.network.dt) + 1));
  const prepState = conditions.map((_, c) => {
    const s = new Float64Array(U);
    for (let k = pw - tail; k < pw; k++) for (let j = 0; j < U; j++) s[j] += prepH[(c * pw + k) * U + j] / tail;
    return s;
  });
  const tasks = conditions.map((_, c) => {
    const input = Array.from({ length: nIn }, (_, i) => {
      let s = 0;
      for (let k = 0; k < pw; k++) s += prepX[(c * pw + k) * nIn + i];
      return s / pw;
    });
    // Starts: the recorded preparatory state, then jittered states spread along the condition's aligned trajectory.
    const starts: number[] = [...prepState[c]];
    const extra = Math.max(0, o.fixedPointStarts - 1);
    for (let s = 0; s < extra; s++) {
      const k = extra === 1 ? 0 : Math.round((s * (nt - 1)) / (extra - 1));
      for (let j = 0; j < U; j++) starts.push(hCube[(c * nt + k) * U + j] + 0.05 * normal(rng));
    }
    return { spec: ck.network, params: ck.params, input, starts };
  });
  const minima = parallel.submit('fixedPointStart', tasks.flatMap((t) => Array.from({ length: t.starts.length / U }, (_, s) => ({ ...t, s }))));
  return { tasks, minima, prepState, U, t0 };
}

/** Collect the searches of {@link startFixedPoints}, linearise around each point found (handed out too) and summarise. */
function finishFixedPoints(
  o: RunAnalysisOptions,
  parallel: Parallel,
  { tasks, minima, prepState, U, t0 }: FixedPointsStarted,
  conditions: ConditionInfo[],
  analysedUnits: number[],
  loadings: number[][],
  pcaMean: Float64Array,
): RunAnalysis['fixedPoints'] {
  const pcs = Math.min(3, loadings[0]?.length ?? 0);
  const project = (h: ArrayLike<number>) => Array.from({ length: pcs }, (_, m) => {
    let s = 0;
    for (let j = 0; j < analysedUnits.length; j++) s += (h[analysedUnits[j]] - pcaMean[j]) * loadings[j][m];
    return s;
  });
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < U; j++) s += (a[j] - b[j]) ** 2;
    return Math.sqrt(s);
  };
  const all = minima.wait();
  let first = 0;
  const merged = tasks.map((t) => {
    const count = t.starts.length / U;
    first += count;
    return mergeMinima(all.slice(first - count, first));
  });
  const linearizations = parallel.map('linearize', merged.flatMap((m, c) => m.kept.map((k) => ({ spec: tasks[c].spec, params: tasks[c].params, input: tasks[c].input, state: k.state }))));
  let point = 0;
  const searches = merged.map((m) => fixedPointSearch(m, linearizations.slice(point, (point += m.kept.length))));
  const per: ConditionFixedPoints[] = conditions.map((cond, c) => {
    const { input } = tasks[c];
    const search = searches[c];
    return {
      condition: cond.condition,
      input,
      prepStatePc: project(prepState[c]),
      failedStarts: search.failedStarts,
      points: search.points.map((p) => {
        const slowest = p.rotations[0] ?? null;
        return {
          q: p.q,
          isFixedPoint: p.isFixedPoint,
          stable: p.stable,
          maxAbsEigenvalue: p.maxAbsEigenvalue,
          unstableModes: p.unstableModes,
          starts: p.starts,
          topEigenvalues: { re: p.eigenvalues.re.slice(0, 10), im: p.eigenvalues.im.slice(0, 10) },
          topContinuousEigenvalues: { re: p.continuousEigenvalues.re.slice(0, 10), im: p.continuousEigenvalues.im.slice(0, 10) },
          slowestRotation: slowest,
          rotationalModes: p.rotations.length,
          pc: project(p.state),
          distanceToPrepState: dist(p.state, prepState[c]),
          state: Array.from(p.state),
        };
      }),
    };
  });
  const allPoints = per.flatMap((c) => c.points);
  const nearestStable = per.map((c) => Math.min(...c.points.filter((p) => p.isFixedPoint && p.stable).map((p) => p.distanceToPrepState)));
  const spread: number[] = [];
  for (let a = 0; a < prepState.length; a++) for (let b = a + 1; b < prepState.length; b++) spread.push(dist(prepState[a], prepState[b]));
  return {
    checkpoint: o.checkpointPath ?? '(in memory)',
    inputKind: 'hold',
    conditions: per,
    summary: {
      fixedPoints: allPoints.filter((p) => p.isFixedPoint).length,
      stableFixedPoints: allPoints.filter((p) => p.isFixedPoint && p.stable).length,
      slowPoints: allPoints.filter((p) => !p.isFixedPoint).length,
      meanPrepDistanceToStable: mean(nearestStable.filter(Number.isFinite)),
      meanPrepSpread: mean(spread),
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** The headline numbers, flat, for the terminal and the report table. */
export function summarizeRunAnalysis(r: RunAnalysis): Record<string, number> {
  const cum = (k: number) => r.pca.explainedFraction.slice(0, k).reduce((s, v) => s + v, 0);
  const s: Record<string, number> = {
    meanEndpointError_m: r.kinematics.meanEndpointError,
    maxEndpointError_m: r.kinematics.maxEndpointError,
    meanPeakSpeed_m_per_s: r.kinematics.meanPeakSpeed,
    meanReactionTime_s: r.kinematics.meanReactionTime,
    meanMinJerkCorrelation: r.kinematics.meanMinJerkCorrelation,
    singlePeakedFraction: r.kinematics.singlePeakedFraction,
    varianceTop2PCs: cum(2),
    varianceTop6PCs: cum(6),
    varianceTop10PCs: cum(10),
    jpca_R2_Mskew_kD: r.jpca.R2_Mskew_kD,
    jpca_R2_Mbest_kD: r.jpca.R2_Mbest_kD,
    jpca_R2_Mskew_2D: r.jpca.R2_Mskew_2D,
    jpca_R2_Mbest_2D: r.jpca.R2_Mbest_2D,
    jpca_rotationHz: r.jpca.rotationHz,
    jpca_plane1VarianceFraction: r.jpca.varCaptEachPlane[0],
    fractionTuned: r.tuning.fractionTuned,
    pdBimodality_p: r.tuning.pdAxial?.p ?? NaN,
    pdBimodality_meanAxis_deg: r.tuning.pdAxial ? (r.tuning.pdAxial.meanAxis * 180) / Math.PI : NaN,
    tanglingMedian_hidden_per_s2: r.tangling.hidden.summary.median,
    tanglingMedian_torque_per_s2: r.tangling.torque.summary.median,
    tanglingMedianRatio_torque_over_hidden: r.tangling.medianRatio,
    fractionPointsTorqueMoreTangled: r.tangling.fractionTorqueMoreTangled,
    prepNullFraction: r.subspaces.prep.nullFraction,
    moveNullFraction: r.subspaces.move.nullFraction,
    chanceNullFraction: r.subspaces.chanceNullFraction,
    prepToMovePotentRatio: r.subspaces.prepToMovePotentRatio,
    prepToMoveNullRatio: r.subspaces.prepToMoveNullRatio,
    alignmentIndex: r.subspaces.alignment.index,
    alignmentIndexRandomMean: r.subspaces.alignment.random.mean,
    alignmentIndexRandomP5: r.subspaces.alignment.random.p5,
  };
  if (r.nullModel?.jpca) {
    s.jpca_R2_Mskew_kD_p = r.nullModel.jpca.R2_Mskew_kD.p;
    s.jpca_R2_ratio_p = r.nullModel.jpca.ratio.p;
  }
  if (r.nullModel?.tangling) s.tanglingMedian_hidden_p = r.nullModel.tangling.median.p;
  if (r.muscles) {
    const m = r.muscles;
    const deg = (x: number) => (x * 180) / Math.PI;
    s.tanglingMedian_muscle_per_s2 = m.tangling.activation.summary.median;
    s.tanglingMedianRatio_muscle_over_hidden = m.tangling.medianRatio;
    s.fractionPointsMuscleMoreTangled = m.tangling.fractionMuscleMoreTangled;
    s.musclePdBimodality_p = m.pdAxial.p;
    s.musclePdAxis_deg = deg(m.limb.muscleAxis);
    s.predictedPdAxis_torqueDemand_deg = deg(m.limb.torqueDemandAxis);
    s.predictedPdAxis_effectiveMass_deg = deg(m.limb.effectiveMassAxis);
    s.unitPdAxisVsPredicted_deg = deg(m.limb.unitVsTorqueDemand);
    s.musclePdAxisVsPredicted_deg = deg(m.limb.muscleVsTorqueDemand);
  }
  if ('summary' in r.fixedPoints) {
    s.fixedPoints = r.fixedPoints.summary.fixedPoints;
    s.stableFixedPoints = r.fixedPoints.summary.stableFixedPoints;
    s.slowPoints = r.fixedPoints.summary.slowPoints;
    s.prepDistanceToStableFixedPoint = r.fixedPoints.summary.meanPrepDistanceToStable;
    s.prepStateSpread = r.fixedPoints.summary.meanPrepSpread;
  }
  return s;
}

/**
 * The muscle part of the analysis: tangling of the condition-averaged muscle activations against the
 * hidden units' (paired points), cosine tuning of the muscles, and the limb-mechanics axis at the start
 * posture (from the run's arm parameters and the first condition's start).
 */
function muscleAnalysis(
  run: RunData,
  conditions: ConditionInfo[],
  groups: number[][],
  eventIndex: Map<number, number>,
  T: number,
  [a0, a1]: [number, number],
  tangOpts: AnalyzeOptions,
  tangH: NonNullable<AnalysisResult['tangling']>,
  tuningOpts: AnalyzeOptions,
  unitTuning: NonNullable<AnalysisResult['tuning']>,
): MuscleAnalysis {
  const act = getRunArray(run, 'muscle_activation');
  const nm = act.shape[2];
  const nt = a1 - a0 + 1;
  const cube = alignedCube(act.data, T, nm, groups, eventIndex, a0, a1);
  const shape: Shape3 = [conditions.length, nt, nm];
  const tang = analyzeActivity(cube, shape, tangOpts).tangling!;
  let above = 0;
  for (let i = 0; i < tangH.Q.length; i++) if (tang.Q[i] > tangH.Q[i]) above++;
  const tuning = analyzeActivity(cube, shape, tuningOpts).tuning!;
  const pdAxial = axialRayleighTest(tuning.preferredDirection);
  const arm = parseArmParams((run.config as { arm?: unknown }).arm);
  const start = conditions[0].start;
  const q = inverseKinematics(arm, start[0], start[1]);
  const axes = limbAxes(massMatrix(arm, q[1]), jacobian(arm, q[0], q[1]));
  const unitAxis = unitTuning.pdAxial?.meanAxis ?? NaN;
  const muscleAxis = pdAxial.meanAxis;
  return {
    names: act.columns ?? Array.from({ length: nm }, (_, i) => `muscle ${i}`),
    tangling: { activation: tang, medianRatio: tang.summary.median / tangH.summary.median, fractionMuscleMoreTangled: tangH.Q.length ? above / tangH.Q.length : NaN },
    tuning,
    pdAxial,
    limb: {
      ...axes,
      posture: [q[0], q[1]],
      unitAxis,
      muscleAxis,
      unitVsTorqueDemand: axisDifference(unitAxis, axes.torqueDemandAxis),
      muscleVsTorqueDemand: axisDifference(muscleAxis, axes.torqueDemandAxis),
      unitVsMuscle: axisDifference(unitAxis, muscleAxis),
    },
  };
}

/** A few lines for the terminal. */
export function formatRunSummary(r: RunAnalysis): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const pct = (x: number, d = 1) => (Number.isFinite(x) ? `${(100 * x).toFixed(d)} %` : String(x));
  const k = r.kinematics;
  const lines = [
    `reaches: ${r.run.trials} trials, ${r.run.conditions} conditions; endpoint error mean ${f(k.meanEndpointError * 100, 2)} cm, max ${f(k.maxEndpointError * 100, 2)} cm; peak speed ${f(k.meanPeakSpeed, 2)} m/s; reaction time ${f(k.meanReactionTime * 1000, 0)} ms; min-jerk r ${f(k.meanMinJerkCorrelation)}`,
    `PCA (hidden, ${r.alignment.window[0]}…${r.alignment.window[1]} s around onset): PC1 ${pct(r.pca.explainedFraction[0])}, top 2 ${pct(r.summary.varianceTop2PCs)}, top 6 ${pct(r.summary.varianceTop6PCs)}, top 10 ${pct(r.summary.varianceTop10PCs)}`,
    `jPCA (${r.jpca.numPCs} PCs, ${r.jpca.window[0]}…${r.jpca.window[1]} s): R2_Mskew_kD ${f(r.jpca.R2_Mskew_kD)}, R2_Mbest_kD ${f(r.jpca.R2_Mbest_kD)} (ratio ${f(r.jpca.R2_Mskew_kD / r.jpca.R2_Mbest_kD, 2)}); plane 1 ${f(r.jpca.rotationHz, 2)} Hz, ${pct(r.jpca.varCaptEachPlane[0])} of variance`,
    ...r.jpca.warnings.map((w) => `  warning: ${w}`),
    `tuning (${r.tuning.window[0]}…${r.tuning.window[1]} s after onset): ${pct(r.tuning.fractionTuned)} of units tuned (p < ${r.tuning.alpha})` +
      (r.tuning.pdAxial ? `; preferred-direction bimodality (axial Rayleigh) p = ${r.tuning.pdAxial.p.toExponential(2)}, axis ${f((r.tuning.pdAxial.meanAxis * 180) / Math.PI, 0)}°` : ''),
    `tangling (${r.tangling.window[0]}…${r.tangling.window[1]} s): median Q hidden ${f(r.tangling.hidden.summary.median, 1)} s⁻², torques ${f(r.tangling.torque.summary.median, 1)} s⁻² (×${f(r.tangling.medianRatio, 2)}); torques more tangled at ${pct(r.tangling.fractionTorqueMoreTangled)} of points`,
    `output-null: preparatory ${pct(r.subspaces.prep.nullFraction)} of variance (movement ${pct(r.subspaces.move.nullFraction)}, isotropic ${pct(r.subspaces.chanceNullFraction)}); prep/move potent variance ${f(r.subspaces.prepToMovePotentRatio)}, null ${f(r.subspaces.prepToMoveNullRatio)}`,
    `alignment index prep vs movement (k = ${r.subspaces.alignment.k}): ${f(r.subspaces.alignment.index)} (random ${f(r.subspaces.alignment.random.mean)}, 5–95 % ${f(r.subspaces.alignment.random.p5)}–${f(r.subspaces.alignment.random.p95)})`,
  ];
  if (r.nullModel) lines.push(formatNullAnalysis(r.nullModel));
  if (r.muscles) {
    const m = r.muscles;
    const deg = (x: number) => f((x * 180) / Math.PI, 0);
    lines.push(
      `muscles: tangling median Q ${f(m.tangling.activation.summary.median, 1)} s⁻² (×${f(m.tangling.medianRatio, 2)} the hidden units'), muscles more tangled at ${pct(m.tangling.fractionMuscleMoreTangled)} of points`,
      `muscle PDs (all ${m.names.length}): bimodality p = ${m.pdAxial.p.toExponential(2)}, axis ${deg(m.limb.muscleAxis)}°; units' axis ${deg(m.limb.unitAxis)}°; limb mechanics predict ${deg(m.limb.torqueDemandAxis)}° (largest joint torque per hand acceleration; effective-mass axis ${deg(m.limb.effectiveMassAxis)}°): units ${deg(m.limb.unitVsTorqueDemand)}° and muscles ${deg(m.limb.muscleVsTorqueDemand)}° away`,
    );
  }
  if ('summary' in r.fixedPoints) {
    const s = r.fixedPoints.summary;
    const hz = r.fixedPoints.conditions.flatMap((c) => c.points.filter((p) => p.isFixedPoint && p.slowestRotation).map((p) => p.slowestRotation!.frequencyHz));
    lines.push(
      `fixed points (hold input, ${r.fixedPoints.conditions.length} conditions): ${s.fixedPoints} found, ${s.stableFixedPoints} stable, ${s.slowPoints} slow points; prep state to nearest stable fixed point ${f(s.meanPrepDistanceToStable)} (prep states of different targets ${f(s.meanPrepSpread)} apart)` +
        (hz.length ? `; slowest rotational mode ${f(Math.min(...hz), 2)}–${f(Math.max(...hz), 2)} Hz` : ''),
    );
  } else {
    lines.push(`fixed points: skipped (${r.fixedPoints.skipped})`);
  }
  return lines.join('\n');
}

/** The controller for a run's fixed points: `explicit` if given (must load), else the checkpoint recorded in config.json when it still exists. */
export function resolveRunCheckpoint(run: RunData, explicit?: string): { checkpoint: Checkpoint | null; path?: string; reason?: string } {
  if (explicit) return { checkpoint: loadCheckpointFile(explicit), path: explicit };
  const recorded = (run.config as { checkpoint?: { path?: unknown } }).checkpoint?.path;
  if (typeof recorded !== 'string') return { checkpoint: null, reason: 'the run records no checkpoint; give one with --checkpoint' };
  const path = isAbsolute(recorded) ? recorded : resolve(recorded);
  if (!existsSync(path)) return { checkpoint: null, reason: `the run's checkpoint ${recorded} is not there any more; give one with --checkpoint` };
  return { checkpoint: loadCheckpointFile(path), path };
}
