/**
 * ReachEnv: one reaching trial at a time with the Gymnasium task contract (`reset({seed, options})`,
 * `step(action)`), on the matter-js arm (default) or the analytic arm.
 *
 * Description: a two-joint arm in the horizontal plane (torque motors or muscles) starts at rest; the target is shown from t = 0
 *   with the hold cue on; when the cue turns off (go) the hand must move to the target and stay there.
 *   Catch trials have no go cue. Tasks: center-out (fixed start, `targets` targets at `radius`) or random.
 * Observation space: Float32Array [observationSize(body)] = target_x, target_y (m), hold cue (0/1), then
 *   delayed noisy proprioception (torque arm: q1, q2 (rad), q̇1, q̇2 (rad/s); muscle arm: fibre lengths
 *   l/l_opt and lengthening velocities v/v_max) and vision hand_x, hand_y (m), hand_vx, hand_vy (m/s)
 *   (see observationChannels and sim/feedback.ts for delays and noise).
 * Action space: the actuator's inputs, held for one control step dt: joint torques [τ_shoulder, τ_elbow]
 *   (N·m, unbounded) or muscle excitations (dimensionless, used clipped to the actuator's inputRange).
 * Reward: −(Euclidean distance from hand to the current goal) (m) after the step: the start position
 *   up to the state reached as the go cue reaches the network (the task's cueDelay after go), the target after (`phaseAt`, the boundary training
 *   uses). Training (model/losses.ts) instead penalises an L1 distance in the reach's frame, skips a
 *   reaction window after go, and adds effort, activity and weight regularisers.
 * Episode end: never terminated early; truncated after `task.steps` steps.
 */
import { createRng, type Rng } from '../../core/random.ts';
import type { ArmParams } from '../arm-params.ts';
import { stepBody } from '../body-step.ts';
import { asBody, bodyStateSize, restBodyState, type Body } from '../body.ts';
import { handPosition, handVelocity, type Vec2 } from '../dynamics.ts';
import { createFeedback, feedbackSize, pushFeedback, type FeedbackOptions, type FeedbackState } from '../feedback.ts';
import { NO_FIELD, type ForceField } from '../force-fields.ts';
import { createMatterBody, type MatterArm } from '../matter-arm.ts';
import { observationChannels, observe } from './observation.ts';
import { allocTrialBatch, phaseAt, sampleTrials, setCenterOutTrial, type TaskSpec, type TrialBatch } from './task-spec.ts';

/** Which arm integrates the dynamics: matter-js (1 ms engine updates) or the analytic RK4 arm. */
export type ArmEngine = 'matter' | 'analytic';

/** Options of `new ReachEnv(…)`: the body, the task (control step task.dt, s) and the sensory feedback. */
export interface ReachEnvOptions {
  /** The body (a bare skeleton: the torque-driven arm). */
  arm: Body | ArmParams;
  task: TaskSpec;
  /** Sensory feedback delays (control steps) and noise stds. */
  feedback: FeedbackOptions;
  /** Which arm: matter-js (1 ms engine updates) or the analytic RK4 arm. Default matter. */
  engine?: ArmEngine;
  /** External hand force during every trial (time from trial start). Default none. */
  field?: ForceField;
  /** RK4 substeps per control step for the analytic arm. Default 10 (1 ms, like matter-js). */
  analyticSubsteps?: number;
}

/** Which trial `reset` starts: one of a batch, a center-out condition (go time in s), or a randomly drawn one (default). */
export interface ResetOptions {
  /** Play trial `index` of this batch (e.g. from `centerOutConditions`). */
  trials?: TrialBatch;
  index?: number;
  /** Center-out target to reach to, with the go cue at `goTime` (s), or a catch trial. */
  condition?: number;
  goTime?: number;
  catch?: boolean;
}

/** The noise-free truth after a step: body state (rad, rad/s, actuator state), hand position (m) and velocity (m/s). */
export interface StepInfo {
  /** Control step just reached. */
  t: number;
  /** Body state [q1, q2, q̇1, q̇2, actuator state…] (rad, rad/s, then e.g. activations) and hand position / velocity (m, m/s), noise-free. */
  state: Float64Array;
  hand: Vec2;
  handVelocity: Vec2;
  /** Whether the hold cue is on at this step. */
  hold: boolean;
}

/** What `step` returns (Gymnasium order): observation [observationSize], reward (−distance to goal, m), end flags, info. */
export interface StepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

/** A reaching environment over one arm; owns a matter-js engine when engine = matter: call dispose(). */
export class ReachEnv {
  readonly observationSpace: { shape: [number]; channels: Array<{ name: string; unit: string }> };
  readonly actionSpace: { shape: [number]; unit: string; names: readonly string[]; range: readonly [number, number] | null };
  /** The body driven. */
  readonly body: Body;
  /** The trial being played (batch of one). */
  readonly trial: TrialBatch;
  private readonly opts: Required<Omit<ReachEnvOptions, 'field' | 'arm'>> & { field: ForceField };
  private matter: MatterArm | null = null;
  private readonly x: Float64Array;
  private feedback: FeedbackState | null = null;
  private rng: Rng = createRng(0);
  private t = 0;
  private readonly obs: Float32Array;
  private readonly fbScratch: Float64Array;

