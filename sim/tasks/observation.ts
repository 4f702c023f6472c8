/**
 * What the controller sees each control step: the task's target and hold cue, followed by the delayed,
 * noisy sensory feedback of sim/feedback.ts (proprioception, then vision), as in MotorNet's environments.
 * Training and closed-loop runs build observations with this one function.
 */
import type { Rng } from '../../core/random.ts';
import { FEEDBACK_CHANNELS, FEEDBACK_SIZE, readFeedback, type FeedbackOptions, type FeedbackState } from '../feedback.ts';

/** Names and units of the observation vector's entries, in order. */
export const OBSERVATION_CHANNELS = [
  { name: 'target_x', unit: 'm' },
  { name: 'target_y', unit: 'm' },
  { name: 'hold', unit: '1' },
  ...FEEDBACK_CHANNELS.map(({ name, unit }) => ({ name, unit })),
] as const;
export const OBSERVATION_SIZE = OBSERVATION_CHANNELS.length;
/** Offset of the feedback block in the observation. */
export const FEEDBACK_OFFSET = 3;

/** Default feedback for training and runs: MotorNet-like delays (proprioception 20 ms, vision 50 ms) and small sensor noise. */
export const DEFAULT_FEEDBACK: Required<FeedbackOptions> = {
  proprioceptionDelay: 0.02,
  visionDelay: 0.05,
  jointAngleNoise: 0.001,
  jointVelocityNoise: 0.01,
  handPositionNoise: 0.001,
  handVelocityNoise: 0.01,
};

/** The same options with every noise std set to zero (for noise-free evaluation). */
export function noiseless(opts: FeedbackOptions): FeedbackOptions {
  return { ...opts, jointAngleNoise: 0, jointVelocityNoise: 0, handPositionNoise: 0, handVelocityNoise: 0 };
}

/**
 * Observation at control step t for the batch of arms in `feedback`: target [batch, 2] (m), hold cue 1
 * while t < goStep[b], then the feedback read now (noise from `rng`). Writes [batch, OBSERVATION_SIZE].
 */
export function observe(
  feedback: FeedbackState,
  t: number,
  target: ArrayLike<number>,
  goStep: ArrayLike<number>,
  rng: Rng | undefined,
  scratch: Float64Array,
  out: Float32Array,
): void {
  readFeedback(feedback, rng, scratch);
  for (let b = 0; b < feedback.n; b++) {
    const o = b * OBSERVATION_SIZE;
    out[o] = target[b * 2];
    out[o + 1] = target[b * 2 + 1];
    out[o + 2] = t < goStep[b] ? 1 : 0;
    for (let c = 0; c < FEEDBACK_SIZE; c++) out[o + FEEDBACK_OFFSET + c] = scratch[b * FEEDBACK_SIZE + c];
  }
}

/** Index of the arm state a channel delayed by `delay` steps shows at step t (the initial state before). */
export function delayedIndex(t: number, delay: number): number {
  return t - delay < 0 ? 0 : t - delay;
}
