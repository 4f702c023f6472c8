/**
 * jPCA (Churchland, Cunningham, Kaufman et al. 2012, Nature 487:51) following the conventions of the
 * Churchland-lab `jPCA.m`:
 *  1. optional soft normalisation of each unit by (range over ALL supplied data + c);
 *  2. optional subtraction of the cross-condition mean (per time, over all supplied times);
 *  3. PCA of the analysis window stacked over conditions, k PCs (even, default 6);
 *  4. dState = x(t+1) − x(t) within each condition (per bin, not divided by dt), fitted from the
 *     PRECEDING state preState = x(t) (jPCA.m `maskT1`), t = first … last−1 of the window;
 *  5. M_best = least squares (dx = M·x), M_skew = least squares over skew-symmetric matrices;
 *  6. R² = 1 − Σerr²/ΣdState² (not mean-centred), in all k dims and in jPC plane 1;
 *  7. jPC planes from M_skew's eigenvector pairs ordered by |imag eigenvalue|, oriented as in
 *     jPCA.m's `getRealVs`: rotation counter-clockwise (from axis 1 towards axis 2), axis 1 along the
 *     largest spread of the first window time across conditions ("plan" states), both axes flipped
 *     if needed so that the largest excursion along axis 2 is positive.
 *
 * Shapes: `activity: [conditions, times, units]`; projections `[conditions, times, k]` with jPC
 * columns ordered plane 1 (axes 1, 2), plane 2 (axes 3, 4), … . M matrices are in the column
 * convention of jPCA.m: dx = M·x for a column state x in PC coordinates.
 */
import {
  matmul,
  matmulTN,
  matrix,
  matVec,
  leastSquares,
  symmetricEigen,
  transpose,
  eigGeneral,
  sumSquares,
  dot,
  norm,
  type Matrix,
} from './linalg.ts';
import { pca } from './pca.ts';
import {
  checkActivity,
  checkIndexRange,
  crossConditionMean,
  divideUnits,
  softNormFactors,
  stackWindow,
  subtractColumns,
  subtractPerTime,
  windowIndices,
} from './population.ts';

/** jPCA options. */
export interface JpcaOptions {
  /** Bin width (s); rotation frequencies are |imag eigenvalue| / (2π·dt). */
  dt: number;
  /** Number of PCs within which jPCs are sought; even (default 6). */
  numPCs?: number;
  /** Soft-normalisation constant c: rate / (range + c); null = no normalisation (default null; jPCA.m uses 10 for spikes/s). */
  softNorm?: number | null;
  /** Subtract the cross-condition mean (default true; ignored with a single condition, as in jPCA.m). */
  meanSubtract?: boolean;
  /** Analysis window as inclusive time indices [first, last] (default: all times). */
  timeIndices?: readonly [number, number];
  /** Time of each bin (any unit), used with `timeWindow`: [times]. */
  times?: ArrayLike<number>;
  /** Analysis window as inclusive [start, end] in the unit of `times`. */
  timeWindow?: readonly [number, number];
}

/** Circular statistics of the angle between state and its change in one jPC plane (jPCA.m `plotPhaseDiff`). */
export interface JpcaCircStats {
  /** Radius-weighted circular mean of (angle of dx − angle of x) (rad); π/2 for pure counter-clockwise rotation. */
  circMn: number;
  /** Radius-weighted mean resultant length of those angle differences (0…1). */
  resultantVect: number;
  /** Mean of cos(angle difference − π/2): 1 for pure rotation, ≈ 0 for expansion/contraction or noise. */
  avgDPwithPiOver2: number;
}

/** One jPC plane. */
export interface JpcPlane {
  /** |imag| of the M_skew eigenvalue pair (rad per bin). */
  angularSpeedPerBin: number;
  /** Rotation frequency (Hz) = angularSpeedPerBin / (2π·dt). */
  frequencyHz: number;
  /** Fraction of the window's total variance captured by the plane. */
  varianceFraction: number;
  circStats: JpcaCircStats;
}

