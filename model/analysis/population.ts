/**
 * Shared handling of population activity cubes `activity: [conditions, times, units]` (row-major
 * Float64Array): validation, soft normalisation, cross-condition mean subtraction, analysis windows
 * and stacking conditions into a [conditions·times, units] matrix, with the conventions of the
 * Churchland-lab code (jPCA.m) and Russo's tangleAnalysis.m.
 */
import { formatShape } from '../../core/npy.ts';
import { matrix, type Matrix } from './linalg.ts';

/** Shape of a population cube: [conditions, times, units]. */
export type Shape3 = readonly [number, number, number];

/** Check that `data` holds a finite [conditions, times, units] cube; throws naming the first problem. */
export function checkActivity(data: ArrayLike<number>, shape: readonly number[], name = 'activity'): Shape3 {
  if (shape.length !== 3) {
    throw new Error(`${name} must be 3-D [conditions, times, units], got shape ${formatShape(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) throw new Error(`${name} shape ${formatShape(shape)} has an empty or invalid dimension`);
  }
  const [c, t, u] = shape;
  if (data.length !== c * t * u) {
    throw new Error(`${name} has ${data.length} values but shape [${c}, ${t}, ${u}] needs ${c * t * u}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const unit = i % u;
      const time = Math.floor(i / u) % t;
      const cond = Math.floor(i / (u * t));
      throw new Error(`${name} has a non-finite value (${data[i]}) at condition ${cond}, time ${time}, unit ${unit}`);
    }
  }
  return [c, t, u];
}

/**
 * Soft-normalisation factors, one per unit: range over all conditions and times + c (jPCA.m
 * `normFactors = range(bigA) + softenNorm`). A unit with zero range and c = 0 gets factor 1 (it is
 * constant, so after mean subtraction it contributes nothing) instead of a division by zero.
 */
export function softNormFactors(data: ArrayLike<number>, shape: Shape3, softNorm: number): Float64Array {
  if (!(softNorm >= 0) || !Number.isFinite(softNorm)) throw new Error(`soft normalisation constant must be ≥ 0, got ${softNorm}`);
  const [c, t, u] = shape;
  const lo = new Float64Array(u).fill(Infinity);
  const hi = new Float64Array(u).fill(-Infinity);
  for (let r = 0; r < c * t; r++) {
    for (let j = 0; j < u; j++) {
      const x = data[r * u + j];
      if (x < lo[j]) lo[j] = x;
      if (x > hi[j]) hi[j] = x;
    }
  }
  const f = new Float64Array(u);
  for (let j = 0; j < u; j++) {
    const v = hi[j] - lo[j] + softNorm;
    f[j] = v > 0 ? v : 1;
  }
  return f;
}

/** Divide each unit by its factor: returns a new cube. */
export function divideUnits(data: ArrayLike<number>, shape: Shape3, factors: Float64Array): Float64Array {
  const u = shape[2];
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / factors[i % u];
  return out;
}

/** The cross-condition mean `[times, units]` (jPCA.m `meanA`). */
export function crossConditionMean(data: ArrayLike<number>, shape: Shape3): Float64Array {
  const [c, t, u] = shape;
  const mean = new Float64Array(t * u);
  for (let k = 0; k < c; k++) for (let i = 0; i < t * u; i++) mean[i] += data[k * t * u + i];
  for (let i = 0; i < t * u; i++) mean[i] /= c;
  return mean;
}

/** Subtract a [times, units] mean from every condition: returns a new cube. */
export function subtractPerTime(data: ArrayLike<number>, shape: Shape3, mean: Float64Array): Float64Array {
  const [c, t, u] = shape;
  const out = new Float64Array(data.length);
  for (let k = 0; k < c; k++) for (let i = 0; i < t * u; i++) out[k * t * u + i] = data[k * t * u + i] - mean[i];
  return out;
}

/**
 * Inclusive index range [first, last] of the samples of `times` that lie in [start, end] (same unit
 * as `times`; a tolerance of 1e-6 bin absorbs float rounding of e.g. −0.05 s). Throws when the window
 * is reversed, falls outside the data or holds fewer than `minSamples` samples.
 */
export function windowIndices(times: ArrayLike<number>, start: number, end: number, minSamples = 1): [number, number] {
  const n = times.length;
  if (n === 0) throw new Error('times is empty');
  if (!(end >= start)) throw new Error(`window end ${end} is before its start ${start}`);
  for (let i = 1; i < n; i++) {
    if (!(times[i] > times[i - 1])) throw new Error(`times must increase strictly (times[${i}] = ${times[i]} ≤ times[${i - 1}] = ${times[i - 1]})`);
  }
  const bin = n > 1 ? (times[n - 1] - times[0]) / (n - 1) : 1;
  const tol = 1e-6 * Math.abs(bin);
  if (start < times[0] - tol || end > times[n - 1] + tol) {
    throw new Error(`window [${start}, ${end}] lies outside the data (times run from ${times[0]} to ${times[n - 1]})`);
  }
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (times[i] >= start - tol && times[i] <= end + tol) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0 || last - first + 1 < minSamples) {
    throw new Error(`window [${start}, ${end}] holds ${first < 0 ? 0 : last - first + 1} samples; at least ${minSamples} needed`);
  }
  return [first, last];
}

/** Validate an inclusive [first, last] time-index range against a number of times. */
export function checkIndexRange(range: readonly [number, number], times: number, minSamples = 1): [number, number] {
  const [a, b] = range;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b >= times || b < a) {
    throw new Error(`time-index window [${a}, ${b}] is invalid for ${times} time samples (need 0 ≤ first ≤ last < ${times})`);
  }
  if (b - a + 1 < minSamples) throw new Error(`time-index window [${a}, ${b}] holds ${b - a + 1} samples; at least ${minSamples} needed`);
  return [a, b];
}

/**
 * Stack the window [first, last] of each listed condition into a matrix
 * `[conditions·windowTimes, units]`, conditions outermost (jPCA.m `vertcat(Data.A)` masked).
 */
export function stackWindow(
  data: ArrayLike<number>,
  shape: Shape3,
  first: number,
  last: number,
  conditions?: readonly number[],
): Matrix {
  const [c, t, u] = shape;
  const conds = conditions ?? Array.from({ length: c }, (_, i) => i);
  const w = last - first + 1;
  const out = matrix(conds.length * w, u);
  conds.forEach((k, ci) => {
    if (!Number.isInteger(k) || k < 0 || k >= c) throw new Error(`condition index ${k} is outside 0…${c - 1}`);
    for (let i = 0; i < w; i++) {
      const src = (k * t + first + i) * u;
      const dst = (ci * w + i) * u;
      for (let j = 0; j < u; j++) out.data[dst + j] = data[src + j];
    }
  });
  return out;
}

/** Column means of a matrix. */
export function columnMeans(x: Matrix): Float64Array {
  const m = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) m[j] += x.data[i * x.cols + j];
  for (let j = 0; j < x.cols; j++) m[j] /= x.rows;
  return m;
}

/** X − 1·meanᵀ as a new matrix. */
export function subtractColumns(x: Matrix, mean: Float64Array): Matrix {
  const out = matrix(x.rows, x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.data[i * x.cols + j] = x.data[i * x.cols + j] - mean[j];
  return out;
}

/** Percentile by linear interpolation between order statistics (numpy's default `linear` method). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (rank - lo) * (s[hi] - s[lo]);
}
