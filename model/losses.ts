/**
 * Losses and regularisers, named as in MotorNet: hand-to-target position after the go cue (skipping a
 * reaction window), holding still at the start before go, hand speed while holding, effort (the
 * controller's output², torques or muscle inputs), activity (rate²) and weight L2. Each term has a
 * weight; every component is reported separately. Phases count from the step at which the network sees
 * the go cue (sim/tasks/task-spec.ts, phaseAt).
 *
 * Speed: the hand's velocity, charged like a distance (smoothed L1 in the reach's frame), before go and
 * from `settleTime` after the reaction window on. The position term alone lets a hand circle the target
 * within the smoothing length; training on 1.2 s trials then left a 4 Hz oscillation of up to 12 mm
 * that grew once the trial was over. Charging speed while the hand should be still damps it. The distance
 * to the target can weigh more once the hand should have settled (`stay`, in the position component), as
 * the start does before go (`hold`): with the reach's weight a trained hand came to rest 1.5–2.5 mm off its
 * target; the default's stay of 4 brings that to 1.2–2.4 mm, what is left mostly the hand's response to
 * sensory noise.
 *
 * Hold drive: the readout's drive W_out·h (the outputs before the actuator's bias and range) while the
 * hand must hold still at the start. A linear (torque) readout turns any drive into torque, which the hold
 * term charges; a bounded (muscle) readout held near its floor does not, so drive below the muscles'
 * recruitment is free and preparation spread into the readout's row space (measured with the muscle
 * default: prep/move variance ratio in the output-potent space 0.66 of the output-null one, the torque
 * default 0.05). Charging it asks what Kaufman et al. (2014) propose cortex does before a movement:
 * prepare in the readout's null space. The hold phase is the hold term's (phaseAt); the term is reported in
 * the effort component (both charge the controller's output).
 *
 * Position, hold, speed, effort and activity are means over trials × steps (activity also over units, effort
 * summed over the outputs), so that their scale does not depend on
 * batch size or trial length. Hand-to-goal distance is an L1 distance, as MotorNet's position loss,
 * but taken in the reach's own frame: |Δ along the start→target line| + |Δ across it|, each term
 * smoothed as √(Δ² + ε²) − ε so the gradient is defined at the goal. The Euclidean distance charges a
 * sideways excursion only at second order while the hand is far from the goal, and L1 in fixed x, y
 * axes does the same for diagonal reaches; in the reach frame a sideways excursion costs at first order
 * in every direction, which keeps paths straight (measured with the default training: worst center-out
 * path deviation 9.7 % of the reach with the Euclidean distance, 12 % with L1 in x, y, 4.3 % with this).
 */
import { z } from 'zod';

export const lossSpecSchema = z.object({
  /** Weight of the hand-to-target L1 distance after go + reaction window (per m). */
  position: z.number().min(0).default(1),
  /** Weight of the hand-to-start L1 distance before the go cue and throughout catch trials (per m). */
  hold: z.number().min(0).default(4),
  /** Weight of the squared joint torques, summed over joints, mean over trials × steps (per (N·m)²). */
  effort: z.number().min(0).default(5e-4),
  /** Weight of the mean squared hidden activity. */
  activity: z.number().min(0).default(1e-2),
  /** Weight of the summed squared weights of all weight matrices (not biases). */
  weight: z.number().min(0).default(1e-5),
  /** Weight of the hand's smoothed L1 speed in the reach's frame while it should be still: before go and from `settleTime` after the reaction window (per m/s). Default 0. */
  speed: z.number().min(0).default(0),
  /** Smoothing speed of each velocity coordinate's penalty (m/s). */
  speedEpsilon: z.number().positive().default(0.01),
  /** Weight of the hand-to-target L1 distance once the hand should have settled (from `settleTime` after the reaction window), in place of `position` there (per m). Default: `position`. */
  stay: z.number().min(0).optional(),
  /** Factor on `position` for the hand's distance across the line from start to target while it reaches (before `settleTime`): above 1 it asks for straighter paths. Default 1. */
  lateralFactor: z.number().min(0).default(1),
  /** Weight of the squared readout drive W_out·h, summed over outputs, mean over trials × steps, while the hand must hold still before the go cue (per (output unit)²; before a bounded readout's range); reported in `effort`. Default 0. */
  holdDrive: z.number().min(0).default(0),
  /** Time from the end of the reaction window until the hand must be at rest on the target, when its speed starts being charged and `stay` weighs its distance (s). */
  settleTime: z.number().min(0).default(0.6),
  /** Time after the go cue reaches the network during which position is not penalised (s). */
  reactionWindow: z.number().min(0).default(0.15),
  /** Smoothing length of each coordinate's distance penalty (m); within it the penalty is quadratic, so the hand brakes into the target (2 mm gave overshoot corrections on 2 of 8 reaches). */
  epsilon: z.number().positive().default(0.005),
  /** Smoothing length of the distance penalty once the hand should have settled (m). Default: `epsilon`. Shorter, the pull stays near full strength within a few millimetres of the target (the muscle default's 2–4 mm rest offset did not shrink at 0.002). */
  stayEpsilon: z.number().positive().optional(),
}).strict();
/** Loss weights (dimensionless) of the training objective's terms. */
export type LossSpec = z.infer<typeof lossSpecSchema>;

/** Loss components of one batch, weighted; `total` is their sum. */
export interface LossComponents {
  position: number;
  hold: number;
  speed: number;
  effort: number;
  activity: number;
  weight: number;
  total: number;
}

export const LOSS_NAMES = ['position', 'hold', 'speed', 'effort', 'activity', 'weight'] as const;

/** Schema of stored loss components (checkpoints, training logs). */
export const lossComponentsSchema = z.object({
  position: z.number(),
  hold: z.number(),
  /** Absent in logs written before the speed term: 0. */
  speed: z.number().default(0),
  effort: z.number(),
  activity: z.number(),
  weight: z.number(),
  total: z.number(),
});

export function emptyLoss(): LossComponents {
  return { position: 0, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 0 };
}

/** The sum of the weighted components. */
export function lossTotal(l: LossComponents): number {
  return l.position + l.hold + l.speed + l.effort + l.activity + l.weight;
}


/**
 * Smoothed L1 distance from hand (hx, hy) to goal (gx, gy) in the frame whose first axis is the unit
 * vector (ux, uy) (the reach direction), scaled by `w`, its across component also by `f`; writes ∂/∂hand
 * into g[0..1], returns the value. With f = 1 the arithmetic is that of the plain penalty, bit for bit, so
 * controllers trained before `f` existed still reproduce.
 */
export function distancePenalty(hx: number, hy: number, gx: number, gy: number, ux: number, uy: number, eps: number, w: number, g: Float64Array, f = 1): number {
  const dx = hx - gx;
  const dy = hy - gy;
  const a = dx * ux + dy * uy;
  const l = dy * ux - dx * uy;
  const sa = Math.sqrt(a * a + eps * eps);
  const sl = Math.sqrt(l * l + eps * eps);
  g[0] = w * ((a / sa) * ux - f * (l / sl) * uy);
  g[1] = w * ((a / sa) * uy + f * (l / sl) * ux);
  return w * (sa + f * sl - (1 + f) * eps);
}

/** Unit vector from start to target of trial b, or +x for a zero-length reach. */
export function reachDirection(start: Float64Array, target: Float64Array, b: number): [number, number] {
  const dx = target[b * 2] - start[b * 2];
  const dy = target[b * 2 + 1] - start[b * 2 + 1];
  const d = Math.hypot(dx, dy);
  return d > 1e-9 ? [dx / d, dy / d] : [1, 0];
}
