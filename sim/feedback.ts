/**
 * Sensory feedback as MotorNet's environments provide it: proprioception and vision (hand position and
 * velocity), each with its own delay (seconds, a whole number of control steps) and Gaussian noise. What
 * proprioception reports comes from the body's actuator (sim/actuators/): joint angles and velocities
 * for torque motors, normalised muscle fibre lengths (l/l_opt) and velocities (v/v_max) for muscles.
 *
 * State is plain data (a ring buffer of past observations for n arms) so it can be batched, copied and
 * reset; noise comes from a seeded `Rng` passed to {@link readFeedback}.
 */
import { z } from 'zod';
import { fillNormalBoxMuller, type Rng } from '../core/random.ts';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';
import type { ArmParams } from './arm-params.ts';
import { asBody, bodyStateSize, type Body } from './body.ts';
import { handStateInto } from './dynamics.ts';
import { wholeSteps } from './time.ts';

/** One feedback channel. */
export interface FeedbackChannel {
  name: string;
  unit: string;
  group: 'proprioception' | 'vision';
}

/** Visual channels (every body): hand position and velocity. */
const VISION_CHANNELS: readonly FeedbackChannel[] = [
  { name: 'hand_x', unit: 'm', group: 'vision' },
  { name: 'hand_y', unit: 'm', group: 'vision' },
  { name: 'hand_vx', unit: 'm/s', group: 'vision' },
  { name: 'hand_vy', unit: 'm/s', group: 'vision' },
];

/** Feedback channels of a body, in order: its actuator's proprioception, then vision. */
export function feedbackChannels(b: Body | ArmParams): FeedbackChannel[] {
  return [...asBody(b).actuator.senses.map(({ name, unit }) => ({ name, unit, group: 'proprioception' as const })), ...VISION_CHANNELS];
}

/** Observation channels of the torque arm, in order, with units. */
export const FEEDBACK_CHANNELS = [
  { name: 'q1', unit: 'rad', group: 'proprioception' },
  { name: 'q2', unit: 'rad', group: 'proprioception' },
  { name: 'qd1', unit: 'rad/s', group: 'proprioception' },
  { name: 'qd2', unit: 'rad/s', group: 'proprioception' },
  { name: 'hand_x', unit: 'm', group: 'vision' },
  { name: 'hand_y', unit: 'm', group: 'vision' },
  { name: 'hand_vx', unit: 'm/s', group: 'vision' },
  { name: 'hand_vy', unit: 'm/s', group: 'vision' },
] as const;

/** Channels per torque arm. */
export const FEEDBACK_SIZE = FEEDBACK_CHANNELS.length;

/** Feedback channels per arm of a body. */
export function feedbackSize(b: Body | ArmParams): number {
  return asBody(b).actuator.senses.length + VISION_CHANNELS.length;
}

/** Longest sensory delay accepted (s): physiological ones are tens of milliseconds. */
export const MAX_DELAY = 0.5;

const seconds = z.number().min(0, 'must be ≥ 0 s').max(MAX_DELAY, `must be ≤ ${MAX_DELAY} s (a sensory delay, in seconds)`);
const sd = z.number().refine(Number.isFinite, 'must be finite').refine((v) => v >= 0, 'noise std must be ≥ 0');

/** Feedback options (zod, with defaults). */
export const feedbackOptionsSchema = z
  .object({
    /** Delay of joint angles and velocities (s, a whole number of control steps). Default 0. */
    proprioceptionDelay: seconds.default(0),
    /** Delay of hand position and velocity (s, a whole number of control steps). Default 0. */
    visionDelay: seconds.default(0),
    /** Noise std of joint angles (rad). Default 0. */
    jointAngleNoise: sd.default(0),
    /** Noise std of joint velocities (rad/s). Default 0. */
    jointVelocityNoise: sd.default(0),
    /** Noise std of hand position (m). Default 0. */
    handPositionNoise: sd.default(0),
    /** Noise std of hand velocity (m/s). Default 0. */
    handVelocityNoise: sd.default(0),
    /** Noise std of normalised muscle fibre lengths (optimal fibre lengths, l_opt; muscle bodies). Default 0. */
    muscleLengthNoise: sd.default(0),
    /** Noise std of normalised muscle lengthening velocities (v_max = maximal shortening speed; muscle bodies). Default 0. */
    muscleVelocityNoise: sd.default(0),
  })
  .strict();

