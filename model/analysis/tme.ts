/**
 * Tensor maximum entropy (TME) surrogates (Elsayed & Cunningham 2017, "Structure in neural population
 * recordings: an expected byproduct of simpler phenomena?", Nat Neurosci 20:1310): random
 * `[conditions, times, units]` cubes with the same mean and, in expectation, the same three marginal
 * covariances (across times, units and conditions) as the data, and otherwise as random as possible.
 * A population structure (rotations, low tangling) that the surrogates reproduce is an expected
 * byproduct of those simpler features.
 *
 * Method (the paper's equations; implementation our own):
 * 1. Mean tensor M = μ_T[t] + μ_N[n] + μ_C[c], removed mode by mode (times, then units, then
 *    conditions), as the authors' code does; R = X − M.
 * 2. Marginal covariances, unnormalised: Σ_T = Σ_{c,n} R[c,t,n]R[c,t',n], likewise Σ_N and Σ_C; all
 *    three have trace ‖R‖². Eigen-decompose each: Σ_k = Q_k·diag(s_k)·Q_kᵀ.
 * 3. The maximum-entropy density under these constraints is Gaussian with precision the Kronecker sum
 *    Λ_C ⊕ Λ_T ⊕ Λ_N, Λ_k = Q_k·diag(λ_k)·Q_kᵀ sharing Σ_k's eigenvectors, so its covariance is
 *    diagonal in the product eigenbasis with variance 1/(λ_C[c] + λ_T[t] + λ_N[n]). The multipliers
 *    solve s_k[j] = Σ over the other two modes' indices of 1/(λ_C + λ_T + λ_N). They minimise the convex
 *    dual φ(λ) = Σ_k Σ_j λ_k[j]·s_k[j] − Σ_{c,t,n} log(λ_C[c] + λ_T[t] + λ_N[n]), whose gradient is
 *    s − (that sum); we minimise φ by damped Newton (the authors minimise a log-domain least-squares
 *    form with conjugate gradients; the minimiser is the same). φ is flat along the two gauge
 *    directions (a, −a, 0) and (a, 0, −a); the Newton step is taken with the unit- and condition-mode
 *    means of the step held at zero, which removes them.
 *    Eigenvalues below e⁻¹⁰ of the mean eigenvalue (trace / mean dimension) are treated as exact
 *    zeros, λ = ∞ (the authors' threshold): surrogates have no variance along those directions.
 * 4. Sampling: z iid N(0, 1) in the product eigenbasis, scaled by 1/√(λ_C + λ_T + λ_N), rotated back
 *    by Q_C, Q_T, Q_N mode by mode (three small matrix products instead of one huge one), plus M.
 */
import { fillNormal, type Rng } from '../../core/random.ts';
import { matrix, solve, symmetricEigen, type Matrix } from './linalg.ts';
import { checkActivity, type Shape3 } from './population.ts';

/** The mean tensor and marginal covariances of a cube (step 1–2 of the module note). */
export interface TensorMarginals {
  shape: Shape3;
  /** Mean tensor M: [conditions, times, units]. */
  mean: Float64Array;
  /** Σ_C: [conditions, conditions]. */
  covConditions: Matrix;
  /** Σ_T: [times, times]. */
  covTimes: Matrix;
  /** Σ_N: [units, units]. */
  covUnits: Matrix;
}

/** Mean tensor and the three unnormalised marginal covariances of `activity: [conditions, times, units]`. */
export function tensorMarginals(activity: ArrayLike<number>, shape: readonly number[]): TensorMarginals {
  const sh = checkActivity(activity, shape);
  const [nc, nt, nu] = sh;
  const r = Float64Array.from(activity);
  const muT = new Float64Array(nt);
  for (let c = 0; c < nc; c++) for (let t = 0; t < nt; t++) for (let n = 0; n < nu; n++) muT[t] += r[(c * nt + t) * nu + n];
  for (let t = 0; t < nt; t++) muT[t] /= nc * nu;
  for (let c = 0; c < nc; c++) for (let t = 0; t < nt; t++) for (let n = 0; n < nu; n++) r[(c * nt + t) * nu + n] -= muT[t];
  const muN = new Float64Array(nu);
  for (let i = 0; i < nc * nt; i++) for (let n = 0; n < nu; n++) muN[n] += r[i * nu + n];
  for (let n = 0; n < nu; n++) muN[n] /= nc * nt;
  for (let i = 0; i < nc * nt; i++) for (let n = 0; n < nu; n++) r[i * nu + n] -= muN[n];
  const muC = new Float64Array(nc);
  for (let c = 0; c < nc; c++) for (let i = 0; i < nt * nu; i++) muC[c] += r[c * nt * nu + i];
  for (let c = 0; c < nc; c++) muC[c] /= nt * nu;
  for (let c = 0; c < nc; c++) for (let i = 0; i < nt * nu; i++) r[c * nt * nu + i] -= muC[c];
  const mean = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) mean[i] = activity[i] - r[i];
  const cov = marginalCovariances(r, sh);
  return { shape: sh, mean, ...cov };
}

