import { afterEach, describe, expect, it } from 'vitest';
import { LI_TODOROV_ARM, MOTORNET_ARM, type ArmParams } from '../../sim/arm-params.ts';
import { MAX_JOINT_SPEED, massMatrix, stepArm, stepArmWithJacobian } from '../../sim/dynamics.ts';
import { createMatterArm, type MatterArm } from '../../sim/matter-arm.ts';

const live: MatterArm[] = [];
afterEach(() => {
  for (const a of live.splice(0)) a.dispose();
});

const MAGNITUDES = [1e5, 1e6, 1e12, Number.MAX_VALUE];
const SIGNS: [number, number][] = [
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];

/**
 * With a constant torque the only resting state is the corner that each joint torque pushes into
 * (the stops can only push back along their own joint): q_j = qMax_j where τ_j > 0, else qMin_j.
 */
function expectAtCorner(p: ArmParams, x: ArrayLike<number>, sign: [number, number], what: string): void {
  for (let i = 0; i < 4; i++) expect(Number.isFinite(x[i]), `${what}: x[${i}] = ${x[i]}`).toBe(true);
  for (const j of [0, 1]) {
    expect(x[j], `${what}: joint ${j}`).toBeCloseTo(sign[j] > 0 ? p.qMax[j] : p.qMin[j], 6);
    expect(Math.abs(x[2 + j]), `${what}: speed ${j}`).toBeLessThanOrEqual(MAX_JOINT_SPEED);
  }
}

describe('huge torques', () => {
  it('any finite torque (1e5, 1e6, 1e12 N·m, the largest float) leaves the analytic arm finite, inside its limits, at the corner the torque pushes into', () => {
    for (const p of [MOTORNET_ARM, LI_TODOROV_ARM]) {
      for (const mag of MAGNITUDES) {
        for (const sign of SIGNS) {
          const tau = [sign[0] * mag, sign[1] * mag];
          for (const substeps of [1, 10]) {
            const x = new Float64Array([0.8, 1.2, 0, 0]);
            for (let k = 0; k < 30; k++) {
              stepArm(p, x, tau, 0.01, x, { substeps });
              for (const j of [0, 1]) {
                expect(x[j]).toBeGreaterThanOrEqual(p.qMin[j]);
                expect(x[j]).toBeLessThanOrEqual(p.qMax[j]);
              }
            }
            expectAtCorner(p, x, sign, `${p.name} τ = [${tau}] N·m, ${substeps} substeps`);
          }
        }
      }
    }
  });

  it('any finite torque (1e5, 1e6, 1e12 N·m, the largest float) leaves the matter-js arm finite, inside its limits, at the corner the torque pushes into', () => {
    for (const p of [MOTORNET_ARM, LI_TODOROV_ARM]) {
      for (const mag of MAGNITUDES) {
        for (const sign of SIGNS) {
          const tau = [sign[0] * mag, sign[1] * mag];
          const arm = createMatterArm(p, { q0: [0.8, 1.2] });
          live.push(arm);
          for (let k = 0; k < 30; k++) arm.step(tau, 0.01);
          expectAtCorner(p, arm.getState(), sign, `${p.name} τ = [${tau}] N·m (matter-js)`);
          const h = arm.handPosition();
          expect(Number.isFinite(h[0]) && Number.isFinite(h[1])).toBe(true);
        }
      }
    }
  });
});

describe('joint stops', () => {
  it('an elbow pressed into full extension makes the arm one rigid body: M11(0)·q̈1 = τ1 − B11·q̇1 on both engines', () => {
    for (const p of [MOTORNET_ARM, LI_TODOROV_ARM]) {
      const tau = [0.5, -2];
      const q0 = 0.5;
      const x = new Float64Array([q0, 0, 0, 0]);
      const arm = createMatterArm(p, { q0: [q0, 0] });
      live.push(arm);
      const M11 = massMatrix(p, 0)[0];
      const b = p.B[0][0];
      // q̇1 = (τ1/b)(1 − e^(−b·t/M11)), integrated.
      const rigid = (t: number) => q0 + (tau[0] / b) * (t - (M11 / b) * (1 - Math.exp((-b * t) / M11)));
      for (let k = 1; k <= 20; k++) {
        stepArm(p, x, tau, 0.01, x, { substeps: 10 });
        arm.step(tau, 0.01);
        const t = 0.01 * k;
        const expected = rigid(t);
        expect(x[1]).toBe(0);
        expect(x[0]).toBeCloseTo(expected, 10);
        const y = arm.getState();
        expect(Math.abs(y[1])).toBeLessThan(1e-4);
        // matter-js's constraint solver needs a few updates to settle after the arm is placed (first 10 ms).
        if (k >= 10) expect(Math.abs(y[0] - expected)).toBeLessThan((k < 20 ? 0.02 : 0.01) * (expected - q0));
      }
    }
  });

  it('with a joint held by its stop, the step Jacobian equals finite differences in the directions that keep it held', () => {
    const p = MOTORNET_ARM;
    // Shoulder on its upper stop, pushed into it; elbow free and moving.
    const x = [p.qMax[0], 1.1, 0, 0.8];
    const tau = [3, 0.4];
    const out = new Float64Array(4);
    const A = new Float64Array(16);
    const Bu = new Float64Array(8);
    stepArmWithJacobian(p, x, tau, 0.01, 2, out, A, Bu);
    expect(out[0]).toBe(p.qMax[0]);
    const eps = 1e-6;
    const xp = new Float64Array(4);
    const xm = new Float64Array(4);
    const check = (v: number[], i: number, col: (r: number) => number) => {
      const s = v[i];
      v[i] = s + eps;
      stepArm(p, x, tau, 0.01, xp, { substeps: 2 });
      v[i] = s - eps;
      stepArm(p, x, tau, 0.01, xm, { substeps: 2 });
      v[i] = s;
      for (let r = 0; r < 4; r++) expect(col(r)).toBeCloseTo((xp[r] - xm[r]) / (2 * eps), 6);
    };
    for (const c of [1, 3]) check(x, c, (r) => A[4 * r + c]);
    for (const c of [0, 1]) check(tau, c, (r) => Bu[2 * r + c]);
  });
});