/** Feedback options (input form: every field optional). */
export type FeedbackOptions = z.input<typeof feedbackOptionsSchema>;
/** Feedback options with defaults filled in. */
export type ResolvedFeedbackOptions = z.output<typeof feedbackOptionsSchema>;

/** Feedback buffer for n arms. */
export interface FeedbackState {
  /** Arm parameters (for the hand kinematics). */
  params: ArmParams;
  /** The body whose actuator defines the proprioceptive channels. */
  body: Body;
  /** Resolved options. */
  opts: ResolvedFeedbackOptions;
  /** The delays in control steps. */
  delaySteps: FeedbackDelaySteps;
  /** Number of arms. */
  n: number;
  /** Channels per arm (feedbackSize(body)); the first `nSense` are proprioceptive. */
  size: number;
  nSense: number;
  /** Noise std of each channel (its unit): [size]. */
  sds: Float64Array;
  /** The noise draws of one read, in reading order: [n × channels with noise]. */
  draws: Float64Array;
  /** Ring slots kept: max(delays) + 1. */
  capacity: number;
  /** Past noise-free observations [capacity, n, size]; slot `head` is the newest. */
  ring: Float64Array;
  /** Index of the newest slot. */
  head: number;
}

/** Write the noise-free observation of the states x (n rows of `stride` numbers starting q1, q2, q̇1, q̇2) into slot `slot` of the ring. */
function record(st: FeedbackState, x: ArrayLike<number>, stride: number, slot: number): void {
  const base = slot * st.n * st.size;
  const act = st.body.actuator;
  for (let i = 0; i < st.n; i++) {
    const q1 = x[stride * i];
    const q2 = x[stride * i + 1];
    const w1 = x[stride * i + 2];
    const w2 = x[stride * i + 3];
    const o = base + i * st.size;
    act.sense(q1, q2, w1, w2, st.ring, o, null);
    handStateInto(st.params, q1, q2, w1, w2, st.ring, o + st.nSense);
  }
}

/** Row width of n states held in `length` numbers: 4 (joint states) or the body's full state size. */
function stateStride(st: FeedbackState, length: number): number {
  const full = bodyStateSize(st.body);
  if (length === 4 * st.n) return 4;
  if (length === full * st.n) return full;
  throw new Error(`state must hold ${4 * st.n} numbers (${st.n} arms × 4)${full !== 4 ? ` or ${full * st.n} (${st.n} × ${full})` : ''}, got ${length}`);
}

/** Sensory delays in control steps. */
export interface FeedbackDelaySteps {
  proprioception: number;
  vision: number;
}

/** The delays of `opts` (s) in control steps of `dt` (s); throws unless each is a whole number of steps. */
export function feedbackDelaySteps(opts: FeedbackOptions, dt: number): FeedbackDelaySteps {
  return {
    proprioception: wholeSteps(opts.proprioceptionDelay ?? 0, dt, 'feedback proprioceptionDelay'),
    vision: wholeSteps(opts.visionDelay ?? 0, dt, 'feedback visionDelay'),
  };
}

/**
 * Feedback options written when delays were counted in control steps (integers ≥ 1; a delay in
 * seconds is below MAX_DELAY) converted to seconds at control step `dt` (s), with a note of what
 * changed (null when nothing did). Anything else is returned as it came.
 */