/** Unnormalised marginal covariances of a (mean-removed) cube: Σ_C, Σ_T, Σ_N. */
export function marginalCovariances(r: Float64Array, shape: Shape3): { covConditions: Matrix; covTimes: Matrix; covUnits: Matrix } {
  const [nc, nt, nu] = shape;
  const cc = matrix(nc, nc);
  for (let a = 0; a < nc; a++) {
    for (let b = a; b < nc; b++) {
      let s = 0;
      const oa = a * nt * nu;
      const ob = b * nt * nu;
      for (let i = 0; i < nt * nu; i++) s += r[oa + i] * r[ob + i];
      cc.data[a * nc + b] = s;
      cc.data[b * nc + a] = s;
    }
  }
  const ct = matrix(nt, nt);
  for (let c = 0; c < nc; c++) {
    for (let a = 0; a < nt; a++) {
      const oa = (c * nt + a) * nu;
      for (let b = a; b < nt; b++) {
        const ob = (c * nt + b) * nu;
        let s = 0;
        for (let n = 0; n < nu; n++) s += r[oa + n] * r[ob + n];
        ct.data[a * nt + b] += s;
      }
    }
  }
  for (let a = 0; a < nt; a++) for (let b = 0; b < a; b++) ct.data[a * nt + b] = ct.data[b * nt + a];
  const cu = matrix(nu, nu);
  for (let i = 0; i < nc * nt; i++) {
    const o = i * nu;
    for (let a = 0; a < nu; a++) {
      const x = r[o + a];
      if (x === 0) continue;
      const row = a * nu;
      for (let b = a; b < nu; b++) cu.data[row + b] += x * r[o + b];
    }
  }
  for (let a = 0; a < nu; a++) for (let b = 0; b < a; b++) cu.data[a * nu + b] = cu.data[b * nu + a];
  return { covConditions: cc, covTimes: ct, covUnits: cu };
}

/** One mode of a fitted TME distribution: the kept eigenvectors of its marginal covariance and their multipliers. */
export interface TmeMode {
  /** Eigenvectors kept (columns), [dimension, rank]. */
  vectors: Matrix;
  /** Eigenvalues of the marginal covariance kept: [rank]. */
  eigenvalues: Float64Array;
  /** Lagrange multipliers λ (eigenvalues of Λ_k) of the kept directions: [rank]. */
  multipliers: Float64Array;
}

/** A fitted TME distribution (see {@link fitTme}). */
export interface TmeModel {
  shape: Shape3;
  mean: Float64Array;
  conditions: TmeMode;
  times: TmeMode;
  units: TmeMode;
  /** Per-element standard deviation in the product eigenbasis, 1/√(λ_C + λ_T + λ_N): [rankC, rankT, rankN]. */
  scale: Float64Array;
  /** Largest |expected − target| / target marginal eigenvalue at the solution. */
  maxRelativeError: number;
  /** Newton iterations used. */
  iterations: number;
}

/** Options of {@link fitTme}. */
export interface TmeFitOptions {
  /** Stop when every marginal eigenvalue is matched to this relative error (default 1e-9). */
  tolerance?: number;
  /** Newton iteration cap (default 200). */
  maxIterations?: number;
}

const ZERO_EIGENVALUE = Math.exp(-10);

