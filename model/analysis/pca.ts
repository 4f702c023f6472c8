/**
 * Principal component analysis by the singular value decomposition of the column-centred data.
 *
 * Sign convention (that of MATLAB's `pca`): each component is flipped so that its loading of largest
 * magnitude is positive. Any other choice is equally valid, so compare components up to sign.
 */
import { matmul, svd, type Matrix, matrix } from './linalg.ts';
import { columnMeans, subtractColumns } from './population.ts';

/** PCA options. */
export interface PcaOptions {
  /** Number of components kept (default: min(samples, features)). */
  components?: number;
  /** Subtract the column means before the decomposition (default true). */
  center?: boolean;
}

/** PCA of `x: [samples, features]`. */
export interface PcaResult {
  /** Column means subtracted (zeros when `center` is false): [features]. */
  mean: Float64Array;
  /** Loadings, unit-norm orthogonal columns: [features, components]. */
  loadings: Matrix;
  /** Scores (x − mean)·loadings: [samples, components]. */
  scores: Matrix;
  /** Singular values of the centred data: [components]. */
  singularValues: Float64Array;
  /** Variance of each component's scores, normalised by (samples − 1): [components]. */
  variances: Float64Array;
  /** variances / total variance: [components]. */
  explainedFraction: Float64Array;
  /** Summed variance of all features (samples − 1 normalisation). */
  totalVariance: number;
}

/** PCA of `x: [samples, features]` (see the module note for the sign convention). */
export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const n = x.rows;
  const p = x.cols;
  if (n < 2) throw new Error(`PCA needs at least 2 samples, got ${n}`);
  if (p < 1) throw new Error('PCA needs at least 1 feature');
  const full = Math.min(n, p);
  const k = options.components ?? full;
  if (!Number.isInteger(k) || k < 1 || k > full) {
    throw new Error(`PCA: ${k} components requested but ${n} samples × ${p} features allow 1…${full}`);
  }
  const mean = options.center === false ? new Float64Array(p) : columnMeans(x);
  const xc = subtractColumns(x, mean);
  let total = 0;
  for (let i = 0; i < xc.data.length; i++) total += xc.data[i] * xc.data[i];
  total /= n - 1;
  const { s, v } = svd(xc, false);
  const loadings = matrix(p, k);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 1; j < p; j++) if (Math.abs(v.data[j * v.cols + c]) > Math.abs(v.data[big * v.cols + c])) big = j;
    const sign = v.data[big * v.cols + c] < 0 ? -1 : 1;
    for (let j = 0; j < p; j++) loadings.data[j * k + c] = sign * v.data[j * v.cols + c];
  }
  const scores = matmul(xc, loadings);
  const singularValues = s.slice(0, k);
  const variances = singularValues.map((sv) => (sv * sv) / (n - 1));
  const explainedFraction = variances.map((vv) => (total > 0 ? vv / total : 0));
  return { mean, loadings, scores, singularValues, variances, explainedFraction, totalVariance: total };
}
