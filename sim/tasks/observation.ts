/**
 * What the controller sees each control step: the task's target and hold cue, plus delayed, noisy
 * sensory feedback (vision: hand position and velocity; proprioception: joint angles and velocities),
 * as in MotorNet's environments. One function builds it for a batch from the history of arm states,
 * so training and closed-loop runs feed the network identical observations.
 */
import { z } from 'zod';
import { normal, type Rng } from '../../core/random.ts';
import type { ArmParams } from '../arm-params.ts';
import { handState } from '../hand-jacobian.ts';

export const observationSpecSchema = z.object({
  /** Visual feedback delay (control steps): hand position and velocity. */
  visionDelay: z.number().int().min(0).default(5),
  /** Proprioceptive feedback delay (control steps): joint angles and velocities. */
  proprioDelay: z.number().int().min(0).default(2),
  /** Noise std on the seen hand position (m). */
  visionPositionNoise: z.number().min(0).default(0.001),
  /** Noise std on the seen hand velocity (m/s). */
  visionVelocityNoise: z.number().min(0).default(0.01),
  /** Noise std on the sensed joint angles (rad). */
  proprioAngleNoise: z.number().min(0).default(0.001),
  /** Noise std on the sensed joint velocities (rad/s). */
  proprioVelocityNoise: z.number().min(0).default(0.01),
});
export type ObservationSpec = z.infer<typeof observationSpecSchema>;

/** Names and units of the observation vector's entries, in order. */
export const OBSERVATION_CHANNELS = [
  { name: 'target_x', unit: 'm' },
  { name: 'target_y', unit: 'm' },
  { name: 'hold', unit: '1' },
  { name: 'hand_x', unit: 'm' },
  { name: 'hand_y', unit: 'm' },
  { name: 'hand_vx', unit: 'm/s' },
  { name: 'hand_vy', unit: 'm/s' },
  { name: 'q1', unit: 'rad' },
  { name: 'q2', unit: 'rad' },
  { name: 'qd1', unit: 'rad/s' },
  { name: 'qd2', unit: 'rad/s' },
] as const;
export const OBSERVATION_SIZE = OBSERVATION_CHANNELS.length;
/** Offset of the visual (hand) and proprioceptive (joint) blocks in the observation. */
export const VISION_OFFSET = 3;
export const PROPRIO_OFFSET = 7;

/** Index of the arm state seen at step t with delay d: states before the trial are its initial state. */
export function delayedIndex(t: number, delay: number): number {
  return t - delay < 0 ? 0 : t - delay;
}

const hs = new Float64Array(4);

/**
 * Observation at control step t for a batch: `states(s)` returns the arm states [batch, 4] at step s ≤ t;
 * target [batch, 2] (m), hold cue 1 while t < goStep[b]. Writes [batch, OBSERVATION_SIZE] into `out`.
 * `rng` null gives noise-free feedback.
 */
export function observe(
  arm: ArmParams,
  spec: ObservationSpec,
  t: number,
  batch: number,
  states: (s: number) => Float64Array,
  target: Float64Array,
  goStep: Int32Array,
  rng: Rng | null,
  out: Float32Array,
): void {
  const sv = states(delayedIndex(t, spec.visionDelay));
  const sp = states(delayedIndex(t, spec.proprioDelay));
  const nv = [spec.visionPositionNoise, spec.visionPositionNoise, spec.visionVelocityNoise, spec.visionVelocityNoise];
  const np = [spec.proprioAngleNoise, spec.proprioAngleNoise, spec.proprioVelocityNoise, spec.proprioVelocityNoise];
  for (let b = 0; b < batch; b++) {
    const o = b * OBSERVATION_SIZE;
    out[o] = target[b * 2];
    out[o + 1] = target[b * 2 + 1];
    out[o + 2] = t < goStep[b] ? 1 : 0;
    handState(arm, sv.subarray(b * 4, b * 4 + 4), hs);
    for (let i = 0; i < 4; i++) {
      out[o + VISION_OFFSET + i] = hs[i] + (rng && nv[i] > 0 ? nv[i] * normal(rng) : 0);
      out[o + PROPRIO_OFFSET + i] = sp[b * 4 + i] + (rng && np[i] > 0 ? np[i] * normal(rng) : 0);
    }
  }
}