/** Fit the TME distribution of `activity: [conditions, times, units]` (see the module note). */
export function fitTme(activity: ArrayLike<number>, shape: readonly number[], options: TmeFitOptions = {}): TmeModel {
  const m = tensorMarginals(activity, shape);
  const [nc, nt, nu] = m.shape;
  const trace = traceOf(m.covTimes);
  if (!(trace > 0)) throw new Error('TME: the activity has no variance once its mode means are removed');
  const floor = (ZERO_EIGENVALUE * trace) / ((nc + nt + nu) / 3);
  const modes = [m.covConditions, m.covTimes, m.covUnits].map((cov) => keptEigen(cov, floor));
  const ranks = modes.map((e) => e.values.length);
  // The constraints are consistent only if every mode's targets share one sum (each is Σ over the
  // whole grid of the variances); dropping eigenvalues breaks that by ≤ ~1e-4 of the trace, so each
  // mode's kept eigenvalues are rescaled to sum to the trace.
  const s = modes.map((e) => {
    let kept = 0;
    for (const v of e.values) kept += v;
    return e.values.map((v) => (v * trace) / kept);
  });
  const lambda = solveMultipliers(s, trace, options.tolerance ?? 1e-9, options.maxIterations ?? 200);
  const [rc, rt, rn] = ranks;
  const scale = new Float64Array(rc * rt * rn);
  for (let a = 0; a < rc; a++) {
    for (let b = 0; b < rt; b++) {
      const ab = lambda.values[0][a] + lambda.values[1][b];
      const o = (a * rt + b) * rn;
      for (let c = 0; c < rn; c++) scale[o + c] = 1 / Math.sqrt(ab + lambda.values[2][c]);
    }
  }
  const mode = (i: number): TmeMode => ({ vectors: modes[i].vectors, eigenvalues: modes[i].values, multipliers: lambda.values[i] });
  return {
    shape: m.shape,
    mean: m.mean,
    conditions: mode(0),
    times: mode(1),
    units: mode(2),
    scale,
    maxRelativeError: lambda.maxRelativeError,
    iterations: lambda.iterations,
  };
}

function traceOf(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

/** Eigenvalues above `floor` (descending) and their eigenvectors as columns. */
function keptEigen(cov: Matrix, floor: number): { values: Float64Array; vectors: Matrix } {
  const { values, vectors } = symmetricEigen(cov);
  let r = 0;
  while (r < values.length && values[r] > floor) r++;
  if (r === 0) throw new Error('TME: a marginal covariance is zero');
  const n = cov.rows;
  const v = matrix(n, r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) v.data[i * r + j] = vectors.data[i * n + j];
  return { values: values.slice(0, r), vectors: v };
}

/**
 * Multipliers λ of three modes with target eigenvalues s (step 3 of the module note), by damped Newton
 * on the convex dual with backtracking that keeps every λ_C + λ_T + λ_N positive.
 */
function solveMultipliers(
  s: Float64Array[],
  trace: number,
  tolerance: number,
  maxIterations: number,
): { values: Float64Array[]; maxRelativeError: number; iterations: number } {
  const [r0, r1, r2] = s.map((v) => v.length);
  const n = r0 + r1 + r2;
  const off = [0, r0, r0 + r1];
  // Start at the isotropic solution for this trace: every precision sum equals r0·r1·r2 / trace.
  const lam = new Float64Array(n).fill((r0 * r1 * r2) / trace / 3);
  const target = new Float64Array(n);
  s.forEach((v, k) => target.set(v, off[k]));
  const expected = new Float64Array(n);
  const hess = new Float64Array(n * n);

  const dual = (l: Float64Array): number => {
    let lin = 0;
    for (let i = 0; i < n; i++) lin += l[i] * target[i];
    let logs = 0;
    for (let a = 0; a < r0; a++) {
      for (let b = 0; b < r1; b++) {
        const ab = l[a] + l[r0 + b];
        for (let c = 0; c < r2; c++) {
          const sum = ab + l[off[2] + c];
          if (!(sum > 0)) return Infinity;
          logs += Math.log(sum);
        }
      }
    }
    return lin - logs;
  };

  let iterations = 0;
  let maxRel = Infinity;
  for (; iterations <= maxIterations; iterations++) {
    expected.fill(0);
    hess.fill(0);
    for (let a = 0; a < r0; a++) {
      for (let b = 0; b < r1; b++) {
        const ab = lam[a] + lam[r0 + b];
        let sab = 0;
        let qab = 0;
        for (let c = 0; c < r2; c++) {
          const d = 1 / (ab + lam[off[2] + c]);
          const d2 = d * d;
          sab += d;
          qab += d2;
          expected[off[2] + c] += d;
          hess[(off[2] + c) * n + off[2] + c] += d2;
          hess[a * n + off[2] + c] += d2;
          hess[(r0 + b) * n + off[2] + c] += d2;
        }
        expected[a] += sab;
        expected[r0 + b] += sab;
        hess[a * n + a] += qab;
        hess[(r0 + b) * n + r0 + b] += qab;
        hess[a * n + r0 + b] += qab;
      }
    }
    maxRel = 0;
    for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(expected[i] - target[i]) / target[i]);
    if (maxRel <= tolerance || iterations === maxIterations) break;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) hess[i * n + j] = hess[j * n + i];
    // Gauge: adding w·11ᵀ on the time and unit blocks of H makes it nonsingular, and the solution is
    // the step of the singular Newton system whose time- and unit-mode sums are zero.
    let diag = 0;
    for (let i = 0; i < n; i++) diag = Math.max(diag, hess[i * n + i]);
    for (const k of [1, 2]) {
      const len = s[k].length;
      const w = diag / len;
      for (let i = off[k]; i < off[k] + len; i++) for (let j = off[k]; j < off[k] + len; j++) hess[i * n + j] += w;
    }
    const grad = new Float64Array(n);
    for (let i = 0; i < n; i++) grad[i] = target[i] - expected[i];
    const step = solve(matrix(n, n, hess), matrix(n, 1, grad.map((g) => -g))).data;
    const f0 = dual(lam);
    let slope = 0;
    for (let i = 0; i < n; i++) slope += grad[i] * step[i];
    // φ is self-concordant (linear minus logs of affine functions): with Newton decrement
    // √(−slope) < 1/4 the full step stays in the domain and converges quadratically (Boyd &
    // Vandenberghe §9.6), where comparing φ values would only compare round-off.
    const pure = -slope < 1 / 16;
    let t = 1;
    const trial = new Float64Array(n);
    for (let k = 0; k < 60; k++, t /= 2) {
      for (let i = 0; i < n; i++) trial[i] = lam[i] + t * step[i];
      const f = dual(trial);
      if (pure ? Number.isFinite(f) : f <= f0 + 0.25 * t * slope) break;
    }
    lam.set(trial);
  }
  if (!(maxRel <= Math.max(tolerance, 1e-6))) {
    throw new Error(`TME: the maximum-entropy fit did not converge (marginal eigenvalues off by ${maxRel.toExponential(2)} after ${iterations} Newton steps)`);
  }
  return { values: [lam.slice(0, r0), lam.slice(r0, r0 + r1), lam.slice(r0 + r1)], maxRelativeError: maxRel, iterations };
}

