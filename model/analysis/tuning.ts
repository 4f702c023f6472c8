/**
 * Directional (cosine) tuning (Georgopoulos et al. 1982, J Neurosci 2:1527): for each unit,
 * r = b0 + b1·cos θ + b2·sin θ fitted by least squares over observations (conditions, or single
 * trials), preferred direction PD = atan2(b2, b1), modulation depth √(b1² + b2²), R², and the
 * F-test of the two cosine regressors against the constant model (F(2, n − 3)). The population of
 * PDs is tested for bimodality with the axial Rayleigh test (Scott et al. 2001; Lillicrap & Scott
 * 2013) and for unimodality with the ordinary Rayleigh test.
 */
import { formatShape } from '../../core/npy.ts';
import { leastSquares, matrix } from './linalg.ts';
import { axialRayleighTest, fSurvival, rayleighTest, type AxialRayleighResult, type RayleighResult } from './stats.ts';

/** Tuning options. */
export interface TuningOptions {
  /** Significance level of the per-unit F-test (default 0.05). */
  alpha?: number;
}

/** Cosine-tuning fits, one entry per unit in every array. */
export interface TuningResult {
  /** Offset b0 (unit of the responses): [units]. */
  b0: Float64Array;
  /** cos θ coefficient b1: [units]. */
  b1: Float64Array;
  /** sin θ coefficient b2: [units]. */
  b2: Float64Array;
  /** Preferred direction (rad, in (−π, π]): [units]. */
  preferredDirection: Float64Array;
  /** Modulation depth √(b1² + b2²) (unit of the responses): [units]. */
  modulationDepth: Float64Array;
  /** Coefficient of determination (0 for a constant unit): [units]. */
  r2: Float64Array;
  /** F statistic with (2, n − 3) degrees of freedom: [units]. */
  f: Float64Array;
  /** p-value of the F-test (1 for a constant unit): [units]. */
  p: Float64Array;
  /** p < alpha: [units]. */
  tuned: Uint8Array;
  /** Fraction of units tuned at alpha. */
  fractionTuned: number;
  alpha: number;
  /** Number of observations fitted. */
  observations: number;
  /** Axial Rayleigh test on the PDs of tuned units (bimodality); null when fewer than 2 are tuned. */
  pdAxial: AxialRayleighResult | null;
  /** Ordinary Rayleigh test on the PDs of tuned units (unimodality); null when fewer than 2 are tuned. */
  pdUniform: RayleighResult | null;
}

/**
 * Fit cosine tuning. `responses: [observations, units]` (row-major), `angles: [observations]` (rad,
 * the movement/target direction of each observation).
 */
export function cosineTuning(
  responses: ArrayLike<number>,
  shape: readonly number[],
  angles: ArrayLike<number>,
  options: TuningOptions = {},
): TuningResult {
  if (shape.length !== 2) throw new Error(`responses must be 2-D [observations, units], got shape ${formatShape(shape)}`);
  const [n, u] = shape;
  if (!Number.isInteger(n) || !Number.isInteger(u) || u < 1) throw new Error(`invalid responses shape ${formatShape(shape)}`);
  if (responses.length !== n * u) throw new Error(`responses has ${responses.length} values but shape [${n}, ${u}] needs ${n * u}`);
  if (angles.length !== n) throw new Error(`${angles.length} angles given for ${n} observations`);
  if (n < 4) throw new Error(`cosine tuning needs at least 4 observations (3 coefficients + 1 residual degree of freedom), got ${n}`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must lie in (0, 1), got ${alpha}`);
  for (let i = 0; i < responses.length; i++) {
    if (!Number.isFinite(responses[i])) throw new Error(`response ${Math.floor(i / u)}, unit ${i % u} is not finite (${responses[i]})`);
  }
  const design = matrix(n, 3);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(angles[i])) throw new Error(`angle ${i} is not finite (${angles[i]})`);
    design.data[i * 3] = 1;
    design.data[i * 3 + 1] = Math.cos(angles[i]);
    design.data[i * 3 + 2] = Math.sin(angles[i]);
  }
  const y = matrix(n, u, Float64Array.from(responses));
  let coef;
  try {
    coef = leastSquares(design, y);
  } catch {
    throw new Error('cosine tuning: the angles do not determine a cosine (need at least 3 distinct directions, not all 180° apart)');
  }
  const out: TuningResult = {
    b0: new Float64Array(u),
    b1: new Float64Array(u),
    b2: new Float64Array(u),
    preferredDirection: new Float64Array(u),
    modulationDepth: new Float64Array(u),
    r2: new Float64Array(u),
    f: new Float64Array(u),
    p: new Float64Array(u),
    tuned: new Uint8Array(u),
    fractionTuned: 0,
    alpha,
    observations: n,
    pdAxial: null,
    pdUniform: null,
  };
  const dfe = n - 3;
  let tunedCount = 0;
  for (let j = 0; j < u; j++) {
    const b0 = coef.data[j];
    const b1 = coef.data[u + j];
    const b2 = coef.data[2 * u + j];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y.data[i * u + j];
    mean /= n;
    let sst = 0;
    let sse = 0;
    for (let i = 0; i < n; i++) {
      const obs = y.data[i * u + j];
      const fit = b0 + b1 * design.data[i * 3 + 1] + b2 * design.data[i * 3 + 2];
      sst += (obs - mean) ** 2;
      sse += (obs - fit) ** 2;
    }
    // Residuals below rounding level of the data count as an exact fit.
    const exact = sse <= 1e-24 * Math.max(sst, mean * mean * n);
    const r2 = sst > 0 ? Math.max(0, 1 - sse / sst) : 0;
    const f = sst > 0 ? (exact ? Infinity : ((sst - sse) / 2 / (sse / dfe))) : 0;
    const p = sst > 0 ? fSurvival(f, 2, dfe) : 1;
    out.b0[j] = b0;
    out.b1[j] = b1;
    out.b2[j] = b2;
    out.preferredDirection[j] = Math.atan2(b2, b1);
    out.modulationDepth[j] = Math.hypot(b1, b2);
    out.r2[j] = r2;
    out.f[j] = f;
    out.p[j] = p;
    if (p < alpha) {
      out.tuned[j] = 1;
      tunedCount++;
    }
  }
  out.fractionTuned = tunedCount / u;
  const pds: number[] = [];
  for (let j = 0; j < u; j++) if (out.tuned[j]) pds.push(out.preferredDirection[j]);
  if (pds.length >= 2) {
    out.pdAxial = axialRayleighTest(pds);
    out.pdUniform = rayleighTest(pds);
  }
  return out;
}

/**
 * Condition-averaged responses in a window: mean over times [first, last] (inclusive) of
 * `activity: [conditions, times, units]`, giving `[conditions, units]` for {@link cosineTuning}.
 */
export function windowMean(activity: ArrayLike<number>, shape: readonly number[], first: number, last: number): Float64Array {
  const [c, t, u] = shape;
  if (!(first >= 0 && last < t && first <= last)) throw new Error(`time window [${first}, ${last}] is invalid for ${t} time samples`);
  const out = new Float64Array(c * u);
  const w = last - first + 1;
  for (let k = 0; k < c; k++) {
    for (let i = first; i <= last; i++) for (let j = 0; j < u; j++) out[k * u + j] += activity[(k * t + i) * u + j];
    for (let j = 0; j < u; j++) out[k * u + j] /= w;
  }
  return out;
}
