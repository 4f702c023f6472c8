/**
 * Subspace analyses of population activity:
 * - output-potent / output-null split (Kaufman, Churchland, Ryu & Shenoy 2014, Nat Neurosci 17:440):
 *   for a linear readout y = W_out·r, the potent space is the row space of W_out (activity there
 *   moves the output), the null space its orthogonal complement (activity there is invisible to it);
 * - alignment index between preparatory and movement subspaces (Elsayed, Lara, Kaufman, Churchland
 *   & Cunningham 2016, Nat Commun 7:13239, eq. in Methods "Alignment index"):
 *   A = Tr(D_Pᵀ·C_M·D_P) / Σ_{i≤k} σ_M(i), the movement-epoch variance captured by the top-k
 *   preparatory PCs D_P relative to the most that any k dimensions can capture (the top-k
 *   eigenvalues σ_M of the movement covariance C_M). 1 = same subspace, ≈ 0 = orthogonal.
 */
import { createRng, normal, streamSeed } from '../../core/random.ts';
import { matmul, matmulTN, matrix, qr, sliceCols, sumSquares, svd, symmetricEigen, type Matrix } from './linalg.ts';
import { checkActivity, checkIndexRange, columnMeans, stackWindow, subtractColumns } from './population.ts';

/** Orthonormal bases of the output-potent and output-null spaces of a readout. */
export interface ReadoutSpaces {
  /** Rank of W_out (dimension of the potent space). */
  rank: number;
  /** Orthonormal basis of the row space of W_out: [units, rank]. */
  potent: Matrix;
  /** Orthonormal basis of its orthogonal complement: [units, units − rank]. */
  null: Matrix;
}

/** Potent and null bases of `wOut: [outputs, units]` (from its SVD; singular values below units·ε·s_max count as zero). */
export function readoutSpaces(wOut: Matrix): ReadoutSpaces {
  const units = wOut.cols;
  if (wOut.rows < 1 || units < 1) throw new Error(`readout weights must be [outputs, units] with both ≥ 1, got ${wOut.rows}×${units}`);
  for (let i = 0; i < wOut.data.length; i++) if (!Number.isFinite(wOut.data[i])) throw new Error('readout weights contain a non-finite value');
  // The SVD of the square [W_out; 0] gives all `units` right singular vectors at once.
  const padded = matrix(Math.max(units, wOut.rows), units);
  padded.data.set(wOut.data);
  const { s, v } = svd(padded, false);
  const tol = (s[0] ?? 0) * Math.max(units, wOut.rows) * 2.220446049250313e-16;
  let rank = 0;
  while (rank < s.length && s[rank] > tol && s[rank] > 0) rank++;
  return { rank, potent: sliceCols(v, 0, rank), null: sliceCols(v, rank, units) };
}

/** Variance of activity in the potent and null spaces. */
export interface PotentNullSplit {
  rank: number;
  /** Total variance (sum over units, n − 1 normalisation; squared unit of the activity). */
  totalVariance: number;
  potentVariance: number;
  nullVariance: number;
  /** potentVariance / totalVariance. */
  potentFraction: number;
  /** nullVariance / totalVariance. */
  nullFraction: number;
}

/** Options of {@link potentNullSplit}. */
export interface PotentNullOptions {
  /** Subtract the mean over samples first, i.e. split the covariance (default true). */
  center?: boolean;
}

/** Split the variance of `activity: [samples, units]` between the potent and null spaces of `wOut: [outputs, units]`. */
export function potentNullSplit(activity: Matrix, wOut: Matrix, options: PotentNullOptions = {}): PotentNullSplit {
  if (activity.cols !== wOut.cols) {
    throw new Error(`activity has ${activity.cols} units but the readout weights have ${wOut.cols} columns`);
  }
  if (activity.rows < 2) throw new Error('potent/null split needs at least 2 samples');
  const spaces = readoutSpaces(wOut);
  const x = options.center === false ? activity : subtractColumns(activity, columnMeans(activity));
  const n = x.rows - 1;
  const total = sumSquares(x) / n;
  const potent = spaces.rank > 0 ? sumSquares(matmul(x, spaces.potent)) / n : 0;
  const nul = spaces.null.cols > 0 ? sumSquares(matmul(x, spaces.null)) / n : 0;
  return {
    rank: spaces.rank,
    totalVariance: total,
    potentVariance: potent,
    nullVariance: nul,
    potentFraction: total > 0 ? potent / total : NaN,
    nullFraction: total > 0 ? nul / total : NaN,
  };
}

/** An analysis epoch: a named inclusive time-index range. */
export interface Epoch {
  name: string;
  /** First time index (inclusive). */
  first: number;
  /** Last time index (inclusive). */
  last: number;
}

/**
 * Potent/null split of each epoch of `activity: [conditions, times, units]`: the epoch's samples of
 * all conditions are stacked and centred on their own mean (the epoch covariance).
 */
export function potentNullByEpoch(
  activity: ArrayLike<number>,
  shape: readonly number[],
  wOut: Matrix,
  epochs: readonly Epoch[],
): Array<PotentNullSplit & { name: string }> {
  const sh = checkActivity(activity, shape);
  return epochs.map((e) => {
    const [a, b] = checkIndexRange([e.first, e.last], sh[1]);
    return { name: e.name, ...potentNullSplit(stackWindow(activity, sh, a, b), wOut) };
  });
}