/** Result of {@link jpca}; field names follow jPCA.m's `Summary` where one exists. */
export interface JpcaResult {
  numPCs: number;
  conditions: number;
  /** Inclusive time-index window analysed. */
  timeIndices: [number, number];
  /** Per-unit normalisation factors (ones when not normalised): [units]. */
  normFactors: Float64Array;
  /** Whether the cross-condition mean was subtracted. */
  meanSubtracted: boolean;
  /** Mean of the (normalised, mean-subtracted) window data removed before PCA: [units]. */
  meanFReachNeuron: Float64Array;
  /** The PCs (unit-norm columns, see pca.ts for the sign convention): [units, k]. */
  PCs: Matrix;
  /** jPCs in PC coordinates (orthonormal columns): [k, k]. */
  jPCs: Matrix;
  /** jPCs in unit space, PCs·jPCs: [units, k]. */
  jPCs_highD: Matrix;
  /** Fraction of the window's total variance in each PC: [k]. */
  varCaptEachPC: Float64Array;
  /** Fraction of the window's total variance along each jPC: [k]. */
  varCaptEachJPC: Float64Array;
  /** Fraction of the window's total variance in each jPC plane: [k/2]. */
  varCaptEachPlane: Float64Array;
  /** Best linear dynamics dx = M_best·x (per bin): [k, k]. */
  Mbest: Matrix;
  /** Best skew-symmetric dynamics dx = M_skew·x (per bin): [k, k]. */
  Mskew: Matrix;
  /** Eigenvalues of M_skew (rad per bin), by decreasing |λ|, +imag first in each pair. */
  MskewEigenvalues: { re: Float64Array; im: Float64Array };
  /** Eigenvalues of M_best (per bin), by decreasing real part. */
  MbestEigenvalues: { re: Float64Array; im: Float64Array };
  R2_Mbest_kD: number;
  R2_Mskew_kD: number;
  R2_Mbest_2D: number;
  R2_Mskew_2D: number;
  planes: JpcPlane[];
  /** Frequency of the plane-1 rotation (Hz). */
  rotationHz: number;
  /**
   * Why the planes may mean nothing, e.g. M_skew ≈ 0 (a non-rotational input): then every plane is an
   * arbitrary basis of directions without rotation. Empty when there is no such reason.
   */
  warnings: string[];
  /** Window data projected onto the jPCs (jPCA.m `proj`): [conditions, windowTimes, k]. */
  projection: Float64Array;
  /** All times projected onto the jPCs (`projAllTimes`): [conditions, times, k]. */
  projectionAllTimes: Float64Array;
  /** Window data projected onto the PCs (`tradPCAproj`): [conditions, windowTimes, k]. */
  pcProjection: Float64Array;
  /** All times projected onto the PCs (`tradPCAprojAllTimes`): [conditions, times, k]. */
  pcProjectionAllTimes: Float64Array;
  /** The subtracted cross-condition mean projected onto the jPCs (`crossCondMeanAllTimes`): [times, k]. */
  crossCondMeanAllTimes: Float64Array;
}

