/**
 * Derivatives of the hand's position and velocity with respect to the arm state, for backpropagating
 * visual feedback and hand-space losses into joint space: the derivative of sim/dynamics' forward
 * kinematics (hand = FK(q), ẋ_hand = J(q)·q̇).
 */
import type { ArmParams } from './arm-params.ts';

/**
 * Row-major 4×4 Jacobian of [hand_x, hand_y, hand_vx, hand_vy] (m, m/s) with respect to
 * [q1, q2, q̇1, q̇2] at state x. Writes into `out` (length 16).
 */
export function handStateJacobian(arm: ArmParams, x: ArrayLike<number>, out: Float64Array): void {
  const [l1, l2] = arm.l;
  const q1 = x[0];
  const q12 = x[0] + x[1];
  const qd1 = x[2];
  const qd2 = x[3];
  const s1 = Math.sin(q1);
  const c1 = Math.cos(q1);
  const s12 = Math.sin(q12);
  const c12 = Math.cos(q12);
  // Position: the kinematic Jacobian J.
  const J11 = -l1 * s1 - l2 * s12;
  const J12 = -l2 * s12;
  const J21 = l1 * c1 + l2 * c12;
  const J22 = l2 * c12;
  out.fill(0);
  out[0] = J11;
  out[1] = J12;
  out[4] = J21;
  out[5] = J22;
  // Velocity v = J q̇: ∂v/∂q = (∂J/∂q) q̇, ∂v/∂q̇ = J.
  out[8] = -l1 * c1 * qd1 - l2 * c12 * (qd1 + qd2);
  out[9] = -l2 * c12 * (qd1 + qd2);
  out[10] = J11;
  out[11] = J12;
  out[12] = -l1 * s1 * qd1 - l2 * s12 * (qd1 + qd2);
  out[13] = -l2 * s12 * (qd1 + qd2);
  out[14] = J21;
  out[15] = J22;
}
