import { describe, expect, it } from 'vitest';
import { createRng, fillNormal, normal, type Rng } from '../../core/random.ts';
import { cmptSurrogate } from '../../model/analysis/cmpt.ts';
import { symmetricEigen, matrix } from '../../model/analysis/linalg.ts';
import { nullModelTest, surrogatePValue } from '../../model/analysis/null-models.ts';
import { fitTme, sampleTme } from '../../model/analysis/tme.ts';

/** A smooth, correlated [conditions, times, units] cube: random walks in time mixed across units, plus per-mode offsets. */
function correlatedCube(rng: Rng, [nc, nt, nu]: [number, number, number]): Float64Array {
  const k = 3;
  const mix = fillNormal(rng, new Float64Array(k * nu));
  const out = new Float64Array(nc * nt * nu);
  for (let c = 0; c < nc; c++) {
    const z = fillNormal(rng, new Float64Array(k));
    for (let t = 0; t < nt; t++) {
      for (let j = 0; j < k; j++) z[j] += 0.3 * normal(rng);
      for (let n = 0; n < nu; n++) {
        let s = 0.2 * normal(rng) + 0.1 * t + 0.5 * n + c;
        for (let j = 0; j < k; j++) s += z[j] * mix[j * nu + n];
        out[(c * nt + t) * nu + n] = s;
      }
    }
  }
  return out;
}

/** The cube minus its mode means, removed by plain loops in the order times, units, conditions. */
function removeModeMeans(x: ArrayLike<number>, [nc, nt, nu]: [number, number, number]): Float64Array {
  const at = (c: number, t: number, n: number) => (c * nt + t) * nu + n;
  const r = Float64Array.from(x);
  for (let t = 0; t < nt; t++) {
    let m = 0;
    for (let c = 0; c < nc; c++) for (let n = 0; n < nu; n++) m += r[at(c, t, n)] / (nc * nu);
    for (let c = 0; c < nc; c++) for (let n = 0; n < nu; n++) r[at(c, t, n)] -= m;
  }
  for (let n = 0; n < nu; n++) {
    let m = 0;
    for (let c = 0; c < nc; c++) for (let t = 0; t < nt; t++) m += r[at(c, t, n)] / (nc * nt);
    for (let c = 0; c < nc; c++) for (let t = 0; t < nt; t++) r[at(c, t, n)] -= m;
  }
  for (let c = 0; c < nc; c++) {
    let m = 0;
    for (let t = 0; t < nt; t++) for (let n = 0; n < nu; n++) m += r[at(c, t, n)] / (nt * nu);
    for (let t = 0; t < nt; t++) for (let n = 0; n < nu; n++) r[at(c, t, n)] -= m;
  }
  return r;
}

/** Unnormalised marginal covariances [Σ_C, Σ_T, Σ_N] of a cube, by their definition. */
function marginalCovs(r: ArrayLike<number>, [nc, nt, nu]: [number, number, number]): Float64Array[] {
  const at = (c: number, t: number, n: number) => (c * nt + t) * nu + n;
  const cc = new Float64Array(nc * nc);
  const ct = new Float64Array(nt * nt);
  const cu = new Float64Array(nu * nu);
  for (let c = 0; c < nc; c++) {
    for (let t = 0; t < nt; t++) {
      for (let n = 0; n < nu; n++) {
        const v = r[at(c, t, n)];
        for (let c2 = 0; c2 < nc; c2++) cc[c * nc + c2] += v * r[at(c2, t, n)];
        for (let t2 = 0; t2 < nt; t2++) ct[t * nt + t2] += v * r[at(c, t2, n)];
        for (let n2 = 0; n2 < nu; n2++) cu[n * nu + n2] += v * r[at(c, t, n2)];
      }
    }
  }
  return [cc, ct, cu];
}

