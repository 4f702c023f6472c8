/**
 * Reaching tasks as plain data: a zod-validated spec and a batched sampler of trials. The same trials
 * drive training (batched, differentiable plant) and closed-loop runs (one matter-js arm per trial).
 *
 * CenterOutReach: the hand starts at a fixed posture in the middle of the workspace; one of `targets`
 * targets at `radius` around it appears at t = 0 with the hold cue on; after an instructed delay the
 * hold cue turns off (go); the hand must reach and stay. Catch trials never get a go cue: hold throughout.
 * RandomReach: start posture and target drawn inside the joint limits, uniformly in joint space
 * (MotorNet's RandomTargetReach) or uniformly over the hand's workspace, so the controller generalises
 * across the workspace.
 *
 * The go cue is a visual event: it reaches the network `cueDelay` after go (the cue step of a trial),
 * standing for the visual latency and the processing before a movement starts. A trial's phases for the
 * loss count from that step, so the network cannot be asked to react before it could know (phaseAt).
 */
import { z } from 'zod';
import { randomInt, uniform, uniformIn, type Rng } from '../../core/random.ts';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';
import type { ArmParams } from '../arm-params.ts';
import { forwardKinematics, inverseKinematics } from '../dynamics.ts';
import { wholeSteps } from '../time.ts';

const DEG = Math.PI / 180;
const pair = z.tuple([z.number(), z.number()]);
/** Default control step (s). */
const DEFAULT_DT = 0.01;

export const taskSpecSchema = z
  .object({
    /** Which task: center-out, random, or a per-trial mixture of the two. */
    kind: z.enum(['center-out', 'random', 'mixed']).default('center-out'),
    /** Control step (s). */
    dt: z.number().positive().max(0.1).default(DEFAULT_DT),
    /** Trial length (s), a whole number of control steps. Default 1. */
    duration: z.number().positive().optional(),
    /** Trial length in control steps: resolved specs carry it (= duration / dt); configs written before durations were in seconds gave only this. */
    steps: z.number().int().min(2).optional(),
    /** Number of center-out targets, evenly spaced, the first at 0 rad (+x). */
    targets: z.number().int().min(1).default(8),
    /** Center-out reach distance (m). */
    radius: z.number().positive().default(0.1),
    /** Center-out start posture [shoulder, elbow] (rad). */
    startPosture: pair.default([45 * DEG, 90 * DEG]),
    /** Instructed delay range [min, max] (s, whole control steps) from trial start to go; drawn uniformly in whole steps. */
    delay: pair.default([0.2, 0.4]),
    /** Probability that a trial is a catch trial (no go cue). */
    catchProbability: z.number().min(0).max(1).default(0.1),
    /** Fraction of center-out trials in a `mixed` task. */
    centerOutFraction: z.number().min(0).max(1).default(0.5),
    /** Margin kept from the joint limits when drawing random postures (rad). */
    limitMargin: z.number().min(0).default(10 * DEG),
    /** Where random start postures and targets are uniform: in joint space (MotorNet), or in hand space (the workspace evenly covered). Default joints. */
    randomSpace: z.enum(['joints', 'hand']).default('joints'),
    /** Time from go until the network sees the go cue (s, a whole number of control steps). Default 0. */
    cueDelay: z.number().min(0).default(0),
  })
  .strict()
  .transform((t, ctx) => {
    const duration = t.duration ?? (t.steps !== undefined ? t.steps * t.dt : 1);
    let steps: number;
    try {
      steps = wholeSteps(duration, t.dt, 'task duration');
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: (err as Error).message });
      return z.NEVER;
    }
    if (t.steps !== undefined && t.steps !== steps) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: `${t.steps} steps disagree with duration ${duration} s at dt = ${t.dt} s (${steps} steps)` });
      return z.NEVER;
    }
    const times: Array<[number, string, (string | number)[]]> = [
      [t.cueDelay, 'task cueDelay', ['cueDelay']],
      [t.delay[0], 'task delay[0]', ['delay', 0]],
      [t.delay[1], 'task delay[1]', ['delay', 1]],
    ];
    for (const [seconds, what, path] of times) {
      try {
        wholeSteps(seconds, t.dt, what);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path, message: (err as Error).message });
        return z.NEVER;
      }
    }
    if (steps < 2) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: `a trial needs at least 2 control steps, ${duration} s at dt = ${t.dt} s is ${steps}` });
      return z.NEVER;
    }
    return { ...t, duration, steps };
  })
  .refine((t) => t.delay[0] <= t.delay[1], { message: 'delay must be [min, max] with min <= max' })
  .refine((t) => Math.round(t.delay[1] / t.dt) < t.steps, { message: 'the longest delay must end before the trial does' })
  .refine((t) => Math.round((t.delay[1] + t.cueDelay) / t.dt) < t.steps, { message: 'the go cue of the longest delay must reach the network before the trial ends (delay[1] + cueDelay < duration)' });