export function convertStepDelays(opts: unknown, dt: number): { opts: unknown; note: string | null } {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) return { opts, note: null };
  const out: Record<string, unknown> = { ...opts };
  const changed: string[] = [];
  for (const key of ['proprioceptionDelay', 'visionDelay']) {
    const v = out[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
      const seconds = Number((v * dt).toPrecision(12));
      out[key] = seconds;
      changed.push(`${key} ${v} steps → ${seconds} s`);
    }
  }
  return { opts: out, note: changed.length ? `feedback delays given in control steps were converted to seconds at dt = ${dt} s: ${changed.join(', ')}` : null };
}

/**
 * A feedback buffer for n arms (default 1) of body `body` (a bare skeleton: torque motors), stepped every
 * `dt` seconds, whose whole history is the initial state x0 ([n, 4] row-major: q1, q2, q̇1, q̇2 per
 * arm, or [n, body state size]).
 */
export function createFeedback(body: Body | ArmParams, opts: FeedbackOptions, dt: number, x0: ArrayLike<number>, n = 1): FeedbackState {
  const r = feedbackOptionsSchema.safeParse(opts, KEY_HINTS);
  if (!r.success) throw new Error(`invalid feedback options: ${formatIssues(r.error, '(feedback)')}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`number of arms must be a positive integer, got ${n}`);
  const b = asBody(body);
  const o = r.data;
  const delaySteps = feedbackDelaySteps(o, dt);
  const capacity = Math.max(delaySteps.proprioception, delaySteps.vision) + 1;
  const nSense = b.actuator.senses.length;
  const size = nSense + VISION_CHANNELS.length;
  const sds = Float64Array.from([
    ...b.actuator.senses.map((c) => o[c.noise]),
    o.handPositionNoise,
    o.handPositionNoise,
    o.handVelocityNoise,
    o.handVelocityNoise,
  ]);
  const draws = new Float64Array(n * sds.filter((v) => v > 0).length);
  const st: FeedbackState = { params: b.skeleton, body: b, opts: o, delaySteps, n, size, nSense, sds, draws, capacity, ring: new Float64Array(capacity * n * size), head: 0 };
  record(st, x0, stateStride(st, x0.length), 0);
  const slot = n * size;
  for (let s = 1; s < capacity; s++) st.ring.copyWithin(s * slot, 0, slot);
  return st;
}

/** Record the state after one more control step ([n, 4] or [n, body state size]). */
export function pushFeedback(st: FeedbackState, x: ArrayLike<number>): void {
  const stride = stateStride(st, x.length);
  st.head = (st.head + 1) % st.capacity;
  record(st, x, stride, st.head);
}

/**
 * The observation [n, size] seen now: proprioceptive channels from `proprioceptionDelay` ago,
 * visual channels from `visionDelay` ago (the initial state when the history is shorter), plus
 * independent Gaussian noise drawn from `rng` (required when any noise std is non-zero).
 */
export function readFeedback(st: FeedbackState, rng?: Rng, out: Float64Array = new Float64Array(st.n * st.size)): Float64Array {
  const sds = st.sds;
  const draws = st.draws;
  const noisy = draws.length > 0;
  if (noisy && !rng) throw new Error('readFeedback: a seeded Rng is required when feedback noise is non-zero');
  // All draws at once (a double returned per draw would be allocated), consumed in the order they came.
  if (noisy) fillNormalBoxMuller(rng as Rng, draws);
  let k = 0;
  const size = st.size;
  const slotSize = st.n * size;
  const pSlot = ((st.head - st.delaySteps.proprioception) % st.capacity + st.capacity) % st.capacity;
  const vSlot = ((st.head - st.delaySteps.vision) % st.capacity + st.capacity) % st.capacity;
  for (let i = 0; i < st.n; i++) {
    for (let c = 0; c < size; c++) {
      const slot = c < st.nSense ? pSlot : vSlot;
      let v = st.ring[slot * slotSize + i * size + c];
      if (noisy && sds[c] > 0) v += sds[c] * draws[k++];
      out[i * size + c] = v;
    }
  }
  return out;
}
