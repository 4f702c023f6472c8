import { describe, expect, it } from 'vitest';
import { countProminentPeaks, minimumJerkPath, minimumJerkShape, minimumJerkSpeed, reachMetrics } from '../../model/analysis/kinematics.ts';

const dt = 0.001;

/** Hold at `start` for `hold` s, then a minimum-jerk reach of `duration` s, then hold, `total` s in all. */
function reach(start: [number, number], end: [number, number], hold: number, duration: number, total: number): Float64Array {
  const n = Math.round(total / dt) + 1;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const s = minimumJerkShape((i * dt - hold) / duration);
    out[2 * i] = start[0] + (end[0] - start[0]) * s;
    out[2 * i + 1] = start[1] + (end[1] - start[1]) * s;
  }
  return out;
}

describe('minimum-jerk reference (Flash & Hogan 1985)', () => {
  it('the profile 10τ³ − 15τ⁴ + 6τ⁵ runs 0 → ½ → 1 and its speed peaks at 1.875·D/T', () => {
    expect(minimumJerkShape(0)).toBe(0);
    expect(minimumJerkShape(0.5)).toBeCloseTo(0.5, 15);
    expect(minimumJerkShape(1)).toBe(1);
    expect(minimumJerkSpeed(0.25, 0.1, 0.5)).toBeCloseTo((1.875 * 0.1) / 0.5, 14);
  });

  it('a sampled minimum-jerk reach has peak speed 1.875·D/T at mid-movement and correlates ≈ 1 with the reference', () => {
    const d = 0.12;
    const T = 0.6;
    const path = minimumJerkPath([0, 0.3], [d * Math.cos(1), 0.3 + d * Math.sin(1)], T, dt, Math.round(T / dt) + 201);
    const m = reachMetrics(path, { dt, target: [d * Math.cos(1), 0.3 + d * Math.sin(1)] });
    expect(Math.abs(m.peakSpeed - (1.875 * d) / T) / ((1.875 * d) / T)).toBeLessThan(1e-5);
    expect(m.peakSpeedTime).toBeCloseTo(T / 2, 3);
    expect(m.minJerkCorrelation).toBeGreaterThan(0.99999);
    expect(m.minJerkRmsDifference).toBeLessThan(1e-3);
    expect(m.singlePeaked).toBe(true);
    expect(m.straightness).toBeLessThan(1e-12);
    expect(m.endpointError).toBeLessThan(1e-12);
  });
});

describe('reach metrics', () => {
  it('onset is where speed first reaches 10% of peak: hold + τ·T with 16τ²(1 − τ)² = 0.1; reaction time counts from go', () => {
    const hold = 0.25;
    const T = 0.5;
    const path = reach([0, 0], [0.1, 0], hold, T, 1.2);
    const m = reachMetrics(path, { dt, target: [0.1, 0], goIndex: 100 });
    const tau = (1 - Math.sqrt(1 - Math.sqrt(0.1))) / 2;
    expect(m.onsetTime).toBeCloseTo(hold + tau * T, 4);
    expect(m.reactionTime).toBeCloseTo(hold + tau * T - 0.1, 4);
    expect(m.offsetTime).toBeCloseTo(hold + (1 - tau) * T, 4);
    expect(m.ended).toBe(true);
  });

  it('endpoint error is the distance of the final hand position from the target', () => {
    const path = reach([0, 0], [0.103, 0.004], 0, 0.5, 0.8);
    const m = reachMetrics(path, { dt, target: [0.1, 0], start: [0, 0] });
    expect(m.endpointError).toBeCloseTo(0.005, 12);
  });

  it('straightness of a circular-arc path with sagitta h is h / chord', () => {
    const L = 0.1;
    const h = 0.02;
    const R = (h * h + (L / 2) ** 2) / (2 * h);
    const half = Math.asin(L / 2 / R);
    const n = 801;
    const path = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const s = minimumJerkShape(i / (n - 1));
      const phi = -half + 2 * half * s;
      path[2 * i] = L / 2 + R * Math.sin(phi);
      path[2 * i + 1] = R * Math.cos(phi) - (R - h);
    }
    const m = reachMetrics(path, { dt, target: [L, 0], start: [0, 0], threshold: 0.001 });
    expect(m.maxPerpendicularDeviation).toBeCloseTo(h, 7);
    expect(m.straightness).toBeCloseTo(h / L, 6);
    expect(m.pathLength).toBeGreaterThan(L);
  });

  it('two overlapping submovements give two speed peaks', () => {
    const a = reach([0, 0], [0.06, 0], 0, 0.4, 1.0);
    const b = reach([0, 0], [0.05, 0], 0.45, 0.4, 1.0);
    const path = a.map((v, i) => v + b[i]);
    const m = reachMetrics(path, { dt, target: [0.11, 0] });
    expect(m.speedPeaks).toBe(2);
    expect(m.singlePeaked).toBe(false);
  });

  it('counts only peaks of sufficient prominence', () => {
    expect(countProminentPeaks([0, 5, 4.9, 5, 0], 0.5)).toBe(1);
    expect(countProminentPeaks([0, 5, 1, 4, 0], 0.5)).toBe(2);
  });
});
