import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { findFixedPoints } from '../../model/fixed-points.ts';
import { networkSpecSchema, paramShapes, type NetworkParams, type NetworkSpec } from '../../model/network.ts';

function zeroParams(spec: NetworkSpec): NetworkParams {
  const out: NetworkParams = {};
  for (const [name, shape] of Object.entries(paramShapes(spec))) out[name] = { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
  return out;
}

/** Set the recurrent weight W (math convention, pre = W h) of an RNN; the parameters store it as h·Wx rows. */
function setRecurrent(spec: NetworkSpec, params: NetworkParams, w: number[][]): void {
  const n = spec.hidden;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) params.Wx.data[(spec.inputs + i) * n + j] = w[j][i];
}

function randomStarts(count: number, n: number, lo: number, hi: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: count * n }, () => uniformIn(rng, lo, hi));
}

const rnn = (hidden: number, inputs: number) => networkSpecSchema.parse({ kind: 'rnn', hidden, inputs, tau: 0.05, dt: 0.01 });

describe('fixed points of a leaky RNN (Sussillo & Barak 2013)', () => {
  it('W = 0: the unique fixed point is h = tanh(Ux + b), stable with every eigenvalue 1 − α', () => {
    const spec = rnn(5, 2);
    const p = zeroParams(spec);
    const rng = createRng(3);
    for (let i = 0; i < 2 * 5; i++) p.Wx.data[i] = uniformIn(rng, -1, 1);
    for (let j = 0; j < 5; j++) p.b.data[j] = uniformIn(rng, -0.5, 0.5);
    const x = [0.3, -0.7];
    const search = findFixedPoints(spec, p, x, randomStarts(12, 5, -1, 1, 4));
    const fixed = search.points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(1);
    expect(fixed[0].starts).toBe(12);
    expect(fixed[0].q).toBeLessThan(1e-10);
    for (let j = 0; j < 5; j++) {
      const expected = Math.tanh(x[0] * p.Wx.data[j] + x[1] * p.Wx.data[5 + j] + p.b.data[j]);
      expect(fixed[0].state[j]).toBeCloseTo(expected, 9);
    }
    const alpha = 0.2;
    for (let i = 0; i < 5; i++) {
      expect(fixed[0].eigenvalues.re[i]).toBeCloseTo(1 - alpha, 10);
      expect(fixed[0].eigenvalues.im[i]).toBe(0);
      // Continuous flow: τ ḣ = −h ⇒ eigenvalue −1/τ = −20 s⁻¹.
      expect(fixed[0].continuousEigenvalues.re[i]).toBeCloseTo(-20, 8);
    }
    expect(fixed[0].stable).toBe(true);
    expect(fixed[0].rotations).toEqual([]);
  });

  it('self-excitation w = 2 per unit: finds all 3² fixed points of h = tanh(2h) and classifies them', () => {
    const spec = rnn(2, 1);
    const p = zeroParams(spec);
    setRecurrent(spec, p, [
      [2, 0],
      [0, 2],
    ]);
    const search = findFixedPoints(spec, p, [0], randomStarts(60, 2, -1.5, 1.5, 7));
    const fixed = search.points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(9);
    // h* = tanh(2 h*) > 0, by bisection.
    let lo = 0.5;
    let hi = 1;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (Math.tanh(2 * mid) > mid) lo = mid;
      else hi = mid;
    }
    const hStar = lo;
    const levels = [-hStar, 0, hStar];
    for (const a of levels) {
      for (const b of levels) {
        const match = fixed.find((f) => Math.abs(f.state[0] - a) < 1e-9 && Math.abs(f.state[1] - b) < 1e-9);
        expect(match, `fixed point (${a}, ${b})`).toBeDefined();
        expect(match!.q).toBeLessThan(1e-10);
        // Each unit contributes 1 − α + α·2·(1 − h²): 1.2 at h = 0 (unstable), < 1 at ±h*.
        const unstable = [a, b].filter((v) => v === 0).length;
        expect(match!.unstableModes).toBe(unstable);
        expect(match!.stable).toBe(unstable === 0);
        const expectedMax = unstable > 0 ? 1.2 : 0.8 + 0.4 * (1 - hStar * hStar);
        expect(match!.maxAbsEigenvalue).toBeCloseTo(expectedMax, 9);
      }
    }
  });

  it('a planted rotation block gives complex eigenvalues (−1 ± iω)/τ, i.e. ω/(2πτ) Hz', () => {
    const spec = rnn(4, 1);
    const p = zeroParams(spec);
    const omega = 0.5;
    setRecurrent(spec, p, [
      [0, -omega, 0, 0],
      [omega, 0, 0, 0],
      [0, 0, 0.5, 0],
      [0, 0, 0, -0.5],
    ]);
    const search = findFixedPoints(spec, p, [0], randomStarts(8, 4, -0.8, 0.8, 11));
    const fixed = search.points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(1);
    const f = fixed[0];
    for (const v of f.state) expect(Math.abs(v)).toBeLessThan(1e-9);
    expect(f.rotations.length).toBe(1);
    expect(f.rotations[0].frequencyHz).toBeCloseTo(omega / (2 * Math.PI * 0.05), 9);
    expect(f.rotations[0].decayRate).toBeCloseTo(-1 / 0.05, 8);
    // |λ| = |1 − α + α·iω| = √(0.8² + 0.1²).
    expect(f.rotations[0].absEigenvalue).toBeCloseTo(Math.hypot(0.8, 0.1), 12);
    expect(f.stable).toBe(true);
    // Largest |λ|: the real mode 1 − α + 0.5α = 0.9 (self-excitation 0.5).
    expect(f.maxAbsEigenvalue).toBeCloseTo(0.9, 12);
  });

  it('GRU with Wh = 0: fixed point h = tanh(U_n x + b_in + r·b_hn) with eigenvalues equal to the update gates z', () => {
    const spec = networkSpecSchema.parse({ kind: 'gru', hidden: 3, inputs: 2, dt: 0.01 });
    const p = zeroParams(spec);
    const rng = createRng(5);
    for (let i = 0; i < p.Wx.data.length; i++) p.Wx.data[i] = uniformIn(rng, -1, 1);
    for (let i = 0; i < p.b.data.length; i++) p.b.data[i] = uniformIn(rng, -0.5, 0.5);
    for (let i = 0; i < p.bh.data.length; i++) p.bh.data[i] = uniformIn(rng, -0.5, 0.5);
    const x = [0.6, -0.2];
    const n = 3;
    const gate = (g: number, j: number) => x[0] * p.Wx.data[g * n + j] + x[1] * p.Wx.data[3 * n + g * n + j] + p.b.data[g * n + j];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const search = findFixedPoints(spec, p, x, randomStarts(5, n, -1, 1, 6));
    const fixed = search.points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(1);
    const z = [0, 1, 2].map((j) => sig(gate(1, j)));
    for (let j = 0; j < n; j++) {
      const r = sig(gate(0, j));
      expect(fixed[0].state[j]).toBeCloseTo(Math.tanh(gate(2, j) + r * p.bh.data[j]), 9);
    }
    const sortedZ = [...z].sort((a, b) => b - a);
    sortedZ.forEach((v, i) => expect(fixed[0].eigenvalues.re[i]).toBeCloseTo(v, 9));
    expect(fixed[0].stable).toBe(true);
  });

  it('rejects an input of the wrong length and starts that are not [starts, hidden]', () => {
    const spec = rnn(3, 2);
    const p = zeroParams(spec);
    expect(() => findFixedPoints(spec, p, [1], new Float64Array(3))).toThrow(/input has 1 entries but the network takes 2/);
    expect(() => findFixedPoints(spec, p, [1, 2], new Float64Array(4))).toThrow(/\[starts, 3\]/);
  });
});
