import { describe, expect, it } from 'vitest';
import { createRng, normal, uniformIn } from '../../core/random.ts';
import { allocPlantJacobians, plantBackward, plantForward } from '../../model/plant.ts';
import { stepBody } from '../../sim/body-step.ts';
import { bodyStateSize, getBodyPreset } from '../../sim/body.ts';

describe('training plant: compact step Jacobians and their vector–Jacobian product', () => {
  // The compact layout drops the actuator rows' off-diagonal entries (each activation follows only
  // itself and its own excitation); if any dropped entry were not zero, gᵀ·∂x′ would miss it.
  it('arm26: Aᵀg and Buᵀg equal central finite differences of gᵀ·stepBody, clipped excitations included', () => {
    const body = getBodyPreset('arm26');
    const nx = bodyStateSize(body);
    const nu = body.actuator.nInputs;
    const batch = 3;
    const dt = 0.01;
    const rng = createRng(11);
    const x = new Float64Array(batch * nx);
    const u = new Float64Array(batch * nu);
    const g = new Float64Array(batch * nx);
    for (let b = 0; b < batch; b++) {
      x[b * nx] = uniformIn(rng, 0.3, 2.0);
      x[b * nx + 1] = uniformIn(rng, 0.3, 2.4);
      x[b * nx + 2] = uniformIn(rng, -2, 2);
      x[b * nx + 3] = uniformIn(rng, -2, 2);
      for (let m = 0; m < nu; m++) {
        x[b * nx + 4 + m] = uniformIn(rng, 0.05, 0.9);
        u[b * nu + m] = uniformIn(rng, 0.05, 0.95);
      }
      for (let i = 0; i < nx; i++) g[b * nx + i] = normal(rng);
    }
    // Above 1: clipped, so the step does not depend on it near there.
    u[nu + 2] = 1.3;
    const eps = 1e-6;
    const loss = (xs: Float64Array, us: Float64Array, b: number, substeps: number) => {
      const out = new Float64Array(nx);
      stepBody(body, xs.subarray(b * nx, (b + 1) * nx), us.subarray(b * nu, (b + 1) * nu), dt, out, { substeps });
      let s = 0;
      for (let i = 0; i < nx; i++) s += g[b * nx + i] * out[i];
      return s;
    };
    const central = (v: Float64Array, i: number, b: number, substeps: number) => {
      const save = v[i];
      v[i] = save + eps;
      const lp = loss(x, u, b, substeps);
      v[i] = save - eps;
      const lm = loss(x, u, b, substeps);
      v[i] = save;
      return (lp - lm) / (2 * eps);
    };
    for (const substeps of [1, 3]) {
      const jac = allocPlantJacobians(batch, body);
      plantForward(body, x, u, batch, dt, substeps, new Float64Array(batch * nx), jac);
      const gx = new Float64Array(batch * nx);
      const gU = new Float64Array(batch * nu);
      plantBackward(jac, g, batch, gx, gU);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < nx; i++) {
          const num = central(x, b * nx + i, b, substeps);
          expect(Math.abs(gx[b * nx + i] - num)).toBeLessThan(1e-5 * Math.max(1, Math.abs(num)));
        }
        for (let m = 0; m < nu; m++) {
          const num = central(u, b * nu + m, b, substeps);
          expect(Math.abs(gU[b * nu + m] - num)).toBeLessThan(1e-5 * Math.max(1, Math.abs(num)));
        }
      }
      expect(gU[nu + 2]).toBe(0);
    }
  });
});
