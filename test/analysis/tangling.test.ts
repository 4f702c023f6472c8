import { describe, expect, it } from 'vitest';
import { tangling } from '../../model/analysis/tangling.ts';
import { matrix, matmul, qr, transpose } from '../../model/analysis/linalg.ts';
import { createRng, normal } from '../../core/random.ts';
import { readFixture, relativeError } from './fixtures.ts';

describe('tangling of the Russo et al. (2018) sample EMG (reference: tangleAnalysis.m under Octave)', () => {
  const emg = readFixture('russo2018-emg/emg.npy');
  const r = tangling(emg.data, emg.shape, { dt: 0.001, softNorm: 0, numPCs: 8, timeStep: 20 });

  it('uses ε = 0.1 × summed PC variance = 0.1112500974 and 353 points', () => {
    expect(relativeError(r.epsilon, 0.1112500974)).toBeLessThan(1e-6);
    expect(r.Q.length).toBe(353);
  });

  it('reproduces the median, mean, 90th percentile and max of Q to 1e-6', () => {
    expect(relativeError(r.summary.median, 1518.962926)).toBeLessThan(1e-6);
    expect(relativeError(r.summary.mean, 2243.567922)).toBeLessThan(1e-6);
    expect(relativeError(r.summary.p90, 4659.935236)).toBeLessThan(1e-6);
    expect(relativeError(r.summary.max, 12690.37448)).toBeLessThan(1e-6);
  });

  it('uses tangleAnalysis.m’s default timeStep floor(0.02 s / dt) = 20 at 1 kHz', () => {
    const d = tangling(emg.data, emg.shape, { dt: 0.001, softNorm: 0, timeIndices: [0, 399] });
    expect(d.timeStep).toBe(20);
    expect(d.Q.length).toBe(40);
  });
});

/** A closed 2-D curve sampled over one period, embedded in `units` dims by a random orthonormal map: [1, n, units]. */
function curve(f: (phase: number) => [number, number], n: number, units: number) {
  const rng = createRng(3);
  const g = matrix(units, 2);
  for (let i = 0; i < g.data.length; i++) g.data[i] = normal(rng);
  const embed = transpose(qr(g).q);
  const low = matrix(n, 2);
  for (let i = 0; i < n; i++) {
    const [x, y] = f((2 * Math.PI * i) / n);
    low.data[2 * i] = x;
    low.data[2 * i + 1] = y;
  }
  return { data: matmul(low, embed).data, shape: [1, n, units] };
}

describe('tangling of planted trajectories', () => {
  it('equals ω_eff²·4r²/(4r² + ε) on a circle, with ω_eff = 2 sin(ω dt/2)/dt and ε = 0.1·r²·n/(n − 1)', () => {
    const n = 100;
    const dt = 0.01; // one period = 1 s, ω = 2π rad/s
    const radius = 3;
    const { data, shape } = curve((p) => [radius * Math.cos(p), radius * Math.sin(p)], n, 5);
    const r = tangling(data, shape, { dt, timeStep: 1 });
    const eps = 0.1 * radius * radius * (n / (n - 1));
    expect(relativeError(r.epsilon, eps)).toBeLessThan(1e-12);
    const omegaEff = (2 * Math.sin((2 * Math.PI * dt) / 2)) / dt;
    const expected = (omegaEff ** 2 * 4 * radius ** 2) / (4 * radius ** 2 + eps);
    // Away from the padded first bin and its antipode, each point is most tangled with its antipode.
    expect(relativeError(r.Q[25], expected)).toBeLessThan(1e-10);
    expect(r.partner[25]).toBe(75);
  });

  it('is far higher for a self-crossing figure eight than for a circle of the same size and period', () => {
    const n = 200;
    const circle = curve((p) => [Math.cos(p), Math.sin(p)], n, 4);
    const eight = curve((p) => [Math.sin(p), Math.sin(p) * Math.cos(p)], n, 4);
    const qc = tangling(circle.data, circle.shape, { dt: 0.005, timeStep: 1 });
    const qe = tangling(eight.data, eight.shape, { dt: 0.005, timeStep: 1 });
    expect(qe.summary.max).toBeGreaterThan(5 * qc.summary.max);
  });

  it('compares only within a condition when asked', () => {
    const a = curve((p) => [Math.cos(p), Math.sin(p)], 40, 3);
    const two = new Float64Array(a.data.length * 2);
    two.set(a.data);
    two.set(a.data.map((v) => -v), a.data.length);
    const r = tangling(two, [2, 40, 3], { dt: 0.01, timeStep: 1, withinConditionsOnly: true });
    for (let i = 0; i < r.Q.length; i++) expect(r.condition[r.partner[i]]).toBe(r.condition[i]);
  });

  it('rejects bad input', () => {
    const a = curve((p) => [Math.cos(p), Math.sin(p)], 40, 3);
    expect(() => tangling(a.data, a.shape, { dt: 0 })).toThrow(/dt/);
    expect(() => tangling(a.data, [1, 40], { dt: 0.01 })).toThrow(/3-D/);
    expect(() => tangling(a.data, a.shape, { dt: 0.01, timeIndices: [0, 40] })).toThrow(/invalid/);
  });
});
