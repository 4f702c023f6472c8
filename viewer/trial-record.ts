/**
 * What the viewer records of the current trial, one sample per control step, with the meaning of a
 * closed-loop recording (model/closed-loop.ts): sample t is at t·dt from the trial start — the arm state
 * then, the observation and hidden state the network computed from it, and the torque it applied over
 * [t·dt, (t+1)·dt). Buffers are allocated once per trial; recording a step allocates nothing, except
 * once per trial: the run goes on after the trial (a push or drag still moves the arm), so a full record
 * scrolls (it drops its oldest samples and keeps the latest `capacity` steps, and the panels keep
 * following), and before it first scrolls it keeps a copy of the whole trial (`complete`) for the
 * earlier-trial overlays, which must show the go cue and the reach, not the hand waiting afterwards.
 */
import { encodeNpy } from '../core/npy.ts';

/** The recorded trial. Arrays are row-major [steps, …] with room for `capacity` steps. */
export interface TrialRecord {
  /** Steps the buffers hold. */
  capacity: number;
  /** Steps held now (sample 0 is step `shifted` of the trial). */
  length: number;
  /** Samples dropped from the front since the trial began (0 until the record first fills). */
  shifted: number;
  /** Control step (s). */
  dt: number;
  /** Step of the go cue. */
  goStep: number;
  /** Hidden units. */
  units: number;
  /** Center-out target index, −1 when the target is the start position. */
  targetIndex: number;
  /** Target position (m). */
  target: Float64Array;
  /** Time from the trial start (s) of each held sample: [steps]. */
  times: Float64Array;
  /** Time from the go cue (s): [steps]. */
  timesFromGo: Float64Array;
  /** Hold cue the network saw (1 before go): [steps]. */
  hold: Float64Array;
  /** Arm state q1, q2 (rad), q̇1, q̇2 (rad/s): [steps, 4]. */
  state: Float64Array;
  /** Hand position (m): [steps, 2]. */
  hand: Float64Array;
  /** Hand velocity (m/s): [steps, 2]. */
  handVel: Float64Array;
  /** Hand speed (m/s): [steps]. */
  speed: Float64Array;
  /** External hand force at the sample (field + pulse + mouse spring) (N): [steps, 2]. */
  force: Float64Array;
  /** Shoulder torque (N·m): [steps]. For a muscle arm, the muscles' torque at the sample. */
  tau1: Float64Array;
  /** Elbow torque (N·m): [steps]. */
  tau2: Float64Array;
  /** Hidden activity: [steps, units]. */
  hidden: Float32Array;
  /** Muscle names (empty for torque motors). */
  muscles: string[];
  /** Muscle activation at the sample (dimensionless, 0–1): [steps, muscles]. */
  activation: Float64Array;
  /** Muscle excitation the network commanded for the step, as used (clipped to [0.001, 1]): [steps, muscles]. */
  excitation: Float64Array;
  /** The whole trial, copied when the record was full before its first scroll; null until then (and in the copy). */
  complete: TrialRecord | null;
}

/** Empty record for a trial of `capacity` steps of `dt` s with go at `goStep`. */
export function createTrialRecord(capacity: number, dt: number, goStep: number, units: number, target: ArrayLike<number>, targetIndex: number, muscles: readonly string[] = []): TrialRecord {
  const times = Float64Array.from({ length: capacity }, (_, t) => t * dt);
  return {
    capacity,
    length: 0,
    shifted: 0,
    dt,
    goStep,
    units,
    targetIndex,
    target: Float64Array.from(target),
    times,
    timesFromGo: times.map((t) => t - goStep * dt),
    hold: new Float64Array(capacity),
    state: new Float64Array(capacity * 4),
    hand: new Float64Array(capacity * 2),
    handVel: new Float64Array(capacity * 2),
    speed: new Float64Array(capacity),
    force: new Float64Array(capacity * 2),
    tau1: new Float64Array(capacity),
    tau2: new Float64Array(capacity),
    hidden: new Float32Array(capacity * units),
    muscles: [...muscles],
    activation: new Float64Array(capacity * muscles.length),
    excitation: new Float64Array(capacity * muscles.length),
    complete: null,
  };
}

/** A copy of `r` that recording into `r` leaves unchanged. */
function copyRecord(r: TrialRecord): TrialRecord {
  return {
    ...r,
    target: r.target.slice(),
    times: r.times.slice(),
    timesFromGo: r.timesFromGo.slice(),
    hold: r.hold.slice(),
    state: r.state.slice(),
    hand: r.hand.slice(),
    handVel: r.handVel.slice(),
    speed: r.speed.slice(),
    force: r.force.slice(),
    tau1: r.tau1.slice(),
    tau2: r.tau2.slice(),
    hidden: r.hidden.slice(),
    muscles: [...r.muscles],
    activation: r.activation.slice(),
    excitation: r.excitation.slice(),
    complete: null,
  };
}

/** Fraction of the record dropped when it is full (scrolling in chunks keeps full redraws rare). */
const SCROLL_FRACTION = 0.25;

