import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { stepArm, stepArmWithJacobian } from '../../sim/dynamics.ts';
import { curlField, pulseField, sumFields, viscousField, type ForceField } from '../../sim/force-fields.ts';

const p = MOTORNET_ARM;
const dt = 0.01;
const FIELDS: Array<[string, ForceField]> = [
  ['a curl field (13 N·s/m)', curlField(13)],
  ['a viscous field plus a force pulse', sumFields(viscousField(5), pulseField([{ start: 0.003, duration: 0.01, F: [2, -3] }]))],
];

describe('hand force in the differentiable step', () => {
  for (const [name, field] of FIELDS) {
    it(`with ${name}, the step matches the analytic step and its Jacobians match finite differences`, () => {
      const rng = createRng(4);
      for (let trial = 0; trial < 5; trial++) {
        const x = Float64Array.of(uniformIn(rng, 0.4, 1.2), uniformIn(rng, 0.8, 2), uniformIn(rng, -2, 2), uniformIn(rng, -2, 2));
        const tau = Float64Array.of(uniformIn(rng, -2, 2), uniformIn(rng, -2, 2));
        const opts = { handForce: field, t: 0 };
        const out = new Float64Array(4);
        const A = new Float64Array(16);
        const Bu = new Float64Array(8);
        stepArmWithJacobian(p, x, tau, dt, 2, out, A, Bu, opts);
        const ref = stepArm(p, x, tau, dt, new Float64Array(4), { substeps: 2, ...opts });
        for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(ref[i], 12);
        const free = stepArm(p, x, tau, dt, new Float64Array(4), { substeps: 2 });
        expect(Math.abs(out[2] - free[2]) + Math.abs(out[3] - free[3])).toBeGreaterThan(1e-4);
        const eps = 1e-6;
        const step = (xx: Float64Array, uu: Float64Array) => stepArm(p, xx, uu, dt, new Float64Array(4), { substeps: 2, ...opts });
        for (let k = 0; k < 4; k++) {
          const xp = Float64Array.from(x);
          const xm = Float64Array.from(x);
          xp[k] += eps;
          xm[k] -= eps;
          const fp = step(xp, tau);
          const fm = step(xm, tau);
          for (let i = 0; i < 4; i++) expect(A[i * 4 + k]).toBeCloseTo((fp[i] - fm[i]) / (2 * eps), 5);
        }
        for (let k = 0; k < 2; k++) {
          const up = Float64Array.from(tau);
          const um = Float64Array.from(tau);
          up[k] += eps;
          um[k] -= eps;
          const fp = step(x, up);
          const fm = step(x, um);
          for (let i = 0; i < 4; i++) expect(Bu[i * 2 + k]).toBeCloseTo((fp[i] - fm[i]) / (2 * eps), 5);
        }
      }
    });
  }
});
