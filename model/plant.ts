/**
 * The differentiable plant: sim/'s analytic body (RK4, zero-order-hold actuator inputs, joint limits)
 * stepped for a batch, with the exact step Jacobians that sim/ computes kept for the backward pass. There
 * is one definition of the dynamics (sim/body-step.ts over the body's skeleton and actuator); this file
 * only batches it and chains its derivatives. The state is the body's full state x = [q, q̇, actuator
 * state] (nx = 4 for torque motors, 10 for arm26 with its six activations); the inputs are the
 * actuator's (2 torques in N·m, or 6 excitations). `plantStepOp` wraps the same step as a tfjs operation
 * with a custom gradient for use inside tfjs graphs.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ArmParams } from '../sim/arm-params.ts';
import { stepBodyBatchWithJacobian, type JacobianStepOptions } from '../sim/body-step.ts';
import { asBody, bodyStateSize, type Body } from '../sim/body.ts';

/** Per-step Jacobians of a batch: A = ∂x'/∂x [batch, nx, nx], Bu = ∂x'/∂u [batch, nx, nu]. */
export interface PlantJacobians {
  nx: number;
  nu: number;
  A: Float64Array;
  Bu: Float64Array;
}

/** Jacobian buffers for a batch of `body` (a bare skeleton: the torque arm, nx = 4, nu = 2). */
export function allocPlantJacobians(batch: number, body: Body | ArmParams): PlantJacobians {
  const b = asBody(body);
  const nx = bodyStateSize(b);
  const nu = b.actuator.nInputs;
  return { nx, nu, A: new Float64Array(batch * nx * nx), Bu: new Float64Array(batch * nx * nu) };
}

/**
 * x' = step(x, u) for a batch: x [batch, nx] (rad, rad/s, actuator state), u [batch, nu] (the
 * actuator's inputs) held over dt (s), with an optional hand force (a field description; `opts.t` the
 * step's start time, s). Writes x' into `out` and the Jacobians into `jac`.
 */
export function plantForward(
  body: Body,
  x: Float64Array,
  u: Float64Array | Float32Array,
  batch: number,
  dt: number,
  substeps: number,
  out: Float64Array,
  jac: PlantJacobians,
  opts: JacobianStepOptions = {},
): void {
  stepBodyBatchWithJacobian(body, batch, x, u, dt, substeps, out, jac.A, jac.Bu, opts);
}

/**
 * Vector–Jacobian product of one batched step: given g' = ∂L/∂x' [batch, nx], adds Aᵀg' into gx
 * [batch, nx] and writes Buᵀg' into gU [batch, nu].
 */
export function plantBackward(jac: PlantJacobians, gOut: Float64Array, batch: number, gx: Float64Array, gU: Float64Array | Float32Array): void {
  const { A, Bu, nx, nu } = jac;
  for (let b = 0; b < batch; b++) {
    const a = b * nx * nx;
    const u = b * nx * nu;
    const g = b * nx;
    for (let j = 0; j < nx; j++) {
      let s = 0;
      for (let i = 0; i < nx; i++) s += A[a + i * nx + j] * gOut[g + i];
      gx[g + j] += s;
    }
    for (let j = 0; j < nu; j++) {
      let s = 0;
      for (let i = 0; i < nx; i++) s += Bu[u + i * nu + j] * gOut[g + i];
      gU[b * nu + j] = s;
    }
  }
}

/**
 * The plant step as a tfjs operation: (x [batch, nx], u [batch, nu]) → x' [batch, nx], differentiable
 * in both arguments through sim/'s exact step Jacobians. Values pass through float64 inside the step.
 * A bare skeleton is the torque arm (nx = 4, nu = 2).
 */
export function plantStepOp(tf: typeof tfType, body: Body | ArmParams, dt: number, substeps = 1) {
  const b = asBody(body);
  const nx = bodyStateSize(b);
  const nu = b.actuator.nInputs;
  const step = (x: tfType.Tensor, u: tfType.Tensor, save: tfType.GradSaveFunc) => {
    const batch = x.shape[0];
    if (x.shape.length !== 2 || x.shape[1] !== nx) throw new Error(`plant state must be [batch, ${nx}], got [${x.shape}]`);
    if (u.shape.length !== 2 || u.shape[0] !== batch || u.shape[1] !== nu) {
      throw new Error(`plant input must be [${batch}, ${nu}], got [${u.shape}]`);
    }
    const jac = allocPlantJacobians(batch, b);
    const next = new Float64Array(batch * nx);
    plantForward(b, Float64Array.from(x.dataSync()), u.dataSync() as Float32Array, batch, dt, substeps, next, jac);
    save([tf.tensor2d(Float32Array.from(jac.A), [batch, nx * nx]), tf.tensor2d(Float32Array.from(jac.Bu), [batch, nx * nu])]);
    return {
      value: tf.tensor2d(Float32Array.from(next), [batch, nx]),
      gradFunc: (dy: tfType.Tensor, saved: tfType.Tensor[]) => {
        const A = saved[0].reshape([batch, nx, nx]);
        const Bu = saved[1].reshape([batch, nx, nu]);
        const g = dy.reshape([batch, nx, 1]);
        return [tf.matMul(A, g, true, false).reshape([batch, nx]), tf.matMul(Bu, g, true, false).reshape([batch, nu])];
      },
    };
  };
  return tf.customGrad(step as unknown as Parameters<typeof tfType.customGrad>[0]) as (x: tfType.Tensor2D, u: tfType.Tensor2D) => tfType.Tensor2D;
}
