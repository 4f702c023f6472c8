/**
 * Closed-loop runs: a trained controller drives the matter-js arm (or the analytic arm) trial by trial,
 * seeing only the delayed, noisy feedback of sim/feedback.ts, and everything is recorded.
 *
 * Sample t of a trial is at time t·dt: the arm state then, the observation the network saw then, the
 * hidden state it computed from it, and the torque it applied over [t·dt, (t+1)·dt).
 */
import type { Rng } from '../core/random.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { handPosition, handVelocity, stepArm } from '../sim/dynamics.ts';
import { createFeedback, pushFeedback, type FeedbackOptions } from '../sim/feedback.ts';
import { NO_FIELD, type ForceField } from '../sim/force-fields.ts';
import { createMatterArm } from '../sim/matter-arm.ts';
import { OBSERVATION_SIZE } from '../sim/tasks/observation.ts';
import type { TrialBatch } from '../sim/tasks/task-spec.ts';
import { controllerStep, createController, resetController } from './controller-step.ts';
import type { NetworkParams, NetworkSpec } from './network.ts';

export type ArmEngine = 'matter' | 'analytic';

export interface ClosedLoopOptions {
  /** Which arm the controller drives. */
  engine: ArmEngine;
  /** Sensory feedback delays (control steps) and noise stds. */
  feedback: FeedbackOptions;
  /** External hand force during every trial (field, pulses; time from trial start). Default none. */
  field?: ForceField;
  /** Std of noise on hidden pre-activations (0 for a noise-free network). */
  hiddenNoise?: number;
  /** RK4 substeps per control step for the analytic engine. Default 10 (1 ms, like matter-js). */
  analyticSubsteps?: number;
}

/** Everything recorded in a set of closed-loop trials; arrays are [trials, times, …] row-major. */
export interface Recording {
  trials: TrialBatch;
  /** Sample times from trial start (s): [times]. */
  times: Float64Array;
  /** Network inputs (units per OBSERVATION_CHANNELS): [trials, times, inputs]. */
  inputs: Float32Array;
  /** Hidden activity: [trials, times, units]. */
  hidden: Float32Array;
  /** Joint torques (N·m): [trials, times, 2]. */
  torques: Float32Array;
  /** Joint angles (rad): [trials, times, 2]. */
  jointAngles: Float64Array;
  /** Joint velocities (rad/s): [trials, times, 2]. */
  jointVelocities: Float64Array;
  /** Hand position (m): [trials, times, 2]. */
  handPosition: Float64Array;
  /** Hand velocity (m/s): [trials, times, 2]. */
  handVelocity: Float64Array;
  engine: ArmEngine;
}

/** Interface of either arm for one trial. */
interface TrialArm {
  state(out: Float64Array): void;
  step(tau: Float64Array, dt: number): void;
  dispose(): void;
}

function makeArm(arm: ArmParams, engine: ArmEngine, x0: Float64Array, field: ForceField, substeps: number): TrialArm {
  if (engine === 'matter') {
    const m = createMatterArm(arm, { q0: [x0[0], x0[1]], qd0: [x0[2], x0[3]] });
    m.setForceField(field);
    return { state: (out) => void m.getState(out), step: (tau, dt) => m.step(tau, dt), dispose: () => m.dispose() };
  }
  const x = Float64Array.from(x0);
  let t = 0;
  return {
    state: (out) => out.set(x),
    step: (tau, dt) => {
      stepArm(arm, x, tau, dt, x, { substeps, handForce: field, t });
      t += dt;
    },
    dispose: () => {},
  };
}

/** Run every trial of `trials` closed loop with the given controller. */
export function runClosedLoop(
  arm: ArmParams,
  spec: NetworkSpec,
  params: NetworkParams,
  trials: TrialBatch,
  opts: ClosedLoopOptions,
  rng: Rng,
): Recording {
  const { batch: B, steps: T, dt } = trials;
  if (Math.abs(dt - spec.dt) > 1e-12) throw new Error(`trials use dt = ${dt} s but the network was trained at ${spec.dt} s`);
  const n = spec.hidden;
  const I = OBSERVATION_SIZE;
  const rec: Recording = {
    trials,
    times: Float64Array.from({ length: T }, (_, t) => t * dt),
    inputs: new Float32Array(B * T * I),
    hidden: new Float32Array(B * T * n),
    torques: new Float32Array(B * T * 2),
    jointAngles: new Float64Array(B * T * 2),
    jointVelocities: new Float64Array(B * T * 2),
    handPosition: new Float64Array(B * T * 2),
    handVelocity: new Float64Array(B * T * 2),
    engine: opts.engine,
  };
  const controller = createController(spec, params);
  const { input: x, h, tau } = controller;
  const s = new Float64Array(4);
  const hiddenNoise = opts.hiddenNoise ?? 0;
  for (let b = 0; b < B; b++) {
    const x0 = trials.x0.subarray(b * 4, b * 4 + 4);
    const body = makeArm(arm, opts.engine, x0, opts.field ?? NO_FIELD, opts.analyticSubsteps ?? 10);
    const feedback = createFeedback(arm, opts.feedback, x0, 1);
    const target = trials.target.subarray(b * 2, b * 2 + 2);
    const goStep = trials.goStep.subarray(b, b + 1);
    resetController(controller);
    try {
      for (let t = 0; t < T; t++) {
        body.state(s);
        const o2 = (b * T + t) * 2;
        rec.jointAngles[o2] = s[0];
        rec.jointAngles[o2 + 1] = s[1];
        rec.jointVelocities[o2] = s[2];
        rec.jointVelocities[o2 + 1] = s[3];
        rec.handPosition.set(handPosition(arm, s[0], s[1]), o2);
        rec.handVelocity.set(handVelocity(arm, s[0], s[1], s[2], s[3]), o2);
        controllerStep(controller, feedback, t, target, goStep, rng, hiddenNoise);
        if (!Number.isFinite(tau[0]) || !Number.isFinite(tau[1])) {
          throw new Error(`the controller produced a non-finite torque in trial ${b} at t = ${(t * dt).toFixed(3)} s`);
        }
        rec.inputs.set(x, (b * T + t) * I);
        rec.hidden.set(h, (b * T + t) * n);
        rec.torques[o2] = tau[0];
        rec.torques[o2 + 1] = tau[1];
        body.step(tau, dt);
        body.state(s);
        pushFeedback(feedback, s);
      }
    } finally {
      body.dispose();
    }
  }
  return rec;
}