/** jPCA of `activity: [conditions, times, units]` (see the module note for conventions). */
export function jpca(activity: ArrayLike<number>, shape: readonly number[], options: JpcaOptions): JpcaResult {
  const sh = checkActivity(activity, shape);
  const [nc, nt, nu] = sh;
  const k = options.numPCs ?? 6;
  if (!Number.isInteger(k) || k < 2 || k % 2 !== 0) throw new Error(`jPCA needs an even number of PCs ≥ 2, got ${k}`);
  if (k > nu) throw new Error(`jPCA: ${k} PCs requested but the data have only ${nu} units`);
  if (!(options.dt > 0) || !Number.isFinite(options.dt)) throw new Error(`jPCA: dt must be a positive number of seconds, got ${options.dt}`);
  const [first, last] = resolveWindow(options, nt);
  const w = last - first + 1;
  if (nc * (w - 1) < k) {
    throw new Error(`jPCA: ${nc} conditions × ${w - 1} state changes cannot determine a ${k}×${k} dynamics matrix; widen the window or use fewer PCs`);
  }

  const softNorm = options.softNorm ?? null;
  const normFactors = softNorm === null ? new Float64Array(nu).fill(1) : softNormFactors(activity, sh, softNorm);
  const normed = divideUnits(activity, sh, normFactors);
  const meanSubtracted = (options.meanSubtract ?? true) && nc > 1;
  const meanA = crossConditionMean(normed, sh);
  const bigA = meanSubtracted ? subtractPerTime(normed, sh, meanA) : normed;

  const smallA = stackWindow(bigA, sh, first, last);
  if (k > Math.min(smallA.rows, nu)) throw new Error(`jPCA: ${k} PCs requested but the window holds only ${smallA.rows} samples`);
  const p = pca(smallA, { components: k });
  const PCs = p.loadings;
  const ared = p.scores;
  const rank = p.variances.filter((v) => v > 1e-12 * p.variances[0]).length;
  if (rank < k) throw new Error(`jPCA: the window's data span only ${rank} dimensions, fewer than the ${k} PCs requested; request at most ${rank - (rank % 2)}`);

  const steps = nc * (w - 1);
  const dState = matrix(steps, k);
  const preState = matrix(steps, k);
  for (let c = 0; c < nc; c++) {
    for (let i = 0; i < w - 1; i++) {
      const r0 = (c * w + i) * k;
      const r1 = (c * w + i + 1) * k;
      const dst = (c * (w - 1) + i) * k;
      for (let j = 0; j < k; j++) {
        preState.data[dst + j] = ared.data[r0 + j];
        dState.data[dst + j] = ared.data[r1 + j] - ared.data[r0 + j];
      }
    }
  }

  const Mbest = transpose(leastSquares(preState, dState));
  const Mskew = skewSymmetricRegression(dState, preState);
  const jPCs = jpcBasis(Mskew, ared, nc, w);
  const omegas = planeSpeeds(Mskew, jPCs);

  const proj = matmul(ared, jPCs);
  const errM = residual(dState, preState, Mbest);
  const errS = residual(dState, preState, Mskew);
  const dSS = sumSquares(dState);
  const R2_Mbest_kD = (dSS - sumSquares(errM)) / dSS;
  const R2_Mskew_kD = (dSS - sumSquares(errS)) / dSS;
  const plane1 = matrix(k, 2);
  for (let i = 0; i < k; i++) {
    plane1.data[i * 2] = jPCs.data[i * k];
    plane1.data[i * 2 + 1] = jPCs.data[i * k + 1];
  }
  const d2 = sumSquares(matmul(dState, plane1));
  const R2_Mbest_2D = (d2 - sumSquares(matmul(errM, plane1))) / d2;
  const R2_Mskew_2D = (d2 - sumSquares(matmul(errS, plane1))) / d2;

  const origVar = sumSquares(subtractColumns(smallA, p.mean));
  const varCaptEachPC = columnSumSquares(ared).map((v) => v / origVar);
  const varCaptEachJPC = columnSumSquares(proj).map((v) => v / origVar);
  const varCaptEachPlane = new Float64Array(k / 2);
  for (let q = 0; q < k / 2; q++) varCaptEachPlane[q] = varCaptEachJPC[2 * q] + varCaptEachJPC[2 * q + 1];

  const allRows = stackWindow(bigA, sh, 0, nt - 1);
  const pcAll = matmul(subtractColumns(allRows, p.mean), PCs);
  const projAll = matmul(pcAll, jPCs);
  const meanRows = matrix(nt, nu, meanA);
  const crossMean = matmul(matmul(subtractColumns(meanRows, p.mean), PCs), jPCs);

  const planes: JpcPlane[] = [];
  for (let q = 0; q < k / 2; q++) {
    planes.push({
      angularSpeedPerBin: omegas[q],
      frequencyHz: omegas[q] / (2 * Math.PI * options.dt),
      varianceFraction: varCaptEachPlane[q],
      circStats: planeCircStats(proj.data, nc, w, k, q),
    });
  }

  const evS = eigGeneral(Mskew);
  const orderS = Array.from({ length: k }, (_, i) => i).sort(
    (a, b) => Math.hypot(evS.re[b], evS.im[b]) - Math.hypot(evS.re[a], evS.im[a]) || a - b,
  );
  const evB = eigGeneral(Mbest);

  return {
    numPCs: k,
    conditions: nc,
    timeIndices: [first, last],
    normFactors,
    meanSubtracted,
    meanFReachNeuron: p.mean,
    PCs,
    jPCs,
    jPCs_highD: matmul(PCs, jPCs),
    varCaptEachPC,
    varCaptEachJPC,
    varCaptEachPlane,
    Mbest,
    Mskew,
    MskewEigenvalues: { re: Float64Array.from(orderS, (i) => evS.re[i]), im: Float64Array.from(orderS, (i) => evS.im[i]) },
    MbestEigenvalues: { re: evB.re, im: evB.im },
    R2_Mbest_kD,
    R2_Mskew_kD,
    R2_Mbest_2D,
    R2_Mskew_2D,
    planes,
    rotationHz: planes[0].frequencyHz,
    warnings: rotationWarnings(Mskew, Mbest, R2_Mskew_kD),
    projection: proj.data,
    projectionAllTimes: projAll.data,
    pcProjection: ared.data,
    pcProjectionAllTimes: pcAll.data,
    crossCondMeanAllTimes: crossMean.data,
  };
}