/**
 * One TME surrogate `[conditions, times, units]` drawn with `rng` (step 4 of the module note); pass
 * `out` to reuse a buffer.
 */
export function sampleTme(model: TmeModel, rng: Rng, out?: Float64Array): Float64Array {
  const [nc, nt, nu] = model.shape;
  const qc = model.conditions.vectors;
  const qt = model.times.vectors;
  const qn = model.units.vectors;
  const [rc, rt, rn] = [qc.cols, qt.cols, qn.cols];
  const y = fillNormal(rng, new Float64Array(rc * rt * rn));
  for (let i = 0; i < y.length; i++) y[i] *= model.scale[i];
  // Units: z1[(a, b), n] = Σ_j y[(a, b), j]·Q_N[n, j].
  const z1 = new Float64Array(rc * rt * nu);
  for (let ab = 0; ab < rc * rt; ab++) {
    const yo = ab * rn;
    const zo = ab * nu;
    for (let nIdx = 0; nIdx < nu; nIdx++) {
      const qo = nIdx * rn;
      let acc = 0;
      for (let j = 0; j < rn; j++) acc += y[yo + j] * qn.data[qo + j];
      z1[zo + nIdx] = acc;
    }
  }
  // Times: z2[a, t, n] = Σ_b Q_T[t, b]·z1[a, b, n].
  const z2 = new Float64Array(rc * nt * nu);
  for (let a = 0; a < rc; a++) {
    for (let t = 0; t < nt; t++) {
      const dst = (a * nt + t) * nu;
      for (let b = 0; b < rt; b++) {
        const w = qt.data[t * rt + b];
        const src = (a * rt + b) * nu;
        for (let nIdx = 0; nIdx < nu; nIdx++) z2[dst + nIdx] += w * z1[src + nIdx];
      }
    }
  }
  // Conditions: x[c, t, n] = M + Σ_a Q_C[c, a]·z2[a, t, n].
  const x = out ?? new Float64Array(nc * nt * nu);
  if (x.length !== nc * nt * nu) throw new Error(`sampleTme: out has ${x.length} values, the model needs ${nc * nt * nu}`);
  x.set(model.mean);
  const block = nt * nu;
  for (let c = 0; c < nc; c++) {
    for (let a = 0; a < rc; a++) {
      const w = qc.data[c * rc + a];
      const src = a * block;
      const dst = c * block;
      for (let i = 0; i < block; i++) x[dst + i] += w * z2[src + i];
    }
  }
  return x;
}
