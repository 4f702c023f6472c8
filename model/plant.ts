/**
 * The differentiable plant: sim/'s analytic arm (RK4, zero-order-hold torques, joint limits) stepped for a
 * batch, with the exact step Jacobians that sim/ computes kept for the backward pass. There is one
 * definition of the dynamics (sim/dynamics.ts); this file only batches it and chains its derivatives.
 * `plantStepOp` wraps the same step as a tfjs operation with a custom gradient for use inside tfjs graphs.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ArmParams } from '../sim/arm-params.ts';
import { stepArmBatchWithJacobian, type JacobianStepOptions } from '../sim/dynamics.ts';

/** Per-step Jacobians of a batch: A = ∂x'/∂x [batch, 4, 4], Bu = ∂x'/∂τ [batch, 4, 2]. */
export interface PlantJacobians {
  A: Float64Array;
  Bu: Float64Array;
}

export function allocPlantJacobians(batch: number): PlantJacobians {
  return { A: new Float64Array(batch * 16), Bu: new Float64Array(batch * 8) };
}

/**
 * x' = step(x, τ) for a batch: x [batch, 4] (rad, rad/s), τ [batch, 2] (N·m) held over dt (s), with an
 * optional hand force (a field description; `opts.t` the step's start time, s). Writes x' into `out`
 * and the Jacobians into `jac`.
 */
export function plantForward(
  arm: ArmParams,
  x: Float64Array,
  tau: Float64Array | Float32Array,
  batch: number,
  dt: number,
  substeps: number,
  out: Float64Array,
  jac: PlantJacobians,
  opts: JacobianStepOptions = {},
): void {
  stepArmBatchWithJacobian(arm, batch, x, tau, dt, substeps, out, jac.A, jac.Bu, opts);
}

/**
 * Vector–Jacobian product of one batched step: given g' = ∂L/∂x' [batch, 4], adds Aᵀg' into gx
 * [batch, 4] and writes Buᵀg' into gTau [batch, 2].
 */
export function plantBackward(jac: PlantJacobians, gOut: Float64Array, batch: number, gx: Float64Array, gTau: Float64Array | Float32Array): void {
  const { A, Bu } = jac;
  for (let b = 0; b < batch; b++) {
    const a = b * 16;
    const u = b * 8;
    const g = b * 4;
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 4; i++) s += A[a + i * 4 + j] * gOut[g + i];
      gx[g + j] += s;
    }
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let i = 0; i < 4; i++) s += Bu[u + i * 2 + j] * gOut[g + i];
      gTau[b * 2 + j] = s;
    }
  }
}

/**
 * The plant step as a tfjs operation: (x [batch, 4], τ [batch, 2]) → x' [batch, 4], differentiable in
 * both arguments through sim/'s exact step Jacobians. Values pass through float64 inside the step.
 */
export function plantStepOp(tf: typeof tfType, arm: ArmParams, dt: number, substeps = 1) {
  const step = (x: tfType.Tensor, tau: tfType.Tensor, save: tfType.GradSaveFunc) => {
    const batch = x.shape[0];
    if (x.shape.length !== 2 || x.shape[1] !== 4) throw new Error(`plant state must be [batch, 4], got [${x.shape}]`);
    if (tau.shape.length !== 2 || tau.shape[0] !== batch || tau.shape[1] !== 2) {
      throw new Error(`plant torque must be [${batch}, 2], got [${tau.shape}]`);
    }
    const jac = allocPlantJacobians(batch);
    const next = new Float64Array(batch * 4);
    plantForward(arm, Float64Array.from(x.dataSync()), tau.dataSync() as Float32Array, batch, dt, substeps, next, jac);
    save([tf.tensor2d(Float32Array.from(jac.A), [batch, 16]), tf.tensor2d(Float32Array.from(jac.Bu), [batch, 8])]);
    return {
      value: tf.tensor2d(Float32Array.from(next), [batch, 4]),
      gradFunc: (dy: tfType.Tensor, saved: tfType.Tensor[]) => {
        const A = saved[0].reshape([batch, 4, 4]);
        const Bu = saved[1].reshape([batch, 4, 2]);
        const g = dy.reshape([batch, 4, 1]);
        return [tf.matMul(A, g, true, false).reshape([batch, 4]), tf.matMul(Bu, g, true, false).reshape([batch, 2])];
      },
    };
  };
  return tf.customGrad(step as unknown as Parameters<typeof tfType.customGrad>[0]) as (x: tfType.Tensor2D, tau: tfType.Tensor2D) => tfType.Tensor2D;
}
