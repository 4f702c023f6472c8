/**
 * The reference the live state is drawn against: the controller's closed-loop reaches to the task's
 * center-out targets on the matter-js arm of its body (torque motors or muscles; noise-free feedback, go at the viewer's go time), their
 * hidden activity's PC1–PC2 plane and top jPC plane (Churchland et al. 2012), and two unit orders for
 * the heat map (preferred direction, PC1 loading). Pure computation; the viewer runs it in a worker.
 */
import { jpca } from '../model/analysis/jpca.ts';
import { matrix } from '../model/analysis/linalg.ts';
import { pca } from '../model/analysis/pca.ts';
import { crossConditionMean } from '../model/analysis/population.ts';
import { cosineTuning, windowMean } from '../model/analysis/tuning.ts';
import { checkpointBody, type Checkpoint } from '../model/checkpoint.ts';
import { runClosedLoop } from '../model/closed-loop.ts';
import { noiseless } from '../sim/tasks/observation.ts';
import { centerOutConditions, parseTaskSpec } from '../sim/tasks/task-spec.ts';

/** Movement onset: the first time after go that the mean hand speed exceeds this fraction of its peak. */
const ONSET_FRACTION = 0.2;
/** jPCA window around movement onset (s), as in Churchland et al. 2012 (−50 … +150 ms), widened to +200 ms. */
const JPCA_WINDOW: readonly [number, number] = [-0.05, 0.2];
/** Preferred directions are fitted on the mean activity over this window after movement onset (s). */
const TUNING_WINDOW: readonly [number, number] = [0, 0.2];

/** A plane of hidden-state space and the reference trajectories in it. */
export interface StatePlane {
  /** Projection axes, unit space: [units, 2] row-major. */
  axes: Float64Array;
  /** Subtracted from the state before projecting: [units]. */
  offset: Float64Array;
  /** Reference trajectories in the plane: [conditions, times, 2]. */
  trajectories: Float64Array;
  /** Fraction of the reference variance each axis captures: [2]. */
  varianceFraction: Float64Array;
}

/** Reference conditions and their analysis. */
export interface References {
  conditions: number;
  /** Samples per condition. */
  steps: number;
  /** Control step (s). */
  dt: number;
  goStep: number;
  units: number;
  /** Target direction of each condition (rad): [conditions]. */
  angles: Float64Array;
  /** Movement-onset step (from the mean hand speed). */
  onsetStep: number;
  /** Hand path of each condition (m): [conditions, times, 2]. */
  hand: Float64Array;
  /** Distance from hand to target at the last sample of each condition (m): [conditions]. */
  endError: Float64Array;
  pc: StatePlane;
  /** Top jPC plane (null when jPCA could not be fitted, see `jpcError`); its offset excludes the cross-condition mean. */
  jpc: (StatePlane & { window: [number, number]; rotationHz: number; r2Skew2D: number; r2Best2D: number }) | null;
  jpcError: string | null;
  /** Cross-condition mean hidden state per time, subtracted before the jPC projection: [times, units]. */
  crossConditionMean: Float64Array;
  /** Unit display orders: by preferred direction (ascending angle) and by PC1 loading (descending). */
  order: { pd: Int32Array; pc1: Int32Array };
  /** Preferred direction of each unit (rad): [units]. */
  preferredDirection: Float64Array;
  /** Hidden activity of every reference reach: [conditions, times, units]. */
  hidden: Float32Array;
  /**
   * Tuning: each unit's mean activity over the tuning window per condition ([conditions, units]), and its
   * cosine fit b0 + b1 cos θ + b2 sin θ with R² ([units] each).
   */
  tuning: { window: [number, number]; means: Float64Array; b0: Float64Array; b1: Float64Array; b2: Float64Array; r2: Float64Array };
}