/** Drop the oldest samples of a full record, shifting the rest (and their times) to the front. */
function scroll(r: TrialRecord): void {
  if (r.shifted === 0) r.complete = copyRecord(r);
  const k = Math.max(1, Math.ceil(r.capacity * SCROLL_FRACTION));
  const keep = r.length - k;
  const shift = (a: Float64Array | Float32Array, width: number) => a.copyWithin(0, k * width, r.length * width);
  shift(r.hold, 1);
  shift(r.state, 4);
  shift(r.hand, 2);
  shift(r.handVel, 2);
  shift(r.speed, 1);
  shift(r.force, 2);
  shift(r.tau1, 1);
  shift(r.tau2, 1);
  shift(r.hidden, r.units);
  shift(r.activation, r.muscles.length);
  shift(r.excitation, r.muscles.length);
  r.shifted += k;
  r.length = keep;
  for (let t = 0; t < r.capacity; t++) {
    r.times[t] = (r.shifted + t) * r.dt;
    r.timesFromGo[t] = (r.shifted + t - r.goStep) * r.dt;
  }
}

/** Record one sample (activation and excitation: one per muscle, ignored without muscles); a full record first scrolls (see the file comment). */
export function recordStep(
  r: TrialRecord,
  hold: number,
  state: ArrayLike<number>,
  hand: ArrayLike<number>,
  handVel: ArrayLike<number>,
  force: ArrayLike<number>,
  tau: ArrayLike<number>,
  hidden: Float32Array,
  activation: ArrayLike<number> = [],
  excitation: ArrayLike<number> = [],
): void {
  if (r.length >= r.capacity) scroll(r);
  const t = r.length;
  r.hold[t] = hold;
  for (let i = 0; i < 4; i++) r.state[t * 4 + i] = state[i];
  r.hand[t * 2] = hand[0];
  r.hand[t * 2 + 1] = hand[1];
  r.handVel[t * 2] = handVel[0];
  r.handVel[t * 2 + 1] = handVel[1];
  r.speed[t] = Math.hypot(handVel[0], handVel[1]);
  r.force[t * 2] = force[0];
  r.force[t * 2 + 1] = force[1];
  r.tau1[t] = tau[0];
  r.tau2[t] = tau[1];
  r.hidden.set(hidden, t * r.units);
  const nm = r.muscles.length;
  for (let i = 0; i < nm; i++) {
    r.activation[t * nm + i] = activation[i];
    r.excitation[t * nm + i] = excitation[i];
  }
  r.length = t + 1;
}

/** Column names (with units) of {@link traceTable}, in order. */
export function traceColumns(r: TrialRecord): string[] {
  const muscle = (what: string) => r.muscles.map((m) => `${what}_${m.replace(/\s+/g, '_')}`);
  return [...FIXED_COLUMNS, ...Array.from({ length: r.units }, (_, u) => `h${u}`), ...muscle('activation'), ...muscle('excitation')];
}

const FIXED_COLUMNS = [
    't_s',
    't_from_go_s',
    'target_x_m',
    'target_y_m',
    'hold',
    'q1_rad',
    'q2_rad',
    'qd1_rad_per_s',
    'qd2_rad_per_s',
    'hand_x_m',
    'hand_y_m',
    'hand_vx_m_per_s',
    'hand_vy_m_per_s',
    'force_x_N',
    'force_y_N',
    'tau1_Nm',
    'tau2_Nm',
] as const;

/** The recorded steps as one table [steps, columns] (columns per {@link traceColumns}). */
export function traceTable(r: TrialRecord): { data: Float64Array; shape: [number, number] } {
  const nf = FIXED_COLUMNS.length;
  const nm = r.muscles.length;
  const cols = nf + r.units + 2 * nm;
  const data = new Float64Array(r.length * cols);
  for (let t = 0; t < r.length; t++) {
    const o = t * cols;
    data[o] = r.times[t];
    data[o + 1] = r.timesFromGo[t];
    data[o + 2] = r.target[0];
    data[o + 3] = r.target[1];
    data[o + 4] = r.hold[t];
    for (let i = 0; i < 4; i++) data[o + 5 + i] = r.state[t * 4 + i];
    data[o + 9] = r.hand[t * 2];
    data[o + 10] = r.hand[t * 2 + 1];
    data[o + 11] = r.handVel[t * 2];
    data[o + 12] = r.handVel[t * 2 + 1];
    data[o + 13] = r.force[t * 2];
    data[o + 14] = r.force[t * 2 + 1];
    data[o + 15] = r.tau1[t];
    data[o + 16] = r.tau2[t];
    for (let u = 0; u < r.units; u++) data[o + nf + u] = r.hidden[t * r.units + u];
    for (let i = 0; i < nm; i++) {
      data[o + nf + r.units + i] = r.activation[t * nm + i];
      data[o + nf + r.units + nm + i] = r.excitation[t * nm + i];
    }
  }
  return { data, shape: [r.length, cols] };
}

/** The recorded steps as CSV text with a header row of {@link traceColumns}. */
export function traceCsv(r: TrialRecord): string {
  const { data, shape } = traceTable(r);
  const lines = [traceColumns(r).join(',')];
  for (let t = 0; t < shape[0]; t++) {
    const row: string[] = [];
    for (let c = 0; c < shape[1]; c++) row.push(String(data[t * shape[1] + c]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** The recorded steps as a float64 .npy of shape [steps, columns] (columns per {@link traceColumns}). */
export function traceNpy(r: TrialRecord): Uint8Array {
  const { data, shape } = traceTable(r);
  return encodeNpy(data, shape);
}
