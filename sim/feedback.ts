/**
 * Sensory feedback as MotorNet's environments provide it: proprioception (joint angles and velocities)
 * and vision (hand position and velocity), each with its own delay (seconds, a whole number of control
 * steps) and Gaussian noise.
 *
 * State is plain data (a ring buffer of past observations for n arms) so it can be batched, copied and
 * reset; noise comes from a seeded `Rng` passed to {@link readFeedback}.
 */
import { z } from 'zod';
import { normal, type Rng } from '../core/random.ts';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';
import type { ArmParams } from './arm-params.ts';
import { handPosition, handVelocity } from './dynamics.ts';
import { wholeSteps } from './time.ts';

/** Observation channels, in order, with units. */
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

/** Channels per arm. */
export const FEEDBACK_SIZE = FEEDBACK_CHANNELS.length;

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
  /** Resolved options. */
  opts: ResolvedFeedbackOptions;
  /** The delays in control steps. */
  delaySteps: FeedbackDelaySteps;
  /** Number of arms. */
  n: number;
  /** Ring slots kept: max(delays) + 1. */
  capacity: number;
  /** Past noise-free observations [capacity, n, FEEDBACK_SIZE]; slot `head` is the newest. */
  ring: Float64Array;
  /** Index of the newest slot. */
  head: number;
}

/** Write the noise-free observation of state x (n arms × [q1, q2, q̇1, q̇2]) into slot `slot` of the ring. */
function record(st: FeedbackState, x: ArrayLike<number>, slot: number): void {
  const base = slot * st.n * FEEDBACK_SIZE;
  for (let i = 0; i < st.n; i++) {
    const [q1, q2, w1, w2] = [x[4 * i], x[4 * i + 1], x[4 * i + 2], x[4 * i + 3]];
    const o = base + i * FEEDBACK_SIZE;
    st.ring[o] = q1;
    st.ring[o + 1] = q2;
    st.ring[o + 2] = w1;
    st.ring[o + 3] = w2;
    st.ring.set(handPosition(st.params, q1, q2), o + 4);
    st.ring.set(handVelocity(st.params, q1, q2, w1, w2), o + 6);
  }
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
 * A feedback buffer for n arms (default 1), stepped every `dt` seconds, whose whole history is the
 * initial state x0 ([n, 4] row-major: q1, q2, q̇1, q̇2 per arm).
 */
export function createFeedback(params: ArmParams, opts: FeedbackOptions, dt: number, x0: ArrayLike<number>, n = 1): FeedbackState {
  const r = feedbackOptionsSchema.safeParse(opts, KEY_HINTS);
  if (!r.success) throw new Error(`invalid feedback options: ${formatIssues(r.error, '(feedback)')}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`number of arms must be a positive integer, got ${n}`);
  if (x0.length !== 4 * n) throw new Error(`initial state must hold ${4 * n} numbers (${n} arms × 4), got ${x0.length}`);
  const delaySteps = feedbackDelaySteps(r.data, dt);
  const capacity = Math.max(delaySteps.proprioception, delaySteps.vision) + 1;
  const st: FeedbackState = { params, opts: r.data, delaySteps, n, capacity, ring: new Float64Array(capacity * n * FEEDBACK_SIZE), head: 0 };
  record(st, x0, 0);
  const slot = n * FEEDBACK_SIZE;
  for (let s = 1; s < capacity; s++) st.ring.copyWithin(s * slot, 0, slot);
  return st;
}

/** Record the state after one more control step ([n, 4]). */
export function pushFeedback(st: FeedbackState, x: ArrayLike<number>): void {
  if (x.length !== 4 * st.n) throw new Error(`state must hold ${4 * st.n} numbers, got ${x.length}`);
  st.head = (st.head + 1) % st.capacity;
  record(st, x, st.head);
}

/**
 * The observation [n, FEEDBACK_SIZE] seen now: proprioceptive channels from `proprioceptionDelay` ago,
 * visual channels from `visionDelay` ago (the initial state when the history is shorter), plus
 * independent Gaussian noise drawn from `rng` (required when any noise std is non-zero).
 */
export function readFeedback(st: FeedbackState, rng?: Rng, out: Float64Array = new Float64Array(st.n * FEEDBACK_SIZE)): Float64Array {
  const o = st.opts;
  const sds = [
    o.jointAngleNoise,
    o.jointAngleNoise,
    o.jointVelocityNoise,
    o.jointVelocityNoise,
    o.handPositionNoise,
    o.handPositionNoise,
    o.handVelocityNoise,
    o.handVelocityNoise,
  ];
  const noisy = sds.some((v) => v > 0);
  if (noisy && !rng) throw new Error('readFeedback: a seeded Rng is required when feedback noise is non-zero');
  const slotSize = st.n * FEEDBACK_SIZE;
  const pSlot = ((st.head - st.delaySteps.proprioception) % st.capacity + st.capacity) % st.capacity;
  const vSlot = ((st.head - st.delaySteps.vision) % st.capacity + st.capacity) % st.capacity;
  for (let i = 0; i < st.n; i++) {
    for (let c = 0; c < FEEDBACK_SIZE; c++) {
      const slot = c < 4 ? pSlot : vSlot;
      let v = st.ring[slot * slotSize + i * FEEDBACK_SIZE + c];
      if (noisy && sds[c] > 0) v += sds[c] * normal(rng as Rng);
      out[i * FEEDBACK_SIZE + c] = v;
    }
  }
  return out;
}
