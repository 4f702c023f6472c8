import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { distancePenalty, reachDirection } from '../../model/losses.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { handPosition, handVelocity } from '../../sim/dynamics.ts';
import { handStateJacobian } from '../../sim/hand-jacobian.ts';

describe('hand-to-goal penalty (L1 in the reach frame)', () => {
  it('equals |Δ along| + |Δ across| far from the goal, whatever the reach direction', () => {
    const g = new Float64Array(2);
    for (const angle of [0, 0.3, Math.PI / 4, 2, -2.5]) {
      const [ux, uy] = [Math.cos(angle), Math.sin(angle)];
      // 6 cm short of the goal along the reach and 2 cm to its left.
      const hx = -0.06 * ux - 0.02 * uy;
      const hy = -0.06 * uy + 0.02 * ux;
      expect(distancePenalty(hx, hy, 0, 0, ux, uy, 1e-9, 1, g)).toBeCloseTo(0.08, 8);
      // The gradient points away from the goal along the reach (−u) and across it (+n, n = (−uy, ux)), each with unit weight.
      expect(g[0]).toBeCloseTo(-ux - uy, 6);
      expect(g[1]).toBeCloseTo(-uy + ux, 6);
    }
  });

  it('weighs the distance across the reach line f times more: w·(|Δ along| + f·|Δ across|)', () => {
    const g = new Float64Array(2);
    const [ux, uy] = [Math.cos(0.7), Math.sin(0.7)];
    // 6 cm short along the reach and 2 cm to its left, w = 2, f = 3.
    expect(distancePenalty(-0.06 * ux - 0.02 * uy, -0.06 * uy + 0.02 * ux, 0, 0, ux, uy, 1e-9, 2, g, 3)).toBeCloseTo(2 * (0.06 + 3 * 0.02), 7);
    expect(g[0]).toBeCloseTo(2 * (-ux - 3 * uy), 6);
    expect(g[1]).toBeCloseTo(2 * (-uy + 3 * ux), 6);
    const f = (x: number, y: number) => distancePenalty(x, y, 0.3, 0.4, 0.6, 0.8, 0.005, 2, new Float64Array(2), 0.25);
    const [x, y, h] = [0.303, 0.396, 1e-7];
    distancePenalty(x, y, 0.3, 0.4, 0.6, 0.8, 0.005, 2, g, 0.25);
    expect(g[0]).toBeCloseTo((f(x + h, y) - f(x - h, y)) / (2 * h), 6);
    expect(g[1]).toBeCloseTo((f(x, y + h) - f(x, y - h)) / (2 * h), 6);
  });

  it('with f = 1 gives the plain penalty bit for bit (controllers trained before f still reproduce)', () => {
    const g = new Float64Array(2);
    const [hx, hy, gx, gy, ux, uy, eps, w] = [0.313, 0.391, 0.3, 0.4, 0.6, 0.8, 0.005, 1.7];
    const a = (hx - gx) * ux + (hy - gy) * uy;
    const l = (hy - gy) * ux - (hx - gx) * uy;
    const sa = Math.sqrt(a * a + eps * eps);
    const sl = Math.sqrt(l * l + eps * eps);
    expect(distancePenalty(hx, hy, gx, gy, ux, uy, eps, w, g)).toBe(w * (sa + sl - 2 * eps));
    expect(g[0]).toBe(w * ((a / sa) * ux - (l / sl) * uy));
    expect(g[1]).toBe(w * ((a / sa) * uy + (l / sl) * ux));
  });

  it('is zero at the goal and its gradient matches finite differences', () => {
    const g = new Float64Array(2);
    expect(distancePenalty(0.3, 0.4, 0.3, 0.4, 0.6, 0.8, 0.005, 2, g)).toBe(0);
    const f = (x: number, y: number) => distancePenalty(x, y, 0.3, 0.4, 0.6, 0.8, 0.005, 2, new Float64Array(2));
    const [x, y, h] = [0.303, 0.396, 1e-7];
    distancePenalty(x, y, 0.3, 0.4, 0.6, 0.8, 0.005, 2, g);
    expect(g[0]).toBeCloseTo((f(x + h, y) - f(x - h, y)) / (2 * h), 6);
    expect(g[1]).toBeCloseTo((f(x, y + h) - f(x, y - h)) / (2 * h), 6);
  });

  it('uses +x as the frame of a zero-length reach', () => {
    const s = new Float64Array([0.1, 0.2]);
    expect(reachDirection(s, s, 0)).toEqual([1, 0]);
  });
});

describe('hand-state Jacobian', () => {
  it('equals central finite differences of hand position and velocity', () => {
    const rng = createRng(4);
    const J = new Float64Array(16);
    for (let trial = 0; trial < 10; trial++) {
      const x = [uniformIn(rng, 0.2, 2), uniformIn(rng, 0.2, 2.5), uniformIn(rng, -3, 3), uniformIn(rng, -3, 3)];
      handStateJacobian(MOTORNET_ARM, x, J);
      const hs = (s: number[]) => [...handPosition(MOTORNET_ARM, s[0], s[1]), ...handVelocity(MOTORNET_ARM, s[0], s[1], s[2], s[3])];
      for (let k = 0; k < 4; k++) {
        const up = [...x];
        const down = [...x];
        up[k] += 1e-6;
        down[k] -= 1e-6;
        const a = hs(up);
        const b = hs(down);
        for (let i = 0; i < 4; i++) expect(J[i * 4 + k]).toBeCloseTo((a[i] - b[i]) / 2e-6, 6);
      }
    }
  });
});
