import { describe, expect, it } from 'vitest';
import { axisDifference, limbAxes, majorAxis } from '../../model/analysis/limb-axis.ts';
import { ARM26_SKELETON } from '../../sim/arm-params.ts';
import { jacobian, massMatrix } from '../../sim/skeleton.ts';

describe('limb-mechanics axis of preferred directions (Lillicrap & Scott 2013)', () => {
  it('the major axis of a symmetric 2 × 2 matrix is its leading eigenvector (closed forms)', () => {
    expect(majorAxis(2, 0, 1).axis).toBeCloseTo(0, 12);
    expect(majorAxis(1, 0, 2).axis).toBeCloseTo(Math.PI / 2, 12);
    expect(majorAxis(1, 1, 1).axis).toBeCloseTo(Math.PI / 4, 12);
    expect(majorAxis(1, 1, 1).eigenvalues).toEqual([2, 0]);
  });

  it('a hand Jacobian that rotates by θ rotates both axes by θ (M = diag(2, 1), J = R(θ))', () => {
    const th = 0.7;
    const J = [Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)] as const;
    const r = limbAxes([2, 0, 1], J);
    expect(r.torqueDemandAxis).toBeCloseTo(th, 12);
    expect(r.effectiveMassAxis).toBeCloseTo(th, 12);
    expect(r.torqueDemand[0]).toBeCloseTo(2, 12);
    expect(r.effectiveMass[1]).toBeCloseTo(1, 12);
  });

  it('on the arm26 skeleton the torque-demand axis is where |M J⁻¹ u| is largest over 3600 directions', () => {
    const q = [Math.PI / 4, Math.PI / 2];
    const M = massMatrix(ARM26_SKELETON, q[1]);
    const J = jacobian(ARM26_SKELETON, q[0], q[1]);
    const r = limbAxes(M, J);
    const det = J[0] * J[3] - J[1] * J[2];
    let best = 0;
    let bestAngle = 0;
    for (let k = 0; k < 3600; k++) {
      const a = (k / 3600) * Math.PI;
      const [ux, uy] = [Math.cos(a), Math.sin(a)];
      const qd1 = (J[3] * ux - J[1] * uy) / det;
      const qd2 = (-J[2] * ux + J[0] * uy) / det;
      const t = Math.hypot(M[0] * qd1 + M[1] * qd2, M[1] * qd1 + M[2] * qd2);
      if (t > best) [best, bestAngle] = [t, a];
    }
    expect(axisDifference(r.torqueDemandAxis, bestAngle)).toBeLessThan(Math.PI / 3600 + 1e-9);
    expect(r.torqueDemand[0]).toBeCloseTo(best, 6);
  });

  it('axis differences are folded into [0, 90°]', () => {
    expect(axisDifference(0.1, Math.PI - 0.1)).toBeCloseTo(0.2, 12);
    expect(axisDifference(0, Math.PI / 2)).toBeCloseTo(Math.PI / 2, 12);
  });
});