function relativeFrobenius(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('tensor maximum entropy surrogates (Elsayed & Cunningham 2017)', () => {
  const shape: [number, number, number] = [4, 12, 6];
  const data = correlatedCube(createRng(11), shape);
  const model = fitTme(data, shape);
  const residual = removeModeMeans(data, shape);
  const ref = { mean: Float64Array.from(data, (v, i) => v - residual[i]), covs: marginalCovs(residual, shape) };

  it('solves the maximum-entropy conditions: Σ over the other modes of 1/(λ_C + λ_T + λ_N) equals each marginal eigenvalue', () => {
    const modes = [model.conditions, model.times, model.units];
    const lam = modes.map((m) => m.multipliers);
    const [rc, rt, rn] = lam.map((l) => l.length);
    const expected = lam.map((l) => new Float64Array(l.length));
    for (let a = 0; a < rc; a++) {
      for (let b = 0; b < rt; b++) {
        for (let c = 0; c < rn; c++) {
          const d = 1 / (lam[0][a] + lam[1][b] + lam[2][c]);
          expected[0][a] += d;
          expected[1][b] += d;
          expected[2][c] += d;
        }
      }
    }
    ref.covs.forEach((cov, k) => {
      const dim = shape[k];
      const eig = symmetricEigen(matrix(dim, dim, cov)).values;
      expected[k].forEach((v, j) => expect(Math.abs(v - eig[j]) / eig[j]).toBeLessThan(1e-6));
    });
  });

  it('keeps the mean and the three marginal covariances in expectation, with an error that shrinks like 1/√N', () => {
    const rng = createRng(12);
    const average = (n: number) => {
      const mean = new Float64Array(data.length);
      const covs = ref.covs.map((c) => new Float64Array(c.length));
      for (let i = 0; i < n; i++) {
        const s = sampleTme(model, rng);
        // Marginal covariances about the data's mean tensor, which is the surrogates' mean.
        const m = marginalCovs(Float64Array.from(s, (v, j) => v - ref.mean[j]), shape);
        for (let j = 0; j < s.length; j++) mean[j] += s[j] / n;
        m.forEach((c, k) => c.forEach((v, j) => (covs[k][j] += v / n)));
      }
      return { mean, errors: covs.map((c, k) => relativeFrobenius(c, ref.covs[k])) };
    };
    const few = average(16);
    const many = average(1024);
    for (let k = 0; k < 3; k++) {
      expect(many.errors[k]).toBeLessThan(0.05);
      // The Monte Carlo error of an average of N draws falls as 1/√N: 8× from 16 to 1024 draws.
      expect(many.errors[k]).toBeLessThan(few.errors[k] / 3);
    }
    // The average of N draws misses the mean by E‖·‖² = trace(covariance)/N = ‖data − mean‖²/N.
    let miss = 0;
    let spread = 0;
    for (let j = 0; j < data.length; j++) {
      miss += (many.mean[j] - ref.mean[j]) ** 2;
      spread += residual[j] ** 2;
    }
    expect(miss).toBeGreaterThan((0.5 * spread) / 1024);
    expect(miss).toBeLessThan((1.5 * spread) / 1024);
    expect(relativeFrobenius(model.mean, ref.mean)).toBeLessThan(1e-12);
  });
});

describe('null distributions for jPCA', () => {
  const [nc, nt, nu, k, dt] = [8, 40, 20, 6, 0.01];
  /** Latent [conditions, times, k] states embedded in nu units by a random map, plus 0.01 white noise. */
  const embed = (latent: Float64Array, rng: Rng) => {
    const w = fillNormal(rng, new Float64Array(k * nu));
    const out = new Float64Array(nc * nt * nu);
    for (let i = 0; i < nc * nt; i++) {
      for (let n = 0; n < nu; n++) {
        let s = 0.01 * normal(rng);
        for (let j = 0; j < k; j++) s += latent[i * k + j] * w[j * nu + n];
        out[i * nu + n] = s;
      }
    }
    return out;
  };
  const rng = createRng(3);
  // Rotations in three planes (1.5, 2.5, 4 Hz) from a different initial state in every condition.
  const rotation = new Float64Array(nc * nt * k);
  const hz = [1.5, 2.5, 4];
  for (let c = 0; c < nc; c++) {
    const x0 = Array.from({ length: k }, () => normal(rng));
    for (let t = 0; t < nt; t++) {
      for (let p = 0; p < 3; p++) {
        const a = 2 * Math.PI * hz[p] * dt * t;
        rotation[(c * nt + t) * k + 2 * p] = Math.cos(a) * x0[2 * p] - Math.sin(a) * x0[2 * p + 1];
        rotation[(c * nt + t) * k + 2 * p + 1] = Math.sin(a) * x0[2 * p] + Math.cos(a) * x0[2 * p + 1];
      }
    }
  }
  // Six decaying modes (real eigenvalues, time constants 50…500 ms), no rotation.
  const decay = new Float64Array(nc * nt * k);
  const tau = [0.05, 0.08, 0.12, 0.2, 0.3, 0.5];
  for (let c = 0; c < nc; c++) {
    const x0 = Array.from({ length: k }, () => normal(rng));
    for (let t = 0; t < nt; t++) for (let j = 0; j < k; j++) decay[(c * nt + t) * k + j] = x0[j] * Math.exp((-t * dt) / tau[j]);
  }
  const rotating = embed(rotation, rng);
  const decaying = embed(decay, rng);
  const test = (x: Float64Array, method: 'tme' | 'cmpt') =>
    nullModelTest(x, [nc, nt, nu], { method, surrogates: 99, jpca: { dt, numPCs: k } }, createRng(5));

  it('a planted rotation is significant against TME surrogates (p < 0.05)', () => {
    const r = test(rotating, 'tme');
    expect(r.jpca!.R2_Mskew_kD.observed).toBeGreaterThan(0.7);
    expect(r.jpca!.R2_Mskew_kD.p).toBeLessThan(0.05);
  });

  it('decaying modes with real eigenvalues are not significant against TME surrogates', () => {
    const r = test(decaying, 'tme');
    expect(r.jpca!.R2_Mskew_kD.observed).toBeLessThan(0.2);
    expect(r.jpca!.R2_Mskew_kD.p).toBeGreaterThan(0.05);
  });

  it('a planted rotation is significant against CMPT surrogates too, decaying modes are not', () => {
    expect(test(rotating, 'cmpt').jpca!.R2_Mskew_kD.p).toBeLessThan(0.05);
    expect(test(decaying, 'cmpt').jpca!.R2_Mskew_kD.p).toBeGreaterThan(0.05);
  });
});

describe('covariance-matched permutation test surrogates (Michaels et al. 2016)', () => {
  const shape: [number, number, number] = [6, 15, 10];
  const [nc, nt, nu] = shape;
  const data = correlatedCube(createRng(21), shape);
  const draw = cmptSurrogate(data, shape, createRng(22));

  it('keeps every unit’s own condition time courses, relabelled by a permutation of the conditions', () => {
    for (let n = 0; n < nu; n++) {
      const src = Array.from(draw.source.subarray(n * nc, (n + 1) * nc));
      expect([...src].sort((a, b) => a - b)).toEqual(Array.from({ length: nc }, (_, c) => c));
      for (let c = 0; c < nc; c++) {
        for (let t = 0; t < nt; t++) expect(draw.data[(c * nt + t) * nu + n]).toBeCloseTo(data[(src[c] * nt + t) * nu + n], 12);
      }
    }
  });

  it('keeps the cross-condition mean of every unit at every time', () => {
    for (let t = 0; t < nt; t++) {
      for (let n = 0; n < nu; n++) {
        let a = 0;
        let b = 0;
        for (let c = 0; c < nc; c++) {
          a += data[(c * nt + t) * nu + n];
          b += draw.data[(c * nt + t) * nu + n];
        }
        expect(b).toBeCloseTo(a, 10);
      }
    }
  });

  it('brings the unit × unit covariance closer to the data’s than an unmatched shuffle', () => {
    expect(draw.covarianceMismatch.matched).toBeLessThan(0.5 * draw.covarianceMismatch.shuffled);
    const plain = cmptSurrogate(data, shape, createRng(22), { matchCovariance: false });
    expect(plain.covarianceMismatch.matched).toBe(plain.covarianceMismatch.shuffled);
  });
});

describe('surrogate p-values', () => {
  it('count the data as one draw of the null: (1 + #{at least as extreme}) / (1 + N)', () => {
    const nul = Float64Array.from({ length: 99 }, (_, i) => i / 100);
    expect(surrogatePValue(1, nul, 'upper')).toBeCloseTo(1 / 100, 15);
    expect(surrogatePValue(-1, nul, 'upper')).toBe(1);
    expect(surrogatePValue(0.5, nul, 'upper')).toBeCloseTo(50 / 100, 15);
    expect(surrogatePValue(0.5, nul, 'lower')).toBeCloseTo(52 / 100, 15);
  });
});