/** A resolved reaching task (times in s, distances in m, angles in rad); make one with `parseTaskSpec`. */
export type TaskSpec = z.infer<typeof taskSpecSchema>;

/** A batch of trials. Arrays are row-major with the batch index first. */
export interface TrialBatch {
  batch: number;
  steps: number;
  /** Control step (s). */
  dt: number;
  /** Initial arm state [batch, 4]: q1, q2 (rad), q̇1, q̇2 (rad/s). */
  x0: Float64Array;
  /** Start hand position [batch, 2] (m). */
  start: Float64Array;
  /** Target hand position [batch, 2] (m). */
  target: Float64Array;
  /** Step at which the hold cue turns off [batch]; equals `steps` on catch trials. */
  goStep: Int32Array;
  /** Step from which the network sees the go cue, goStep + the task's cue delay (at most `steps`) [batch]; −1 until set. */
  cueStep: Int32Array;
  /** 1 on catch trials [batch]. */
  isCatch: Uint8Array;
  /** Center-out target index, or −1 for random reaches [batch]. */
  condition: Int32Array;
  /** Direction from start to target (rad, from +x) [batch]. */
  targetAngle: Float64Array;
}

/**
 * Phase of a trial at state index s (the state after s control steps) when the network sees the go cue
 * at cueStep: the hand must still be at the start through s = cueStep (the cue turned off only as that
 * state was reached), may move freely for `reactionSteps`, must be at the target after that, and
 * `settleSteps` later must have come to rest there ('stay'; never, by default).
 */
export function phaseAt(s: number, cueStep: number, reactionSteps: number, settleSteps = Infinity): 'hold' | 'free' | 'reach' | 'stay' {
  if (s <= cueStep) return 'hold';
  if (s <= cueStep + reactionSteps) return 'free';
  if (s <= cueStep + reactionSteps + settleSteps) return 'reach';
  return 'stay';
}

/**
 * A task spec written when trial lengths were counted in control steps (`steps` without `duration`)
 * with the length in seconds, and a note of the conversion (null when nothing changed).
 */
export function convertStepDuration(task: unknown): { task: unknown; note: string | null } {
  if (task === null || typeof task !== 'object' || Array.isArray(task)) return { task, note: null };
  const t = task as Record<string, unknown>;
  if (t.duration !== undefined || typeof t.steps !== 'number') return { task, note: null };
  const dt = typeof t.dt === 'number' ? t.dt : DEFAULT_DT;
  const { steps, ...rest } = t;
  const duration = Number((steps * dt).toPrecision(12));
  return { task: { ...rest, duration }, note: `task length given in control steps was converted to seconds: steps ${steps} → duration ${duration} s (dt = ${dt} s)` };
}

/** Parse and validate a task spec (defaults filled in); throws with the offending fields named. */
export function parseTaskSpec(input: unknown): TaskSpec {
  const r = taskSpecSchema.safeParse(input ?? {}, KEY_HINTS);
  if (!r.success) throw new Error(`invalid task: ${formatIssues(r.error, '(task)')}`);
  return r.data;
}

/** The hand position of the center-out start posture (m). */
export function centerOutStart(arm: ArmParams, task: TaskSpec): [number, number] {
  return forwardKinematics(arm, task.startPosture[0], task.startPosture[1]).hand;
}

/** Center-out target k (m), at angle 2πk/targets from +x, `radius` from the start. */
export function centerOutTarget(arm: ArmParams, task: TaskSpec, k: number): [number, number] {
  const [sx, sy] = centerOutStart(arm, task);
  const a = (2 * Math.PI * k) / task.targets;
  return [sx + task.radius * Math.cos(a), sy + task.radius * Math.sin(a)];
}

/** All center-out targets (m). Throws if one is out of reach within the joint limits. */
export function centerOutTargets(arm: ArmParams, task: TaskSpec): Array<[number, number]> {
  return Array.from({ length: task.targets }, (_, k) => {
    const t = centerOutTarget(arm, task, k);
    inverseKinematics(arm, t[0], t[1]);
    return t;
  });
}

export function allocTrialBatch(batch: number, steps: number, dt: number): TrialBatch {
  return {
    batch,
    steps,
    dt,
    x0: new Float64Array(batch * 4),
    start: new Float64Array(batch * 2),
    target: new Float64Array(batch * 2),
    goStep: new Int32Array(batch),
    cueStep: new Int32Array(batch).fill(-1),
    isCatch: new Uint8Array(batch),
    condition: new Int32Array(batch),
    targetAngle: new Float64Array(batch),
  };
}

function drawGoStep(task: TaskSpec, rng: Rng): number {
  const lo = Math.round(task.delay[0] / task.dt);
  const hi = Math.round(task.delay[1] / task.dt);
  return lo + randomInt(rng, hi - lo + 1);
}

