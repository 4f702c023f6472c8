/**
 * Closed-loop runs: a trained controller drives the matter-js arm (or the analytic arm) trial by trial,
 * seeing only the delayed, noisy feedback of sim/feedback.ts, and everything is recorded.
 *
 * Sample t of a trial is at time t·dt: the arm state then, the observation the network saw then, the
 * hidden state it computed from it, and the torque it applied over [t·dt, (t+1)·dt).
 */
import { createRng, forkRng, streamSeed } from '../core/random.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { asBody, readMuscles, type Body } from '../sim/body.ts';
import type { FeedbackOptions } from '../sim/feedback.ts';
import type { ForceField } from '../sim/force-fields.ts';
import { observationSize } from '../sim/tasks/observation.ts';
import { ReachEnv, type ArmEngine } from '../sim/tasks/reach-env.ts';
import { parseTaskSpec, type TrialBatch } from '../sim/tasks/task-spec.ts';
import { cellOf, type StatePart } from './cells/index.ts';
import { controllerAdvance, controllerReadout, createController, resetController } from './controller-step.ts';
import { beginTrial, endTrial, intervene, type InterventionPlan } from './interventions/apply.ts';
import type { NetworkParams, NetworkSpec } from './network.ts';

export type { ArmEngine };

/** Options of `runClosedLoop`: engine, feedback delays (s) and noise, force field, hidden noise. */
export interface ClosedLoopOptions {
  /** Which arm the controller drives. */
  engine: ArmEngine;
  /** Sensory feedback delays (s) and noise stds. */
  feedback: FeedbackOptions;
  /** External hand force during every trial (field, pulses; time from trial start). Default none. */
  field?: ForceField;
  /** Std of noise on hidden pre-activations (activity units). Default 0: a noise-free network. */
  hiddenNoise?: number;
  /** RK4 substeps per control step for the analytic engine. Default 10 (1 ms, like matter-js). */
  analyticSubsteps?: number;
  /** Interventions (model/interventions/), planned for the run's trials. Default none. */
  interventions?: InterventionPlan;
  /** Index in the plan of this batch's first trial (runs played in pieces). Default 0. */
  trialOffset?: number;
}

/** Which intervention acted where: intervention k acted at step t of trial b ⇔ mask[(b·T + t)·K + k] = 1. */
export interface InterventionRecord {
  ids: string[];
  /** [trials, times, interventions]. */
  mask: Uint8Array;
  /** Movement onset as the interventions detected it, online (step; −1: none): [trials]. */
  onsetStep: Int32Array;
}

/** Muscle quantities of a closed-loop run, each [trials, times, muscles] row-major. */
export interface MuscleRecording {
  /** Muscle names, in the order of the last axis. */
  names: string[];
  /** Excitation (the network's output; dimensionless, used clipped to [0.001, 1]). */
  excitation: Float32Array;
  /** Activation (dimensionless, 0–1). */
  activation: Float32Array;
  /** Tension (N). */
  force: Float32Array;
  /** Fibre length (m). */
  length: Float32Array;
  /** Lengthening velocity (m/s; negative when shortening). */
  velocity: Float32Array;
}

/** Everything recorded in a set of closed-loop trials; arrays are [trials, times, …] row-major. */
export interface Recording {
  trials: TrialBatch;
  /** Sample times from trial start (s): [times]. */
  times: Float64Array;
  /** Network inputs (units per observationChannels(body)): [trials, times, inputs]. */
  inputs: Float32Array;
  /** Hidden activity (the cell's output h): [trials, times, units]. */
  hidden: Float32Array;
  /** The cell's other state blocks (an LSTM's c), each [trials, times, units], in the cell's order. */
  extraStates: Array<{ part: StatePart; data: Float32Array }>;
  /** Joint torques (N·m) over [t·dt, (t+1)·dt): the network's outputs for torque motors, the muscles' torques at the sample for muscles: [trials, times, 2]. */
  torques: Float32Array;
  /** Muscle bodies only: the network's excitations and the muscles' state at each sample. */
  muscles?: MuscleRecording;
  /** Joint angles (rad): [trials, times, 2]. */
  jointAngles: Float64Array;
  /** Joint velocities (rad/s): [trials, times, 2]. */
  jointVelocities: Float64Array;
  /** Hand position (m): [trials, times, 2]. */
  handPosition: Float64Array;
  /** Hand velocity (m/s): [trials, times, 2]. */
  handVelocity: Float64Array;
  engine: ArmEngine;
  /** Present when the run had interventions. */
  interventions?: InterventionRecord;
}

/**
 * Run every trial of `trials` closed loop with the given controller on body `arm` (a bare skeleton: the
 * torque-driven arm), one ReachEnv episode per trial. Trial b's sensory and hidden noise come from
 * streamSeed(seed, trialOffset + b) alone, so a run cut into pieces (on worker threads, or between
 * learning updates) gives the numbers of the whole run.
 */
