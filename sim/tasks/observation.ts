/**
 * What the controller sees each control step: the task's target and hold cue, followed by the delayed,
 * noisy sensory feedback of sim/feedback.ts (the body's proprioception, then vision), as in MotorNet's
 * environments. Training and closed-loop runs build observations with this one function.
 */
import type { Rng } from '../../core/random.ts';
import type { ArmParams } from '../arm-params.ts';
import type { Body } from '../body.ts';
import { FEEDBACK_CHANNELS, feedbackChannels, readFeedback, type FeedbackOptions, type FeedbackState } from '../feedback.ts';

/** Task channels at the head of every observation. */
const TASK_CHANNELS = [
  { name: 'target_x', unit: 'm' },
  { name: 'target_y', unit: 'm' },
  { name: 'hold', unit: '1' },
] as const;

/** Names and units of a body's observation entries, in order: target, hold cue, then its feedback channels. */
export function observationChannels(b: Body | ArmParams): Array<{ name: string; unit: string }> {
  return [...TASK_CHANNELS, ...feedbackChannels(b).map(({ name, unit }) => ({ name, unit }))];
}

/** Length of a body's observation. */
export function observationSize(b: Body | ArmParams): number {
  return observationChannels(b).length;
}

/** Names and units of the torque arm's observation entries, in order. */
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
  muscleLengthNoise: 0.001,
  muscleVelocityNoise: 0.01,
};

/** The same options with every noise std set to zero (for noise-free evaluation). */
export function noiseless(opts: FeedbackOptions): FeedbackOptions {
  return { ...opts, jointAngleNoise: 0, jointVelocityNoise: 0, handPositionNoise: 0, handVelocityNoise: 0, muscleLengthNoise: 0, muscleVelocityNoise: 0 };
}

/**
 * Observation at control step t for the batch of arms in `feedback`: target [batch, 2] (m), hold cue 1
 * while t < goStep[b], then the feedback read now (noise from `rng`). Writes [batch, 3 + feedback.size].
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
  const size = feedback.size;
  const stride = FEEDBACK_OFFSET + size;
  for (let b = 0; b < feedback.n; b++) {
    const o = b * stride;
    out[o] = target[b * 2];
    out[o + 1] = target[b * 2 + 1];
    out[o + 2] = t < goStep[b] ? 1 : 0;
    for (let c = 0; c < size; c++) out[o + FEEDBACK_OFFSET + c] = scratch[b * size + c];
  }
}

/** Index of the arm state a channel delayed by `delay` steps shows at step t (the initial state before). */
export function delayedIndex(t: number, delay: number): number {
  return t - delay < 0 ? 0 : t - delay;
}
