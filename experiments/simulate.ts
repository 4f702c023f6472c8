/**
 * Open-loop simulation of either arm (analytic RK4 or matter-js) under a torque sequence: the library
 * behind `reach simulate`. No file I/O here.
 */
import type { ArmParams } from '../sim/arm-params.ts';
import { handPosition, handVelocity, stepArm, type Vec2 } from '../sim/dynamics.ts';
import { isActiveField, type ForceField } from '../sim/force-fields.ts';
import { createMatterArm } from '../sim/matter-arm.ts';

export type EngineName = 'analytic' | 'matter';

/** Inputs of {@link simulateOpenLoop}. */
export interface OpenLoopInput {
  /** Which arm model integrates the motion. */
  engine: EngineName;
  /** Arm parameters. */
  params: ArmParams;
  /** Torques [steps, 2] (N·m), row-major, held over each control step. */
  torques: Float64Array;
  /** Control step (s). */
  dt: number;
  /** Integration substeps per control step: RK4 steps (analytic) or engine updates (matter-js). */
  substeps: number;
  /** Initial joint angles (rad). */
  q0: Vec2;
  /** Initial joint velocities (rad/s). */
  qd0: Vec2;
  /** External hand force field. */
  field: ForceField;
}

/** Recorded trajectory; every [steps + 1, 2] array starts with the initial state. */
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
  /** Wall-clock time of the integration loop (ms), for reporting speed. */
  wallMs: number;
}

/** Run the torque sequence open loop and record the state after every control step. */
export function simulateOpenLoop(input: OpenLoopInput): OpenLoopResult {
  const { params: p, dt, substeps, torques } = input;
  const steps = torques.length / 2;
  if (!Number.isInteger(steps)) throw new Error(`torques must hold [steps, 2] values, got ${torques.length}`);
  const times = new Float64Array(steps + 1);
  const q = new Float64Array(2 * (steps + 1));
  const qd = new Float64Array(2 * (steps + 1));
  const hand = new Float64Array(2 * (steps + 1));
  const handVel = new Float64Array(2 * (steps + 1));
  const record = (k: number, x: ArrayLike<number>, hp: Vec2, hv: Vec2) => {
    times[k] = k * dt;
    q[2 * k] = x[0];
    q[2 * k + 1] = x[1];
    qd[2 * k] = x[2];
    qd[2 * k + 1] = x[3];
    hand[2 * k] = hp[0];
    hand[2 * k + 1] = hp[1];
    handVel[2 * k] = hv[0];
    handVel[2 * k + 1] = hv[1];
  };
  const x = new Float64Array([input.q0[0], input.q0[1], input.qd0[0], input.qd0[1]]);
  record(0, x, handPosition(p, x[0], x[1]), handVelocity(p, x[0], x[1], x[2], x[3]));
  const tau = new Float64Array(2);
  const field = isActiveField(input.field) ? input.field : undefined;
  let wallMs: number;
  if (input.engine === 'analytic') {
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) {
      tau[0] = torques[2 * k];
      tau[1] = torques[2 * k + 1];
      stepArm(p, x, tau, dt, x, { substeps, handForce: field, t: k * dt });
      record(k + 1, x, handPosition(p, x[0], x[1]), handVelocity(p, x[0], x[1], x[2], x[3]));
    }
    wallMs = performance.now() - t0;
  } else {
    const arm = createMatterArm(p, { q0: input.q0, qd0: input.qd0, substepMs: (dt * 1000) / substeps });
    try {
      if (field) arm.setForceField(field);
      const t0 = performance.now();
      for (let k = 0; k < steps; k++) {
        tau[0] = torques[2 * k];
        tau[1] = torques[2 * k + 1];
        arm.step(tau, dt);
        record(k + 1, arm.getState(x), arm.handPosition(), arm.handVelocity());
      }
      wallMs = performance.now() - t0;
    } finally {
      arm.dispose();
    }
  }
  return { steps, times, jointAngles: q, jointVelocities: qd, handPosition: hand, handVelocity: handVel, wallMs };
}

/** Length of the hand path (m): the sum of distances between successive recorded hand positions. */
export function pathLength(hand: Float64Array): number {
  let s = 0;
  for (let k = 2; k < hand.length; k += 2) s += Math.hypot(hand[k] - hand[k - 2], hand[k + 1] - hand[k - 1]);
  return s;
}