/**
 * A posture inside the joint limits less the margin: uniform in joint space, or uniform over the hand
 * positions it reaches ('hand'). Uniform joint angles put a hand-space density ∝ 1/|det J| = 1/(l1·l2·|sin q2|)
 * on the workspace, crowding the hand where the elbow is nearly straight; keeping a posture with
 * probability |sin q2| / max |sin q2| over the elbow range cancels it (rejection sampling).
 */
export function randomPosture(arm: ArmParams, task: TaskSpec, rng: Rng): [number, number] {
  const m = task.limitMargin;
  const lo = arm.qMin[1] + m;
  const hi = arm.qMax[1] - m;
  if (!(lo <= hi && arm.qMin[0] + m <= arm.qMax[0] - m)) throw new Error(`limitMargin ${m} rad leaves no posture inside the joint limits`);
  // |sin| peaks at π/2 + kπ; with no such angle in the range it peaks at an end.
  const peakInside = Math.ceil((lo - Math.PI / 2) / Math.PI) <= Math.floor((hi - Math.PI / 2) / Math.PI);
  const maxSin = peakInside ? 1 : Math.max(Math.abs(Math.sin(lo)), Math.abs(Math.sin(hi)));
  for (;;) {
    const q: [number, number] = [uniformIn(rng, arm.qMin[0] + m, arm.qMax[0] - m), uniformIn(rng, lo, hi)];
    if (task.randomSpace === 'joints' || maxSin === 0 || uniform(rng) * maxSin < Math.abs(Math.sin(q[1]))) return q;
  }
}

function cueStepOf(task: TaskSpec, steps: number, goStep: number): number {
  return Math.min(steps, goStep + Math.round(task.cueDelay / task.dt));
}

/** Fill trial `i` of `out` with a center-out trial toward target `k` (go at `goStep`, or catch). */
export function setCenterOutTrial(arm: ArmParams, task: TaskSpec, out: TrialBatch, i: number, k: number, goStep: number, isCatch: boolean): void {
  out.x0.set([task.startPosture[0], task.startPosture[1], 0, 0], i * 4);
  out.start.set(centerOutStart(arm, task), i * 2);
  out.target.set(centerOutTarget(arm, task, k), i * 2);
  out.condition[i] = k;
  out.targetAngle[i] = (2 * Math.PI * k) / task.targets;
  out.isCatch[i] = isCatch ? 1 : 0;
  out.goStep[i] = isCatch ? out.steps : goStep;
  out.cueStep[i] = cueStepOf(task, out.steps, out.goStep[i]);
}

function setRandomTrial(arm: ArmParams, task: TaskSpec, out: TrialBatch, i: number, rng: Rng): void {
  const q = randomPosture(arm, task, rng);
  const qt = randomPosture(arm, task, rng);
  const s = forwardKinematics(arm, q[0], q[1]).hand;
  const t = forwardKinematics(arm, qt[0], qt[1]).hand;
  out.x0.set([q[0], q[1], 0, 0], i * 4);
  out.start.set(s, i * 2);
  out.target.set(t, i * 2);
  out.condition[i] = -1;
  out.targetAngle[i] = Math.atan2(t[1] - s[1], t[0] - s[0]);
  const isCatch = uniform(rng) < task.catchProbability;
  out.isCatch[i] = isCatch ? 1 : 0;
  out.goStep[i] = isCatch ? out.steps : drawGoStep(task, rng);
  out.cueStep[i] = cueStepOf(task, out.steps, out.goStep[i]);
}

/** Draw `batch` fresh trials from the task's distribution (positions in m, angles in rad, steps of task.dt s; arrays [batch, …] as in TrialBatch). */
export function sampleTrials(arm: ArmParams, task: TaskSpec, batch: number, rng: Rng): TrialBatch {
  const out = allocTrialBatch(batch, task.steps, task.dt);
  for (let i = 0; i < batch; i++) {
    const centerOut = task.kind === 'center-out' || (task.kind === 'mixed' && uniform(rng) < task.centerOutFraction);
    if (centerOut) {
      const isCatch = uniform(rng) < task.catchProbability;
      setCenterOutTrial(arm, task, out, i, randomInt(rng, task.targets), drawGoStep(task, rng), isCatch);
    } else {
      setRandomTrial(arm, task, out, i, rng);
    }
  }
  return out;
}

/**
 * The task's reference conditions for analysis and closed-loop runs: one center-out trial per target,
 * `repeats` times, with the go cue at `goTime` (s) — no randomness, so conditions align across trials.
 */
export function centerOutConditions(arm: ArmParams, task: TaskSpec, goTime: number, repeats = 1): TrialBatch {
  const goStep = Math.round(goTime / task.dt);
  if (goStep < 1 || goStep >= task.steps) throw new Error(`go time ${goTime} s is outside the trial (${task.steps * task.dt} s)`);
  centerOutTargets(arm, task);
  const out = allocTrialBatch(task.targets * repeats, task.steps, task.dt);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < task.targets; k++) setCenterOutTrial(arm, task, out, r * task.targets + k, k, goStep, false);
  }
  return out;
}