/** Closed-loop reference reaches of `checkpoint` with go at step `goStep`, and their planes. */
export function computeReferences(checkpoint: Checkpoint, goStep: number): References {
  const task = parseTaskSpec({ ...checkpoint.config.task, kind: 'center-out', catchProbability: 0 });
  const dt = task.dt;
  const trials = centerOutConditions(checkpoint.arm, task, goStep * dt, 1);
  const rec = runClosedLoop(checkpointBody(checkpoint), checkpoint.network, checkpoint.params, trials, { engine: 'matter', feedback: noiseless(checkpoint.config.feedback) }, 1);
  const C = trials.batch;
  const T = trials.steps;
  const n = checkpoint.network.hidden;
  const hidden = Float64Array.from(rec.hidden);

  const endError = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const o = (c * T + T - 1) * 2;
    endError[c] = Math.hypot(rec.handPosition[o] - trials.target[2 * c], rec.handPosition[o + 1] - trials.target[2 * c + 1]);
  }
  const onsetStep = movementOnset(rec.handVelocity, C, T, goStep);

  const p = pca(matrix(C * T, n, hidden), { components: 2 });
  const pcPlane: StatePlane = {
    axes: p.loadings.data,
    offset: p.mean,
    trajectories: p.scores.data,
    varianceFraction: p.explainedFraction,
  };

  const mean = crossConditionMean(hidden, [C, T, n]);
  let jpc: References['jpc'] = null;
  let jpcError: string | null = null;
  try {
    const first = clamp(onsetStep + Math.round(JPCA_WINDOW[0] / dt), 0, T - 3);
    const last = clamp(onsetStep + Math.round(JPCA_WINDOW[1] / dt), first + 2, T - 1);
    const j = jpca(hidden, [C, T, n], { dt, numPCs: 6, timeIndices: [first, last] });
    const k = j.numPCs;
    const axes = new Float64Array(n * 2);
    for (let u = 0; u < n; u++) {
      axes[u * 2] = j.jPCs_highD.data[u * k];
      axes[u * 2 + 1] = j.jPCs_highD.data[u * k + 1];
    }
    const trajectories = new Float64Array(C * T * 2);
    for (let i = 0; i < C * T; i++) {
      trajectories[i * 2] = j.projectionAllTimes[i * k];
      trajectories[i * 2 + 1] = j.projectionAllTimes[i * k + 1];
    }
    jpc = {
      axes,
      offset: j.meanFReachNeuron,
      trajectories,
      varianceFraction: j.varCaptEachJPC.slice(0, 2),
      window: [first, last],
      rotationHz: j.rotationHz,
      r2Skew2D: j.R2_Mskew_2D,
      r2Best2D: j.R2_Mbest_2D,
    };
  } catch (err) {
    jpcError = (err as Error).message;
  }

  const t0 = clamp(onsetStep + Math.round(TUNING_WINDOW[0] / dt), 0, T - 1);
  const t1 = clamp(onsetStep + Math.round(TUNING_WINDOW[1] / dt), t0, T - 1);
  const means = windowMean(hidden, [C, T, n], t0, t1);
  const tuning = cosineTuning(means, [C, n], trials.targetAngle);
  const pd = tuning.preferredDirection;
  const byPd = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => pd[a] - pd[b] || a - b);
  const byPc1 = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => p.loadings.data[b * 2] - p.loadings.data[a * 2] || a - b);

  return {
    conditions: C,
    steps: T,
    dt,
    goStep,
    units: n,
    angles: Float64Array.from(trials.targetAngle),
    onsetStep,
    hand: rec.handPosition,
    endError,
    pc: pcPlane,
    jpc,
    jpcError,
    crossConditionMean: mean,
    order: { pd: byPd, pc1: byPc1 },
    preferredDirection: pd,
    hidden: Float32Array.from(hidden),
    tuning: { window: [t0, t1], means, b0: tuning.b0, b1: tuning.b1, b2: tuning.b2, r2: tuning.r2 },
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** First step after go at which the condition-averaged hand speed exceeds ONSET_FRACTION of its peak. */
function movementOnset(handVel: Float64Array, C: number, T: number, goStep: number): number {
  const speed = new Float64Array(T);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) speed[t] += Math.hypot(handVel[(c * T + t) * 2], handVel[(c * T + t) * 2 + 1]) / C;
  }
  let peak = 0;
  for (let t = goStep; t < T; t++) peak = Math.max(peak, speed[t]);
  for (let t = goStep; t < T; t++) if (speed[t] >= ONSET_FRACTION * peak) return t;
  return goStep;
}
