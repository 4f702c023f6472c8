import { describe, expect, it } from 'vitest';
import { cosineTuning, windowMean } from '../../model/analysis/tuning.ts';
import { axialRayleighTest, fSurvival, logGamma, rayleighTest, regularizedIncompleteBeta } from '../../model/analysis/stats.ts';
import { createRng, normal } from '../../core/random.ts';

const directions = Array.from({ length: 8 }, (_, i) => (2 * Math.PI * i) / 8);

function wrap(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

describe('special functions', () => {
  it('ln Γ matches ln((n−1)!) and ln Γ(1/2) = ln √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(20)).toBeCloseTo(Math.log(121645100408832000), 11);
  });

  it('I_x(a, b) matches closed forms: I_x(1, 1) = x, I_x(a, 1) = xᵃ, I_½(a, a) = ½, I_x(1, b) = 1 − (1 − x)ᵇ', () => {
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.7, 3.5, 1)).toBeCloseTo(0.7 ** 3.5, 14);
    expect(regularizedIncompleteBeta(0.5, 7.3, 7.3)).toBeCloseTo(0.5, 13);
    expect(regularizedIncompleteBeta(0.2, 1, 12)).toBeCloseTo(1 - 0.8 ** 12, 14);
  });

  it('the F(2, d) survival function equals (1 + 2f/d)^(−d/2)', () => {
    for (const [f, d] of [
      [0.5, 5],
      [3.2, 13],
      [40, 97],
    ]) {
      expect(fSurvival(f, 2, d) / (1 + (2 * f) / d) ** (-d / 2)).toBeCloseTo(1, 11);
    }
  });
});

describe('Rayleigh tests (Zar 1999; Berens 2009 circ_rtest)', () => {
  it('evenly spaced angles have R = 0, z = 0 and p = 1', () => {
    const r = rayleighTest(Array.from({ length: 12 }, (_, i) => (2 * Math.PI * i) / 12));
    expect(r.z).toBeCloseTo(0, 13);
    expect(r.p).toBeCloseTo(1, 12);
  });

  it('p follows exp(√(1 + 4n + 4(n² − R²)) − (1 + 2n)): two identical angles give p = exp(√9 − 5)', () => {
    const r = rayleighTest([0.4, 0.4]);
    expect(r.meanResultantLength).toBeCloseTo(1, 14);
    expect(r.p).toBeCloseTo(Math.exp(-2), 14);
  });

  it('the axial test sees angles θ and θ + π as the same axis', () => {
    const r = axialRayleighTest([0.3, 0.3 + Math.PI, 0.31, 0.29 + Math.PI]);
    expect(r.meanResultantLength).toBeGreaterThan(0.99);
    expect(r.meanAxis).toBeCloseTo(0.3, 2);
    expect(rayleighTest([0.3, 0.3 + Math.PI, 0.31, 0.29 + Math.PI]).meanResultantLength).toBeLessThan(0.02);
  });
});

describe('cosine tuning (Georgopoulos et al. 1982)', () => {
  it('recovers planted PDs, depths and offsets exactly; bimodal PDs make the axial Rayleigh test significant', () => {
    const units = 40;
    const axis = 0.6;
    // Two lobes 180° apart, each spread ±0.15 rad symmetrically, so the mean axis is exactly `axis`.
    const pds = Array.from({ length: units }, (_, j) => wrap(axis + (j % 2 === 0 ? 0 : Math.PI) + ((j >> 1) % 2 === 0 ? 0.15 : -0.15)));
    const responses = new Float64Array(8 * units);
    directions.forEach((th, i) => {
      for (let j = 0; j < units; j++) responses[i * units + j] = 10 + j * 0.1 + (2 + 0.05 * j) * Math.cos(th - pds[j]);
    });
    const r = cosineTuning(responses, [8, units], directions);
    for (let j = 0; j < units; j++) {
      expect(wrap(r.preferredDirection[j] - pds[j])).toBeCloseTo(0, 12);
      expect(r.modulationDepth[j]).toBeCloseTo(2 + 0.05 * j, 12);
      expect(r.b0[j]).toBeCloseTo(10 + j * 0.1, 12);
      expect(r.r2[j]).toBeCloseTo(1, 12);
    }
    expect(r.fractionTuned).toBe(1);
    expect(r.pdAxial!.p).toBeLessThan(1e-6);
    expect(wrap(2 * (r.pdAxial!.meanAxis - axis))).toBeCloseTo(0, 12);
    expect(r.pdAxial!.meanResultantLength).toBeCloseTo(Math.cos(0.3), 12);
    expect(r.pdUniform!.p).toBeGreaterThan(0.5);
  });

  it('finds uniformly spread PDs not bimodal (axial Rayleigh p = 1)', () => {
    const units = 16;
    const responses = new Float64Array(8 * units);
    directions.forEach((th, i) => {
      for (let j = 0; j < units; j++) responses[i * units + j] = 5 + Math.cos(th - (2 * Math.PI * j) / units);
    });
    const r = cosineTuning(responses, [8, units], directions);
    expect(r.pdAxial!.p).toBeCloseTo(1, 10);
  });

  it('a unit tuned to cos 2θ (orthogonal to cos θ, sin θ over 8 directions) has zero cosine tuning, F = 0 and p = 1', () => {
    const responses = Float64Array.from(directions, (th) => 3 + Math.cos(2 * th));
    const r = cosineTuning(responses, [8, 1], directions);
    expect(r.modulationDepth[0]).toBeLessThan(1e-14);
    expect(r.f[0]).toBeLessThan(1e-25);
    expect(r.p[0]).toBeCloseTo(1, 12);
    expect(r.tuned[0]).toBe(0);
  });

  it('fits single trials and gives the F-test p-value (1 + 2F/(n − 3))^(−(n − 3)/2)', () => {
    const rng = createRng(11);
    const trialAngles: number[] = [];
    const resp: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      for (const th of directions) {
        trialAngles.push(th);
        resp.push(4 + 0.3 * Math.cos(th - 1) + normal(rng));
      }
    }
    const r = cosineTuning(resp, [40, 1], trialAngles);
    const f = r.f[0];
    expect(r.p[0]).toBeCloseTo((1 + (2 * f) / 37) ** (-37 / 2), 12);
    expect(r.f[0]).toBeCloseTo((r.r2[0] / 2) / ((1 - r.r2[0]) / 37), 10);
  });

  it('windowMean averages [conditions, times, units] over a time window', () => {
    const a = Float64Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
    expect(Array.from(windowMean(a, [2, 3, 2], 1, 2))).toEqual([3, 4, 9, 10]);
  });

  it('rejects too few observations and degenerate angles', () => {
    expect(() => cosineTuning([1, 2, 3], [3, 1], [0, 1, 2])).toThrow(/at least 4/);
    expect(() => cosineTuning([1, 2, 1, 2], [4, 1], [0, Math.PI, 0, Math.PI])).toThrow(/distinct directions/);
  });
});
