/**
 * Open-loop simulation of any body (torque arm or six-muscle arm26; analytic or matter-js) under an input
 * sequence: the library behind `reach simulate`. No file I/O here.
 */
import { stepBody } from '../sim/body-step.ts';
import { readMuscles, restBodyState, type Body, type MuscleTrace } from '../sim/body.ts';
import { handPosition, handVelocity, type Vec2 } from '../sim/dynamics.ts';
import { isActiveField, type ForceField } from '../sim/force-fields.ts';
import { createMatterBody } from '../sim/matter-arm.ts';
import { motorNetState, stepMotorNet } from '../sim/motornet-step.ts';
import type { EngineName, IntegratorName } from './simulate-options.ts';

export { INTEGRATORS, type EngineName, type IntegratorName } from './simulate-options.ts';

/** Inputs of {@link simulateOpenLoop}. */
export interface OpenLoopInput {
  /** Which arm model integrates the motion. */
  engine: EngineName;
  /** The body: skeleton + actuator. */
  body: Body;
  /** Inputs [steps, nInputs], row-major, held over each control step: torques (N·m) or excitations (0–1). */
  inputs: Float64Array;
  /** Control step (s). */
  dt: number;
  /** Integration substeps per control step: RK4 (or MotorNet) steps (analytic) or engine updates (matter-js). */
  substeps: number;
  /** Initial joint angles (rad); the actuator starts at rest. */
  q0: Vec2;
  /** Initial joint velocities (rad/s). */
  qd0: Vec2;
  /** External hand force field. */
  field: ForceField;
  /** Analytic integration scheme. Default 'rk4'. */
  integrator?: IntegratorName;
}

/** Muscle read-outs, each [steps + 1, muscles] starting with the initial state. */
export type MuscleRecord = MuscleTrace & { activation: Float64Array; length: Float64Array; velocity: Float64Array; force: Float64Array };

/** Recorded trajectory; every [steps + 1, …] array starts with the initial state. */
export interface OpenLoopResult {
  steps: number;
  /** [steps + 1] (s). */
  times: Float64Array;
  /** [steps + 1, 2] (rad). */
  jointAngles: Float64Array;
  /** [steps + 1, 2] (rad/s). */
  jointVelocities: Float64Array;
  /** [steps + 1, 2] (m). */
  handPosition: Float64Array;
  /** [steps + 1, 2] (m/s). */
  handVelocity: Float64Array;
  /** Muscle read-outs (muscle bodies only). */
  muscles: MuscleRecord | null;
  /** Wall-clock time of the integration loop (ms), for reporting speed. */
  wallMs: number;
}

/** Run the input sequence open loop and record the state after every control step. */
export function simulateOpenLoop(input: OpenLoopInput): OpenLoopResult {
  const { body, dt, substeps, inputs } = input;
  const p = body.skeleton;
  const act = body.actuator;
  const nu = act.nInputs;
  const steps = inputs.length / nu;
  if (!Number.isInteger(steps)) throw new Error(`inputs must hold [steps, ${nu}] values, got ${inputs.length}`);
  const integrator = input.integrator ?? 'rk4';
  if (integrator !== 'rk4' && input.engine !== 'analytic') throw new Error(`integrator '${integrator}' needs the analytic engine`);
  if (integrator !== 'rk4' && isActiveField(input.field)) throw new Error(`integrator '${integrator}' takes no force field`);
  const T1 = steps + 1;
  const times = new Float64Array(T1);
  const q = new Float64Array(2 * T1);
  const qd = new Float64Array(2 * T1);
  const hand = new Float64Array(2 * T1);
  const handVel = new Float64Array(2 * T1);
  const m = body.muscles;
  const nm = m ? m.muscles.length : 0;
  const muscles: MuscleRecord | null = m
    ? { activation: new Float64Array(nm * T1), length: new Float64Array(nm * T1), velocity: new Float64Array(nm * T1), force: new Float64Array(nm * T1) }
    : null;
  const record = (k: number, x: Float64Array, hp: Vec2, hv: Vec2) => {
    times[k] = k * dt;
    q[2 * k] = x[0];
    q[2 * k + 1] = x[1];
    qd[2 * k] = x[2];
    qd[2 * k + 1] = x[3];
    hand[2 * k] = hp[0];
    hand[2 * k + 1] = hp[1];
    handVel[2 * k] = hv[0];
    handVel[2 * k + 1] = hv[1];
    if (muscles) readMuscles(body, x, inputs, muscles, k);
  };
  const x = restBodyState(body, input.q0, input.qd0);
  record(0, x, handPosition(p, x[0], x[1]), handVelocity(p, x[0], x[1], x[2], x[3]));
  const field = isActiveField(input.field) ? input.field : undefined;
  let wallMs: number;
  if (input.engine === 'analytic') {
    const t0 = performance.now();
    let mn = integrator === 'rk4' ? null : motorNetState(body, x);
    for (let k = 0; k < steps; k++) {
      const u = inputs.subarray(nu * k, nu * k + nu);
      if (mn) {
        for (let s = 0; s < substeps; s++) mn = stepMotorNet(body, mn, u, dt / substeps, integrator === 'motornet-euler' ? 'euler' : 'rk4');
        x.set(mn.x);
      } else {
        stepBody(body, x, u, dt, x, { substeps, handForce: field, t: k * dt });
      }
      record(k + 1, x, handPosition(p, x[0], x[1]), handVelocity(p, x[0], x[1], x[2], x[3]));
    }
    wallMs = performance.now() - t0;
  } else {
    const arm = createMatterBody(body, { q0: input.q0, qd0: input.qd0, substepMs: (dt * 1000) / substeps });
    try {
      if (field) arm.setForceField(field);
      const t0 = performance.now();
      for (let k = 0; k < steps; k++) {
        arm.step(inputs.subarray(nu * k, nu * k + nu), dt);
        arm.getState(x);
        x.set(arm.actuatorState, 4);
        record(k + 1, x, arm.handPosition(), arm.handVelocity());
      }
      wallMs = performance.now() - t0;
    } finally {
      arm.dispose();
    }
  }
  return { steps, times, jointAngles: q, jointVelocities: qd, handPosition: hand, handVelocity: handVel, muscles, wallMs };
}

/** Length of the hand path (m): the sum of distances between successive recorded hand positions. */
export function pathLength(hand: Float64Array): number {
  let s = 0;
  for (let k = 2; k < hand.length; k += 2) s += Math.hypot(hand[k] - hand[k - 2], hand[k + 1] - hand[k - 1]);
  return s;
}