/** Below this fraction of dX explained by M_skew, the data hold no rotation worth the name. */
export const MIN_ROTATIONAL_R2 = 0.01;

/**
 * M_skew ≈ 0: the rotational fit explains almost none of dX (R2_Mskew_kD < MIN_ROTATIONAL_R2), or M_skew
 * is zero next to M_best to rounding. Its eigenvectors, hence the jPC planes, are then arbitrary.
 */
function rotationWarnings(Mskew: Matrix, Mbest: Matrix, R2_Mskew_kD: number): string[] {
  const skew = Math.sqrt(sumSquares(Mskew));
  const best = Math.sqrt(sumSquares(Mbest));
  if (R2_Mskew_kD >= MIN_ROTATIONAL_R2 && skew > 1e-9 * best) return [];
  return [
    `M_skew ≈ 0 (‖M_skew‖/‖M_best‖ = ${(best > 0 ? skew / best : 0).toPrecision(3)}, R2_Mskew_kD = ${R2_Mskew_kD.toPrecision(3)}): the data show no rotational dynamics, so the jPC planes and their rotation frequencies are arbitrary`,
  ];
}

function resolveWindow(options: JpcaOptions, nt: number): [number, number] {
  if (options.timeIndices && options.timeWindow) throw new Error('give either timeIndices or timeWindow, not both');
  if (options.timeWindow) {
    if (!options.times) throw new Error('timeWindow needs the times of the bins (option times)');
    if (options.times.length !== nt) throw new Error(`times has ${options.times.length} entries but the data have ${nt} time bins`);
    return windowIndices(options.times, options.timeWindow[0], options.timeWindow[1], 3);
  }
  return checkIndexRange(options.timeIndices ?? [0, nt - 1], nt, 3);
}

/** dState − preState·Mᵀ (row-wise residual of dx = M·x). */
function residual(dState: Matrix, preState: Matrix, m: Matrix): Matrix {
  const fit = matmul(preState, transpose(m));
  const out = matrix(dState.rows, dState.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = dState.data[i] - fit.data[i];
  return out;
}

function columnSumSquares(x: Matrix): Float64Array {
  const s = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) s[j] += x.data[i * x.cols + j] ** 2;
  return s;
}

