/**
 * Test helper: the joint torques that make an arm follow a minimum-jerk straight hand path (Flash &
 * Hogan 1985), by inverse dynamics. Open-loop, so the arms that receive them make a real reach.
 */
import type { ArmParams } from '../../sim/arm-params.ts';
import { forwardKinematics, inverseDynamics, inverseKinematics, jacobian } from '../../sim/dynamics.ts';

export interface ReachProfile {
  /** Torques [steps, 2] (N·m), one per control step, zero-order hold. */
  tau: Float64Array;
  steps: number;
  /** Hand start and target (m). */
  start: [number, number];
  target: [number, number];
}

/** Joint state and acceleration on a minimum-jerk path from `start` by `D` (m) lasting `T` (s), at time t (s) after onset. */
export function minJerkJointState(p: ArmParams, start: [number, number], D: [number, number], T: number, t: number) {
  const u = Math.min(1, Math.max(0, t / T));
  const s = 10 * u ** 3 - 15 * u ** 4 + 6 * u ** 5;
  const sd = t < 0 || t > T ? 0 : (30 * u ** 2 - 60 * u ** 3 + 30 * u ** 4) / T;
  const sdd = t < 0 || t > T ? 0 : (60 * u - 180 * u ** 2 + 120 * u ** 3) / (T * T);
  const [q1, q2] = inverseKinematics(p, start[0] + D[0] * s, start[1] + D[1] * s);
  const J = jacobian(p, q1, q2);
  const det = J[0] * J[3] - J[1] * J[2];
  const solve = (bx: number, by: number): [number, number] => [(J[3] * bx - J[1] * by) / det, (-J[2] * bx + J[0] * by) / det];
  const [qd1, qd2] = solve(D[0] * sd, D[1] * sd);
  const w = qd1 + qd2;
  const [l1, l2] = p.l;
  const Jdqd = [
    -l1 * Math.cos(q1) * qd1 * qd1 - l2 * Math.cos(q1 + q2) * w * w,
    -l1 * Math.sin(q1) * qd1 * qd1 - l2 * Math.sin(q1 + q2) * w * w,
  ];
  const [qdd1, qdd2] = solve(D[0] * sdd - Jdqd[0], D[1] * sdd - Jdqd[1]);
  return { x: [q1, q2, qd1, qd2], qdd: [qdd1, qdd2] };
}

/**
 * Torques for a run of `duration` s at control step dt, starting at rest at joint angles q0, with a
 * minimum-jerk reach by D (m) from `onset` lasting T (s); each step's torque is the inverse dynamics at
 * the step's midpoint.
 */
export function minJerkReachTorques(
  p: ArmParams,
  q0: [number, number],
  D: [number, number],
  opts: { dt: number; duration: number; onset: number; T: number },
): ReachProfile {
  const steps = Math.round(opts.duration / opts.dt);
  const start = forwardKinematics(p, q0[0], q0[1]).hand;
  const tau = new Float64Array(2 * steps);
  for (let k = 0; k < steps; k++) {
    const { x, qdd } = minJerkJointState(p, start, D, opts.T, (k + 0.5) * opts.dt - opts.onset);
    const t = inverseDynamics(p, x, qdd[0], qdd[1]);
    tau[2 * k] = t[0];
    tau[2 * k + 1] = t[1];
  }
  return { tau, steps, start, target: [start[0] + D[0], start[1] + D[1]] };
}