/** Covariance (n − 1 normalisation) of `x: [samples, features]`. */
export function covariance(x: Matrix): Matrix {
  if (x.rows < 2) throw new Error('covariance needs at least 2 samples');
  const xc = subtractColumns(x, columnMeans(x));
  const c = matmulTN(xc, xc);
  for (let i = 0; i < c.data.length; i++) c.data[i] /= x.rows - 1;
  return c;
}

/** Result of {@link alignmentIndex}. */
export interface AlignmentResult {
  /** Elsayed et al.'s alignment index (0…1). */
  index: number;
  k: number;
  /** Movement variance captured by the top-k preparatory PCs. */
  movementVarianceInPrepSpace: number;
  /** Movement variance captured by movement's own top-k PCs. */
  movementVarianceInOwnSpace: number;
  /** Fraction of preparatory variance in the top-k preparatory PCs. */
  prepVarianceFraction: number;
  /** Fraction of movement variance in the top-k movement PCs. */
  movementVarianceFraction: number;
}

/** Alignment index of `prep` and `move` activity (both `[samples, units]`) for k dimensions. */
export function alignmentIndex(prep: Matrix, move: Matrix, k: number): AlignmentResult {
  if (prep.cols !== move.cols) throw new Error(`preparatory activity has ${prep.cols} units, movement activity ${move.cols}`);
  if (!Number.isInteger(k) || k < 1 || k > prep.cols) throw new Error(`alignment index needs 1 ≤ k ≤ units (${prep.cols}), got ${k}`);
  const cp = symmetricEigen(covariance(prep));
  const cmMat = covariance(move);
  const cm = symmetricEigen(cmMat);
  const dp = sliceCols(cp.vectors, 0, k);
  const captured = trace(matmulTN(dp, matmul(cmMat, dp)));
  let own = 0;
  let totalM = 0;
  let totalP = 0;
  let topP = 0;
  for (let i = 0; i < cm.values.length; i++) {
    totalM += cm.values[i];
    totalP += cp.values[i];
    if (i < k) {
      own += cm.values[i];
      topP += cp.values[i];
    }
  }
  return {
    index: own > 0 ? captured / own : NaN,
    k,
    movementVarianceInPrepSpace: captured,
    movementVarianceInOwnSpace: own,
    prepVarianceFraction: totalP > 0 ? topP / totalP : NaN,
    movementVarianceFraction: totalM > 0 ? own / totalM : NaN,
  };
}

/**
 * Chance distribution of the alignment index (Elsayed et al. 2016, Methods): random k-dimensional
 * subspaces drawn within the space the data occupy, orth(U·S^½·g) with U, S the eigenvectors and
 * eigenvalues of the covariance of preparatory and movement activity together and g Gaussian
 * [units, k]; each subspace's alignment index is computed as for the preparatory PCs. This is what
 * every sample needs; `randomAlignmentIndices` draws them.
 */
export interface AlignmentBaseline {
  k: number;
  /** U·S^½ [units, units]. */
  sampler: Matrix;
  /** Covariance of the movement activity [units, units]. */
  moveCov: Matrix;
  /** Movement variance in its own top k PCs. */
  own: number;
}

export function alignmentBaseline(prep: Matrix, move: Matrix, k: number): AlignmentBaseline {
  if (prep.cols !== move.cols) throw new Error(`preparatory activity has ${prep.cols} units, movement activity ${move.cols}`);
  if (!Number.isInteger(k) || k < 1 || k > prep.cols) throw new Error(`alignment index needs 1 ≤ k ≤ units (${prep.cols}), got ${k}`);
  const u = prep.cols;
  const both = matrix(prep.rows + move.rows, u);
  both.data.set(prep.data);
  both.data.set(move.data, prep.data.length);
  const joint = symmetricEigen(covariance(both));
  const moveCov = covariance(move);
  const cm = symmetricEigen(moveCov);
  let own = 0;
  for (let i = 0; i < k; i++) own += cm.values[i];
  const sampler = matrix(u, u);
  for (let i = 0; i < u; i++) {
    for (let j = 0; j < u; j++) sampler.data[i * u + j] = joint.vectors.data[i * u + j] * Math.sqrt(Math.max(joint.values[j], 0));
  }
  return { k, sampler, moveCov, own };
}

/**
 * Samples from … from + count − 1 of the chance distribution. Sample s draws from the stream
 * streamSeed(seed, s) alone, so the samples may be drawn in any pieces (on worker threads) with the
 * same values.
 */
export function randomAlignmentIndices(b: AlignmentBaseline, seed: number, from: number, count: number): Float64Array {
  const u = b.sampler.rows;
  const out = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const rng = createRng(streamSeed(seed, from + s));
    const g = matrix(u, b.k);
    for (let i = 0; i < g.data.length; i++) g.data[i] = normal(rng);
    const basis = qr(matmul(b.sampler, g)).q;
    out[s] = trace(matmulTN(basis, matmul(b.moveCov, basis))) / b.own;
  }
  return out;
}

function trace(m: Matrix): number {
  let t = 0;
  for (let i = 0; i < Math.min(m.rows, m.cols); i++) t += m.data[i * m.cols + i];
  return t;
}