export function runClosedLoop(
  arm: Body | ArmParams,
  spec: NetworkSpec,
  params: NetworkParams,
  trials: TrialBatch,
  opts: ClosedLoopOptions,
  seed: number,
): Recording {
  const { batch: B, steps: T, dt } = trials;
  if (Math.abs(dt - spec.dt) > 1e-12) throw new Error(`trials use dt = ${dt} s but the network was trained at ${spec.dt} s`);
  const n = spec.hidden;
  const body = asBody(arm);
  const act = body.actuator;
  const nu = act.nInputs;
  const I = observationSize(body);
  if (spec.inputs !== I || spec.outputs !== nu) {
    throw new Error(`the network (${spec.inputs} inputs, ${spec.outputs} outputs) does not fit the ${body.name} arm (${I} observations, ${nu} inputs)`);
  }
  const rec: Recording = {
    trials,
    times: Float64Array.from({ length: T }, (_, t) => t * dt),
    inputs: new Float32Array(B * T * I),
    hidden: new Float32Array(B * T * n),
    extraStates: cellOf(spec).stateParts.slice(1).map((part) => ({ part, data: new Float32Array(B * T * n) })),
    torques: new Float32Array(B * T * 2),
    jointAngles: new Float64Array(B * T * 2),
    jointVelocities: new Float64Array(B * T * 2),
    handPosition: new Float64Array(B * T * 2),
    handVelocity: new Float64Array(B * T * 2),
    engine: opts.engine,
  };
  const nm = body.muscles ? body.muscles.muscles.length : 0;
  const muscles = body.muscles
    ? (rec.muscles = {
        names: [...body.muscles.muscles],
        excitation: new Float32Array(B * T * nm),
        activation: new Float32Array(B * T * nm),
        force: new Float32Array(B * T * nm),
        length: new Float32Array(B * T * nm),
        velocity: new Float32Array(B * T * nm),
      })
    : null;
  const used = new Float64Array(nu);
  const jointTorque = new Float64Array(2);
  const plan = opts.interventions;
  const offset = opts.trialOffset ?? 0;
  const K = plan ? plan.ids.length : 0;
  if (plan) rec.interventions = { ids: plan.ids, mask: new Uint8Array(B * T * K), onsetStep: new Int32Array(B).fill(-1) };
  const env = new ReachEnv({
    arm: body,
    // The trials come from the batch; the env's task supplies only the trial length and step.
    task: parseTaskSpec({ duration: T * dt, dt, delay: [0, 0] }),
    feedback: opts.feedback,
    engine: opts.engine,
    field: opts.field,
    analyticSubsteps: opts.analyticSubsteps,
  });
  const controller = createController(spec, params);
  const { h, tau } = controller;
  const hiddenNoise = opts.hiddenNoise ?? 0;
  try {
    for (let b = 0; b < B; b++) {
      const trialSeed = streamSeed(seed, offset + b);
      let { observation, info } = env.reset({ seed: trialSeed, options: { trials, index: b } });
      // Hidden noise gets its own stream so that it does not shift the sensory noise the env draws.
      const noiseRng = forkRng(createRng(trialSeed));
      resetController(controller);
      const handVelocity = new Float64Array(2);
      const tr = plan
        ? beginTrial(
            plan,
            { trial: offset + b, dt, steps: T, goStep: trials.isCatch[b] ? -1 : trials.goStep[b], start: trials.start.subarray(b * 2, b * 2 + 2), baseField: opts.field },
            { controller, observation: controller.input, handVelocity, setHandForce: (f) => env.setForceField(f) },
          )
        : null;
      for (let t = 0; t < T; t++) {
        const o2 = (b * T + t) * 2;
        rec.jointAngles.set(info.state.subarray(0, 2), o2);
        rec.jointVelocities.set(info.state.subarray(2, 4), o2);
        rec.handPosition.set(info.hand, o2);
        rec.handVelocity.set(info.handVelocity, o2);
        controller.input.set(observation);
        if (tr) {
          handVelocity.set(info.handVelocity);
          intervene(tr, 'before-cell', t);
        }
        rec.inputs.set(controller.input, (b * T + t) * I);
        if (!observation.every(Number.isFinite)) {
          // The torques so far were finite (checked below): the arm, driven by them and the hand force, left the numbers.
          const field = opts.field && opts.field.kind !== 'none' ? `the hand force field ${JSON.stringify(opts.field)} or ` : '';
          throw new Error(`the observed arm state became non-finite in trial ${b} at t = ${(t * dt).toFixed(3)} s under finite torques: ${field}the torques are beyond what the ${opts.engine} arm can integrate`);
        }
        controllerAdvance(controller, controller.input, noiseRng, hiddenNoise);
        if (tr) intervene(tr, 'after-cell', t);
        controllerReadout(controller);
        if (tr) intervene(tr, 'plant', t);
        if (!tau.every(Number.isFinite)) {
          throw new Error(`the controller produced a non-finite torque in trial ${b} at t = ${(t * dt).toFixed(3)} s`);
        }
        rec.hidden.set(h, (b * T + t) * n);
        rec.extraStates.forEach((x, k) => x.data.set(controller.state.subarray((k + 1) * n, (k + 2) * n), (b * T + t) * n));
        for (let i = 0; i < nu; i++) used[i] = act.clampInput(tau[i], i);
        act.jointTorques(info.state, 0, used, 0, jointTorque, null);
        rec.torques[o2] = jointTorque[0];
        rec.torques[o2 + 1] = jointTorque[1];
        if (muscles) {
          readMuscles(body, info.state, used, muscles, b * T + t);
          muscles.excitation.set(tau, (b * T + t) * nm);
        }
        ({ observation, info } = env.step(tau));
      }
      if (tr) {
        const r = endTrial(tr);
        rec.interventions!.mask.set(r.mask, b * T * K);
        rec.interventions!.onsetStep[b] = r.onsetStep;
      }
    }
  } finally {
    env.dispose();
  }
  return rec;
}