/**
 * The skew-symmetric M minimising ‖dX − X·Mᵀ‖ (rows of X are states, dx = M·x), in closed form.
 * With Mr = Mᵀ (also skew), stationarity over skew matrices gives the Lyapunov equation
 * C·Mr + Mr·C = B − Bᵀ with C = XᵀX, B = XᵀdX; in C's eigenbasis (C = QΛQᵀ) it decouples into
 * Y_ij = (Qᵀ(B − Bᵀ)Q)_ij / (λ_i + λ_j). This is the unique minimiser that jPCA.m's
 * `skewSymRegress` reaches iteratively.
 */
export function skewSymmetricRegression(dX: Matrix, x: Matrix): Matrix {
  if (dX.rows !== x.rows || dX.cols !== x.cols) {
    throw new Error(`skewSymmetricRegression: dX is ${dX.rows}×${dX.cols} but X is ${x.rows}×${x.cols}`);
  }
  const k = x.cols;
  const c = matmulTN(x, x);
  const b = matmulTN(x, dX);
  const rhs = matrix(k, k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) rhs.data[i * k + j] = b.data[i * k + j] - b.data[j * k + i];
  const { values, vectors: q } = symmetricEigen(c);
  const y = matmulTN(q, matmul(rhs, q));
  const floor = values[0] * k * 2.2e-16;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const den = values[i] + values[j];
      if (!(den > floor)) throw new Error('skewSymmetricRegression: the states are rank-deficient (XᵀX is singular)');
      y.data[i * k + j] /= den;
    }
  }
  const mr = matmul(q, matmul(y, transpose(q)));
  const m = matrix(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) m.data[i * k + j] = 0.5 * (mr.data[j * k + i] - mr.data[i * k + j]);
  }
  return m;
}

/**
 * Orthonormal real basis of M_skew's invariant planes, fastest rotation first, each oriented as
 * jPCA.m's getRealVs does. For a skew M, −M² = MᵀM is symmetric with each rotation speed ω² twice;
 * taking u₁ in that eigenspace and u₂ = M·u₁/ω gives M·u₁ = ω·u₂, M·u₂ = −ω·u₁, i.e. the pair
 * [Re v, −Im v] that getRealVs builds from the +iω eigenvector v (counter-clockwise rotation).
 */
function jpcBasis(mskew: Matrix, ared: Matrix, nc: number, w: number): Matrix {
  const k = mskew.rows;
  const { vectors } = symmetricEigen(matmulTN(mskew, mskew));
  const basis: Float64Array[] = [];
  const orthogonalise = (v: Float64Array) => {
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const d = dot(v, b);
        for (let i = 0; i < k; i++) v[i] -= d * b[i];
      }
    }
    return v;
  };
  let scale = 0;
  for (let i = 0; i < mskew.data.length; i++) scale = Math.max(scale, Math.abs(mskew.data[i]));
  const candidates: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(k);
    for (let i = 0; i < k; i++) v[i] = vectors.data[i * k + j];
    candidates.push(v);
  }
  const nextIndependent = (): Float64Array => {
    for (const cand of candidates) {
      const v = orthogonalise(Float64Array.from(cand));
      const nn = norm(v);
      if (nn > 0.5) return v.map((x) => x / nn);
    }
    throw new Error('jPCA: could not complete an orthonormal jPC basis');
  };
  while (basis.length < k) {
    const u1 = nextIndependent();
    basis.push(u1);
    const mu = matVec(mskew, u1);
    const omega = norm(mu);
    let u2: Float64Array;
    if (omega > scale * 1e-13) {
      u2 = orthogonalise(mu.map((x) => x / omega));
      const nn = norm(u2);
      u2 = u2.map((x) => x / nn);
    } else {
      u2 = nextIndependent();
    }
    basis.push(u2);
  }

  const out = matrix(k, k);
  for (let q = 0; q < k / 2; q++) {
    const [a1, a2] = orientPlane(basis[2 * q], basis[2 * q + 1], ared, nc, w);
    for (let i = 0; i < k; i++) {
      out.data[i * k + 2 * q] = a1[i];
      out.data[i * k + 2 * q + 1] = a2[i];
    }
  }
  return out;
}

