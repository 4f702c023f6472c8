import { afterEach, describe, expect, it } from 'vitest';
import { LI_TODOROV_ARM, MOTORNET_ARM, type ArmParams } from '../../sim/arm-params.ts';
import { MAX_JOINT_SPEED, stepArm } from '../../sim/dynamics.ts';
import { createMatterArm, type MatterArm } from '../../sim/matter-arm.ts';

const live: MatterArm[] = [];
afterEach(() => {
  for (const a of live.splice(0)) a.dispose();
});

const MAGNITUDES = [1e5, 1e6, 1e12];
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
  it('any finite torque (1e5, 1e6, 1e12 N·m) leaves the analytic arm finite, inside its limits, at the corner the torque pushes into', () => {
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

  it('any finite torque (1e5, 1e6, 1e12 N·m) leaves the matter-js arm finite, inside its limits, at the corner the torque pushes into', () => {
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
