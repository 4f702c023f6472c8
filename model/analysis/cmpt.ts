/**
 * Surrogates of the covariance-matched permutation test (CMPT) of Michaels, Dann & Scherberger 2016
 * ("Neural population dynamics during reaching are better explained by a dynamical system than
 * representational tuning", PLoS Comput Biol 12:e1005175): "reassigns neural data between task
 * conditions independently for each neuron while maintaining overall neuron-to-neuron relationships".
 *
 * 1. Each unit's conditions are permuted independently (a unit keeps its own set of condition time
 *    courses, whole; only which condition each belongs to changes). This keeps every unit's response
 *    repertoire and the cross-condition mean, and breaks the condition structure shared across units.
 * 2. Covariance matching: the independent shuffles also scramble the unit × unit covariance (over
 *    conditions and times), so pairs of conditions of one unit are swapped greedily — a random unit, a
 *    random pair, kept if the swap brings the surrogate's covariance closer (Frobenius norm) to the
 *    data's — until a sweep of proposals improves it by less than a relative 1e-6 or a sweep cap.
 *    Every swap is again a per-unit condition relabelling, so step 1's invariants hold throughout.
 *
 * Michaels et al.'s own statistic is the rotational goodness-of-fit ratio R²_skew / R²_best.
 */
import { randomInt, type Rng } from '../../core/random.ts';
import { checkActivity } from './population.ts';

/** Options of {@link cmptSurrogate}. */
export interface CmptOptions {
  /** Match the unit × unit covariance after shuffling (default true; false = plain per-unit condition shuffle). */
  matchCovariance?: boolean;
  /** Cap on covariance-matching sweeps; a sweep proposes units × conditions swaps (default 20). */
  maxSweeps?: number;
}

/** Result of one CMPT draw. */
export interface CmptSurrogate {
  /** The surrogate `[conditions, times, units]`. */
  data: Float64Array;
  /** Condition of the original data each surrogate entry came from: [units, conditions]. */
  source: Int32Array;
  /** ‖C_surrogate − C_data‖_F / ‖C_data‖_F after shuffling and after matching (unit covariance over conditions and times). */
  covarianceMismatch: { shuffled: number; matched: number };
}

/** One CMPT surrogate of `activity: [conditions, times, units]` (see the module note). */
export function cmptSurrogate(activity: ArrayLike<number>, shape: readonly number[], rng: Rng, options: CmptOptions = {}): CmptSurrogate {
  const [nc, nt, nu] = checkActivity(activity, shape);
  if (nc < 2) throw new Error('CMPT needs at least 2 conditions to permute');
  // Centre each unit on its mean over conditions and times: a condition relabelling leaves that mean alone.
  const mu = new Float64Array(nu);
  for (let i = 0; i < nc * nt; i++) for (let n = 0; n < nu; n++) mu[n] += activity[i * nu + n];
  for (let n = 0; n < nu; n++) mu[n] /= nc * nt;
  const x = new Float64Array(nc * nt * nu);
  for (let i = 0; i < nc * nt; i++) for (let n = 0; n < nu; n++) x[i * nu + n] = activity[i * nu + n] - mu[n];
  const target = unitCovariance(x, nc * nt, nu);

  const source = new Int32Array(nu * nc);
  const y = new Float64Array(x.length);
  for (let n = 0; n < nu; n++) {
    const perm = Int32Array.from({ length: nc }, (_, c) => c);
    for (let c = nc - 1; c > 0; c--) {
      const j = randomInt(rng, c + 1);
      [perm[c], perm[j]] = [perm[j], perm[c]];
    }
    for (let c = 0; c < nc; c++) {
      source[n * nc + c] = perm[c];
      for (let t = 0; t < nt; t++) y[(c * nt + t) * nu + n] = x[(perm[c] * nt + t) * nu + n];
    }
  }
  const cov = unitCovariance(y, nc * nt, nu);
  const targetNorm = Math.sqrt(frobenius2(target));
  const mismatch = () => Math.sqrt(frobeniusDiff2(cov, target)) / targetNorm;
  const shuffled = targetNorm > 0 ? mismatch() : 0;

  if ((options.matchCovariance ?? true) && targetNorm > 0 && nu > 1) {
    const maxSweeps = options.maxSweeps ?? 20;
    const delta = new Float64Array(nu);
    const d = new Float64Array(nt);
    let err = frobeniusDiff2(cov, target);
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      const before = err;
      for (let p = 0; p < nu * nc; p++) {
        const i = randomInt(rng, nu);
        const c1 = randomInt(rng, nc);
        let c2 = randomInt(rng, nc - 1);
        if (c2 >= c1) c2++;
        for (let t = 0; t < nt; t++) d[t] = y[(c2 * nt + t) * nu + i] - y[(c1 * nt + t) * nu + i];
        // Swapping unit i's conditions c1, c2 changes C[i, j] (j ≠ i) by Σ_t d_t·(y[c1,t,j] − y[c2,t,j]); C[i, i] stays.
        delta.fill(0);
        for (let t = 0; t < nt; t++) {
          const dt = d[t];
          if (dt === 0) continue;
          const o1 = (c1 * nt + t) * nu;
          const o2 = (c2 * nt + t) * nu;
          for (let j = 0; j < nu; j++) delta[j] += dt * (y[o1 + j] - y[o2 + j]);
        }
        let change = 0;
        for (let j = 0; j < nu; j++) {
          if (j === i) continue;
          const e = cov[i * nu + j] - target[i * nu + j];
          change += 2 * ((e + delta[j]) ** 2 - e * e);
        }
        if (!(change < 0)) continue;
        for (let j = 0; j < nu; j++) {
          if (j === i) continue;
          cov[i * nu + j] += delta[j];
          cov[j * nu + i] += delta[j];
        }
        for (let t = 0; t < nt; t++) {
          const o1 = (c1 * nt + t) * nu + i;
          const o2 = (c2 * nt + t) * nu + i;
          [y[o1], y[o2]] = [y[o2], y[o1]];
        }
        [source[i * nc + c1], source[i * nc + c2]] = [source[i * nc + c2], source[i * nc + c1]];
        err += change;
      }
      if (before - err <= 1e-6 * before) break;
    }
  }
  const matched = targetNorm > 0 ? mismatch() : 0;
  for (let i = 0; i < nc * nt; i++) for (let n = 0; n < nu; n++) y[i * nu + n] += mu[n];
  return { data: y, source, covarianceMismatch: { shuffled, matched } };
}

/** Xᵀ·X of a [rows, units] matrix (row-major). */
function unitCovariance(x: Float64Array, rows: number, nu: number): Float64Array {
  const c = new Float64Array(nu * nu);
  for (let r = 0; r < rows; r++) {
    const o = r * nu;
    for (let a = 0; a < nu; a++) {
      const v = x[o + a];
      if (v === 0) continue;
      for (let b = a; b < nu; b++) c[a * nu + b] += v * x[o + b];
    }
  }
  for (let a = 0; a < nu; a++) for (let b = 0; b < a; b++) c[a * nu + b] = c[b * nu + a];
  return c;
}

function frobenius2(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

function frobeniusDiff2(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}