/**
 * getRealVs' orientation: rotate the (counter-clockwise) pair so that axis 1 is the first principal
 * axis of the first window time across conditions, keep the pair right-handed, then flip both axes
 * if the largest |projection| on axis 2 over the window is negative.
 */
function orientPlane(u1: Float64Array, u2: Float64Array, ared: Matrix, nc: number, w: number): [Float64Array, Float64Array] {
  const k = u1.length;
  let v1 = u1;
  let v2 = u2;
  if (nc >= 2) {
    const plan = matrix(nc, 2);
    for (let c = 0; c < nc; c++) {
      const row = ared.data.subarray(c * w * k, (c * w + 1) * k);
      plan.data[c * 2] = dot(row, u1);
      plan.data[c * 2 + 1] = dot(row, u2);
    }
    const r = pca(plan, { components: 2 }).loadings.data;
    const r00 = r[0];
    const r10 = r[2];
    let r01 = r[1];
    let r11 = r[3];
    if (r00 * r11 - r10 * r01 < 0) {
      r01 = -r01;
      r11 = -r11;
    }
    v1 = u1.map((x, i) => x * r00 + u2[i] * r10);
    v2 = u1.map((x, i) => x * r01 + u2[i] * r11);
  }
  let maxAbs = 0;
  let maxVal = -Infinity;
  for (let row = 0; row < ared.rows; row++) {
    const y = dot(ared.data.subarray(row * k, (row + 1) * k), v2);
    maxAbs = Math.max(maxAbs, Math.abs(y));
    maxVal = Math.max(maxVal, y);
  }
  if (maxAbs > maxVal) return [v1.map((x) => -x), v2.map((x) => -x)];
  return [v1, v2];
}

/** Rotation speed ω of each plane: for a skew M, M·a₁ = ω·a₂ with the oriented axes. */
function planeSpeeds(mskew: Matrix, jPCs: Matrix): Float64Array {
  const k = mskew.rows;
  const out = new Float64Array(k / 2);
  for (let q = 0; q < k / 2; q++) {
    const a1 = new Float64Array(k);
    for (let i = 0; i < k; i++) a1[i] = jPCs.data[i * k + 2 * q];
    out[q] = norm(matVec(mskew, a1));
  }
  return out;
}

/** jPCA.m getPhase + plotPhaseDiff statistics for plane q of a [conditions, w, k] projection. */
function planeCircStats(proj: Float64Array, nc: number, w: number, k: number, q: number): JpcaCircStats {
  let sx = 0;
  let sy = 0;
  let wsum = 0;
  let dp = 0;
  let n = 0;
  for (let c = 0; c < nc; c++) {
    const at = (i: number, d: number) => proj[(c * w + i) * k + 2 * q + d];
    for (let i = 0; i < w; i++) {
      const phase = Math.atan2(at(i, 1), at(i, 0));
      const j = i === 0 ? 1 : i;
      const phaseOfDelta = Math.atan2(at(j, 1) - at(j - 1, 1), at(j, 0) - at(j - 1, 0));
      const radius = Math.hypot(at(i, 0), at(i, 1));
      const diff = wrapToPi(phaseOfDelta - phase);
      sx += radius * Math.cos(diff);
      sy += radius * Math.sin(diff);
      wsum += radius;
      dp += Math.cos(diff - Math.PI / 2);
      n++;
    }
  }
  return {
    circMn: Math.atan2(sy, sx),
    resultantVect: wsum > 0 ? Math.hypot(sx, sy) / wsum : 0,
    avgDPwithPiOver2: dp / n,
  };
}

function wrapToPi(a: number): number {
  const x = (a + Math.PI) % (2 * Math.PI);
  return (x < 0 ? x + 2 * Math.PI : x) - Math.PI;
}

