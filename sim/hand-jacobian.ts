/**
 * Derivatives of the hand's position and velocity with respect to the arm state, for backpropagating
 * visual feedback and hand-space losses into joint space: the derivative of sim/dynamics' forward
 * kinematics (hand = FK(q), ẋ_hand = J(q)·q̇).
 */
import type { ArmParams } from './arm-params.ts';
import { jacobianInto } from './skeleton.ts';

/**
 * Row-major 4×4 Jacobian of [hand_x, hand_y, hand_vx, hand_vy] (m, m/s) with respect to
 * [q1, q2, q̇1, q̇2] at state x. Writes into `out` (length 16).
 */
export function handStateJacobian(arm: ArmParams, x: ArrayLike<number>, out: Float64Array): void {
  jacobianInto(arm, x[0], x[1], out, 0);
  const J11 = out[0];
  const J12 = out[1];
  const J21 = out[2];
  const J22 = out[3];
  const qd1 = x[2];
  const qd2 = x[3];
  const w = qd1 + qd2;
  out.fill(0);
  out[0] = J11;
  out[1] = J12;
  out[4] = J21;
  out[5] = J22;
  // Velocity v = J q̇: ∂v/∂q̇ = J, and ∂v/∂q = (∂J/∂q) q̇, which for the two-link J reduces to
  // ∂vx/∂q1 = −vy, ∂vy/∂q1 = vx, ∂v/∂q2 = (−J22, J12)·(q̇1 + q̇2).
  out[8] = -(J21 * qd1 + J22 * qd2);
  out[9] = -J22 * w;
  out[10] = J11;
  out[11] = J12;
  out[12] = J11 * qd1 + J12 * qd2;
  out[13] = J12 * w;
  out[14] = J21;
  out[15] = J22;
}