  /** An environment for `opts.arm` playing `opts.task` (control step `task.dt`, s); observation and action sizes follow the body. */
  constructor(opts: ReachEnvOptions) {
    const { arm, ...rest } = opts;
    this.body = asBody(arm);
    this.opts = { engine: 'matter', analyticSubsteps: 10, field: NO_FIELD, ...rest };
    this.trial = allocTrialBatch(1, opts.task.steps, opts.task.dt);
    const channels = observationChannels(this.body);
    const act = this.body.actuator;
    this.observationSpace = { shape: [channels.length], channels };
    this.actionSpace = { shape: [act.nInputs], unit: act.inputUnit, names: act.inputNames, range: act.inputRange };
    this.x = new Float64Array(bodyStateSize(this.body));
    this.obs = new Float32Array(channels.length);
    this.fbScratch = new Float64Array(feedbackSize(this.body));
  }

  /** Start a trial; `seed` reseeds the sensory noise (and a randomly drawn trial). */
  reset(args: { seed?: number; options?: ResetOptions } = {}): { observation: Float32Array; info: StepInfo } {
    const { task } = this.opts;
    const arm = this.body.skeleton;
    if (args.seed !== undefined) this.rng = createRng(args.seed);
    const o = args.options ?? {};
    const tr = this.trial;
    if (o.trials) {
      const i = o.index ?? 0;
      if (o.trials.steps !== task.steps || !(i >= 0 && i < o.trials.batch)) throw new Error(`reset: trial ${i} is not in the given batch of ${o.trials.batch} × ${o.trials.steps} steps`);
      copyTrial(o.trials, i, tr);
    } else if (o.condition !== undefined) {
      if (!(Number.isInteger(o.condition) && o.condition >= 0 && o.condition < task.targets)) throw new Error(`reset: condition must be 0..${task.targets - 1}, got ${o.condition}`);
      const goStep = Math.round((o.goTime ?? task.delay[0]) / task.dt);
      if (!(goStep >= 1 && goStep < task.steps)) throw new Error(`reset: go time ${o.goTime} s is outside the trial (${task.steps * task.dt} s)`);
      setCenterOutTrial(arm, task, tr, 0, o.condition, goStep, o.catch ?? false);
    } else {
      copyTrial(sampleTrials(arm, task, 1, this.rng), 0, tr);
    }
    const x0 = tr.x0;
    this.x.set(restBodyState(this.body, [x0[0], x0[1]], [x0[2], x0[3]]));
    this.matter?.dispose();
    this.matter = null;
    if (this.opts.engine === 'matter') {
      this.matter = createMatterBody(this.body, { q0: [x0[0], x0[1]], qd0: [x0[2], x0[3]] });
      this.matter.setForceField(this.opts.field);
    }
    this.feedback = createFeedback(this.body, this.opts.feedback, task.dt, x0, 1);
    this.t = 0;
    observe(this.feedback, 0, tr.target, tr.cueStep, this.rng, this.fbScratch, this.obs);
    return { observation: this.obs, info: this.info() };
  }

  /** Change the external hand force from the next step on (until changed again; reset keeps it). */
  setForceField(field: ForceField): void {
    this.opts.field = field;
    this.matter?.setForceField(field);
  }

  /** Apply the actuator's inputs (joint torques in N·m, or muscle excitations) for one control step. */
  step(action: Float64Array | Float32Array | number[]): StepResult {
    if (!this.feedback) throw new Error('step: call reset() first');
    const act = this.body.actuator;
    if (action.length !== act.nInputs || !Array.prototype.every.call(action, Number.isFinite)) {
      throw new Error(`step: the action must be ${act.nInputs === 2 ? 'two' : act.nInputs} finite ${act.inputNoun} (${act.inputUnit}), got [${Array.from(action).join(', ')}]`);
    }
    const { task } = this.opts;
    if (this.matter) {
      this.matter.step(action, task.dt);
      this.matter.getState(this.x);
      this.x.set(this.matter.actuatorState, 4);
    } else {
      stepBody(this.body, this.x, action, task.dt, this.x, { substeps: this.opts.analyticSubsteps, handForce: this.opts.field, t: this.t * task.dt });
    }
    this.t++;
    pushFeedback(this.feedback, this.x);
    const tr = this.trial;
    observe(this.feedback, this.t, tr.target, tr.cueStep, this.rng, this.fbScratch, this.obs);
    const info = this.info();
    const goal = phaseAt(this.t, tr.cueStep[0], 0) === 'hold' ? tr.start : tr.target;
    const reward = -Math.hypot(info.hand[0] - goal[0], info.hand[1] - goal[1]);
    return { observation: this.obs, reward, terminated: false, truncated: this.t >= task.steps, info };
  }

  private info(): StepInfo {
    const x = this.x;
    return {
      t: this.t,
      state: Float64Array.from(x),
      hand: handPosition(this.body.skeleton, x[0], x[1]),
      handVelocity: handVelocity(this.body.skeleton, x[0], x[1], x[2], x[3]),
      hold: this.t < this.trial.goStep[0],
    };
  }

  /** Free the matter-js engine (a no-op for the analytic arm); the environment is unusable afterwards. */
  dispose(): void {
    this.matter?.dispose();
    this.matter = null;
  }
}

function copyTrial(from: TrialBatch, i: number, to: TrialBatch): void {
  to.x0.set(from.x0.subarray(i * 4, i * 4 + 4));
  to.start.set(from.start.subarray(i * 2, i * 2 + 2));
  to.target.set(from.target.subarray(i * 2, i * 2 + 2));
  to.goStep[0] = from.goStep[i];
  to.cueStep[0] = from.cueStep[i];
  to.isCatch[0] = from.isCatch[i];
  to.condition[0] = from.condition[i];
  to.targetAngle[0] = from.targetAngle[i];
}
