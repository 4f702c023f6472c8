/**
 * Losses and regularisers, named as in MotorNet: hand-to-target position after the go cue (skipping a
 * reaction window), holding still at the start before go, effort (torque²), activity (rate²) and weight
 * L2. Each term has a weight; every component is reported separately.
 *
 * All terms are means over trials × steps (× units for activity) so that their scale does not depend on
 * batch size or trial length. Distances use √(d² + ε²) so the gradient is defined at the target.
 */
import { z } from 'zod';

export const lossSpecSchema = z.object({
  /** Weight of the hand-to-target distance after go + reaction window (per m). */
  position: z.number().min(0).default(1),
  /** Weight of the hand-to-start distance before the go cue and throughout catch trials (per m). */
  hold: z.number().min(0).default(4),
  /** Weight of the mean squared joint torque (per (N·m)²). */
  effort: z.number().min(0).default(1e-4),
  /** Weight of the mean squared hidden activity. */
  activity: z.number().min(0).default(1e-2),
  /** Weight of the summed squared weights of all weight matrices (not biases). */
  weight: z.number().min(0).default(1e-5),
  /** Time after the go cue during which position is not penalised (s). */
  reactionWindow: z.number().min(0).default(0.15),
  /** Smoothing length of the distance penalty (m). */
  epsilon: z.number().positive().default(0.002),
});
export type LossSpec = z.infer<typeof lossSpecSchema>;

/** Loss components of one batch, weighted; `total` is their sum. */
export interface LossComponents {
  position: number;
  hold: number;
  effort: number;
  activity: number;
  weight: number;
  total: number;
}

export const LOSS_NAMES = ['position', 'hold', 'effort', 'activity', 'weight'] as const;

export function emptyLoss(): LossComponents {
  return { position: 0, hold: 0, effort: 0, activity: 0, weight: 0, total: 0 };
}

/** Which penalty applies to the hand at step s (state index) of a trial whose go cue is at goStep. */
export function phaseAt(s: number, goStep: number, reactionSteps: number): 'hold' | 'free' | 'reach' {
  if (s <= goStep) return 'hold';
  if (s <= goStep + reactionSteps) return 'free';
  return 'reach';
}

/**
 * Smoothed distance from hand (hx, hy) to (gx, gy), scaled by `w`; writes ∂/∂hand into g[0..1] and returns
 * the value.
 */
export function distancePenalty(hx: number, hy: number, gx: number, gy: number, eps: number, w: number, g: Float64Array): number {
  const dx = hx - gx;
  const dy = hy - gy;
  const d = Math.sqrt(dx * dx + dy * dy + eps * eps);
  g[0] = (w * dx) / d;
  g[1] = (w * dy) / d;
  return w * (d - eps);
}
