import { describe, expect, it } from 'vitest';
import { cloneRng, createRng, fillNormal, fillNormalBoxMuller, normal, streamSeed, uniform } from '../../core/random.ts';

const moments = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    v += (xs[i] - m) ** 2;
    k += (xs[i] - m) ** 4;
  }
  v /= xs.length;
  return { mean: m, sd: Math.sqrt(v), kurtosis: k / xs.length / (v * v) };
};

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('seeded random numbers', () => {
  it('the same seed gives the same stream and different seeds differ', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 100 }, () => uniform(a));
    expect(Array.from({ length: 100 }, () => uniform(b))).toEqual(sa);
    expect(Array.from({ length: 100 }, () => uniform(c))).not.toEqual(sa);
  });

  it('a cloned generator continues identically', () => {
    const a = createRng(7);
    uniform(a);
    normal(a);
    const b = cloneRng(a);
    expect([normal(a), normal(a), uniform(a)]).toEqual([normal(b), normal(b), uniform(b)]);
  });

  it('uniform draws lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = createRng(1);
    const xs = Float64Array.from({ length: 200_000 }, () => uniform(r));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = moments(xs);
    // 5 standard errors: sd/√n = 0.289/447 ≈ 6.5e-4.
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * 6.5e-4);
    expect(Math.abs(m.sd ** 2 - 1 / 12)).toBeLessThan(1e-3);
  });

  it('normal and bulk fillNormal draws have the moments of N(μ, σ²) (mean, sd, kurtosis 3)', () => {
    const r = createRng(3);
    const one = Float64Array.from({ length: 200_000 }, () => normal(r));
    const bulk = fillNormal(createRng(4), new Float64Array(200_001), 2, 0.5);
    for (const [xs, mu, sd] of [
      [one, 0, 1],
      [bulk, 2, 0.5],
    ] as const) {
      const m = moments(xs);
      expect(Math.abs(m.mean - mu)).toBeLessThan((5 * sd) / Math.sqrt(xs.length));
      expect(Math.abs(m.sd - sd)).toBeLessThan(0.01 * sd);
      expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.05);
      // Tails: P(|z| > 3) = 0.0026998 and P(|z| > 3.5) = 4.6525e-4 (the ziggurat's base strip starts at 3.44).
      for (const [k, p] of [
        [3, 0.0026998],
        [3.5, 4.6525e-4],
      ]) {
        let n = 0;
        for (let i = 0; i < xs.length; i++) if (Math.abs(xs[i] - mu) > k * sd) n++;
        const expected = p * xs.length;
        expect(Math.abs(n - expected)).toBeLessThan(5 * Math.sqrt(expected));
      }
      // Kolmogorov–Smirnov against Φ: critical D at α = 0.01 is 1.63/√n.
      const z = Float64Array.from(xs, (v) => (v - mu) / sd).sort();
      let d = 0;
      for (let i = 0; i < z.length; i++) {
        const f = phi(z[i]);
        d = Math.max(d, Math.abs(f - i / z.length), Math.abs((i + 1) / z.length - f));
      }
      expect(d).toBeLessThan(1.63 / Math.sqrt(z.length));
    }
  });
});

describe('Box–Muller draws', () => {
  it('one at a time (normal) and in fills of any length continue one stream: the pairs √(−2 ln u)·(cos 2πv, sin 2πv) of successive uniforms, both used in order', () => {
    // Reproducibility of training: sensory noise read in bulk must be the numbers normal() gave.
    const uniforms = createRng(7);
    const pairs: number[] = [];
    const want = (n: number) => {
      while (pairs.length < n) {
        let u = 0;
        while (u === 0) u = uniform(uniforms);
        const v = uniform(uniforms);
        const r = Math.sqrt(-2 * Math.log(u));
        pairs.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
      }
      return pairs.splice(0, n);
    };
    const rng = createRng(7);
    for (const len of [0, 1, 3, 2, 8, 5, 1, 1, 64]) {
      expect(Array.from(fillNormalBoxMuller(rng, new Float64Array(len)))).toEqual(want(len));
      expect([normal(rng)]).toEqual(want(1));
    }
    expect(pairs).toEqual(Number.isNaN(rng.spare) ? [] : [rng.spare]);
    expect(Array.from(rng.s)).toEqual(Array.from(uniforms.s));
  });
});

describe('stream seeds', () => {
  it('differ for every (seed, index) pair of a 64 × 1000 grid, including the diagonal neighbours (s, k) and (s + 1, k − 1)', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 64; s++) for (let k = 0; k < 1000; k++) seen.add(streamSeed(s, k));
    expect(seen.size).toBe(64 * 1000);
    expect(streamSeed(1, 1)).not.toBe(streamSeed(2, 0));
  });

  it('give uncorrelated streams for neighbouring indices: first normals of 4000 streams have correlation |r| < 0.05 with the next index', () => {
    const first = Array.from({ length: 4001 }, (_, k) => normal(createRng(streamSeed(7, k))));
    const a = first.slice(0, -1);
    const b = first.slice(1);
    const ma = a.reduce((x, y) => x + y, 0) / a.length;
    const mb = b.reduce((x, y) => x + y, 0) / b.length;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    expect(Math.abs(sab / Math.sqrt(saa * sbb))).toBeLessThan(0.05);
    expect(() => streamSeed(1.5, 0)).toThrow(/integers/);
  });
});
