/**
 * The torque-driven arm: the skeleton's kinematics and dynamics (re-exported from ./skeleton.ts) and the
 * RK4 step with its exact Jacobians for two joint torques, i.e. the body integrator (./body-step.ts) on a
 * skeleton with torque motors. Conventions, units and the equations of motion: ./skeleton.ts.
 */
import type { ArmParams } from './arm-params.ts';
import { stepBody, stepBodyBatchWithJacobian, type JacobianStepOptions, type StepOptions } from './body-step.ts';
import { torqueBody } from './body.ts';
import type { ArmState, Num } from './skeleton.ts';

export * from './skeleton.ts';
export type { JacobianStepOptions, StepOptions } from './body-step.ts';

/**
 * Advance the arm by dt seconds with torque τ (N·m) held constant (zero-order hold), using `substeps`
 * RK4 steps, every stage kept inside the joint limits. Writes the new state into `out` (may alias x).
 */
export function stepArm(p: ArmParams, x: ArmState, tau: Num, dt: number, out: ArmState, opts: StepOptions = {}): ArmState {
  stepBody(torqueBody(p), x, tau, dt, out, opts);
  return out;
}

/**
 * The same step as {@link stepArm} (hand force as a field description), plus its exact Jacobians:
 * A = ∂x'/∂x (4×4 row-major, 16 numbers) and Bu = ∂x'/∂τ (4×2 row-major, 8 numbers), chained
 * analytically through the RK4 stages, the substeps and the joint-limit clamps. `out` may alias x.
 */
export function stepArmWithJacobian(p: ArmParams, x: ArmState, tau: Num, dt: number, substeps: number, out: ArmState, A: Num, Bu: Num, opts: JacobianStepOptions = {}): void {
  stepBodyBatchWithJacobian(torqueBody(p), 1, x, tau, dt, substeps, out, A, Bu, opts);
}

/**
 * Batched {@link stepArmWithJacobian} over n arms sharing parameters: X [n, 4], Tau [n, 2] in;
 * Xout [n, 4], A [n, 4, 4], Bu [n, 4, 2] out (row-major; Xout may alias X). Float32 buffers are accepted
 * and computed in float64 internally.
 */
export function stepArmBatchWithJacobian(p: ArmParams, n: number, X: Num, Tau: Num, dt: number, substeps: number, Xout: Num, A: Num, Bu: Num, opts: JacobianStepOptions = {}): void {
  stepBodyBatchWithJacobian(torqueBody(p), n, X, Tau, dt, substeps, Xout, A, Bu, opts);
}
