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
import { compactJacobianSize, stepBodyBatchWithCompactJacobian, stepBodyBatchWithJacobian, type JacobianStepOptions } from '../sim/body-step.ts';
import { asBody, bodyStateSize, type Body } from '../sim/body.ts';

/**
 * Per-step Jacobians of a batch in sim/'s compact layout (body-step.ts, compactJacobianSize): per trial,
 * A holds rows 0–3 of ∂x'/∂x (4 × nx) then the actuator diagonal (ns), Bu rows 0–3 of ∂x'/∂u (4 × nu)
 * then ∂s_i'/∂u_i (ns): the entries that can be non-zero, about half of the full matrices for arm26.
 */
export interface PlantJacobians {
  nx: number;
  nu: number;
  /** Actuator state size (nx − 4). */
  ns: number;
  A: Float64Array;
  Bu: Float64Array;
}

/** Jacobian buffers for a batch of `body` (a bare skeleton: the torque arm, nx = 4, nu = 2). */
export function allocPlantJacobians(batch: number, body: Body | ArmParams): PlantJacobians {
  const b = asBody(body);
  const nx = bodyStateSize(b);
  const nu = b.actuator.nInputs;
  const size = compactJacobianSize(b);
  return { nx, nu, ns: nx - 4, A: new Float64Array(batch * size.a), Bu: new Float64Array(batch * size.b) };
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
  stepBodyBatchWithCompactJacobian(body, batch, x, u, dt, substeps, out, jac.A, jac.Bu, opts);
}

/**
 * Vector–Jacobian product of one batched step: given g' = ∂L/∂x' [batch, nx], adds Aᵀg' into gx
 * [batch, nx] and writes Buᵀg' into gU [batch, nu]. Each sum runs over the rows in order, leaving out
 * the entries the compact layout drops (exact zeros, which would add nothing).
 */
export function plantBackward(jac: PlantJacobians, gOut: Float64Array, batch: number, gx: Float64Array, gU: Float64Array | Float32Array): void {
  const { A, Bu, nx, nu, ns } = jac;
  const sa = 4 * nx + ns;
  const sb = 4 * nu + ns;
  for (let b = 0; b < batch; b++) {
    const a = b * sa;
    const u = b * sb;
    const g = b * nx;
    const g0 = gOut[g];
    const g1 = gOut[g + 1];
    const g2 = gOut[g + 2];
    const g3 = gOut[g + 3];
    for (let j = 0; j < nx; j++) {
      let s = 0;
      s += A[a + j] * g0;
      s += A[a + nx + j] * g1;
      s += A[a + 2 * nx + j] * g2;
      s += A[a + 3 * nx + j] * g3;
      if (j >= 4) s += A[a + 4 * nx + j - 4] * gOut[g + j];
      gx[g + j] += s;
    }
    for (let j = 0; j < nu; j++) {
      let s = 0;
      s += Bu[u + j] * g0;
      s += Bu[u + nu + j] * g1;
      s += Bu[u + 2 * nu + j] * g2;
      s += Bu[u + 3 * nu + j] * g3;
      if (j < ns) s += Bu[u + 4 * nu + j] * gOut[g + 4 + j];
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
    const jac = { A: new Float64Array(batch * nx * nx), Bu: new Float64Array(batch * nx * nu) };
    const next = new Float64Array(batch * nx);
    stepBodyBatchWithJacobian(b, batch, Float64Array.from(x.dataSync()), u.dataSync() as Float32Array, dt, substeps, next, jac.A, jac.Bu);
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
