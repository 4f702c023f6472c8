/**
 * Trajectory tangling (Russo et al. 2018, Neuron 97:953), following the first author's
 * `tangleAnalysis.m`:
 *   Q(t) = max over t′ of ‖ẋ(t) − ẋ(t′)‖² / (‖x(t) − x(t′)‖² + ε)
 * 1. conditions are stacked [conditions·times, units]; optional soft normalisation by
 *    (range over all data + c); the grand mean over all data is subtracted;
 * 2. the analysed window/conditions are projected on their top PCs (8 by default, or as many as
 *    needed to exceed a variance fraction);
 * 3. ẋ = backward difference / dt within each condition, its first bin padded with the next
 *    difference (`[diff(1,:); diff]`);
 * 4. ε = α × summed variance (n − 1 normalisation) of the PC scores, α = 0.1;
 * 5. every `timeStep`-th row of the stacked data is analysed (starting at the first), and t′ runs
 *    over the same analysed rows (optionally only within the same condition).
 * Q has units of s⁻² (squared rate of change over squared distance).
 */
import { matmul, sliceCols } from './linalg.ts';
import { pca } from './pca.ts';
import {
  checkActivity,
  checkIndexRange,
  divideUnits,
  percentile,
  softNormFactors,
  stackWindow,
  type Shape3,
} from './population.ts';

/** Tangling options. */
export interface TanglingOptions {
  /** Sample interval (s). */
  dt: number;
  /** Number of PCs kept (default 8; all when the data have fewer); ignored when `fracVar` is set. */
  numPCs?: number;
  /** Keep the fewest PCs whose cumulative variance fraction exceeds this (0 < fracVar < 1). */
  fracVar?: number;
  /** Soft-normalisation constant c: x / (range + c); null = none (default null; use 0 for EMG, as Russo et al.). */
  softNorm?: number | null;
  /** Analyse every timeStep-th stacked sample (default floor(0.02 s / dt), as tangleAnalysis.m; min 1). */
  timeStep?: number;
  /** Only compare times within the same condition (default false). */
  withinConditionsOnly?: boolean;
  /** Inclusive time-index window [first, last] analysed (default: all times). */
  timeIndices?: readonly [number, number];
  /** Conditions analysed (default: all). */
  conditions?: readonly number[];
  /** ε = alpha × summed PC variance (default 0.1). */
  alpha?: number;
}

/** Summary statistics of Q (s⁻²). */
export interface TanglingSummary {
  median: number;
  mean: number;
  /** 90th percentile, linear interpolation between order statistics (numpy default). */
  p90: number;
  max: number;
}

/** Result of {@link tangling}. */
export interface TanglingResult {
  /** Tangling of each analysed point (s⁻²): [points]. */
  Q: Float64Array;
  /** Condition index of each analysed point: [points]. */
  condition: Int32Array;
  /** Time index (into the input's time axis) of each analysed point: [points]. */
  timeIndex: Int32Array;
  /** For each point, the index (into Q) of the point it is most tangled with (−1 if none): [points]. */
  partner: Int32Array;
  /** The ε added to the denominator (squared units of the normalised data). */
  epsilon: number;
  /** Number of PCs used. */
  numPCs: number;
  /** Fraction of the analysed data's variance in the kept PCs. */
  varianceExplained: number;
  timeStep: number;
  summary: TanglingSummary;
}

/** Tangling of `activity: [conditions, times, units]` sampled every `dt` seconds. */
export function tangling(activity: ArrayLike<number>, shape: readonly number[], options: TanglingOptions): TanglingResult {
  const sh = checkActivity(activity, shape);
  const [nc, nt] = sh;
  const dt = options.dt;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new Error(`tangling: dt must be a positive number of seconds, got ${dt}`);
  // The 1e-9 keeps e.g. dt = 0.010000000000000002 s (a bin width computed from times) at step 2.
  const timeStep = options.timeStep ?? Math.max(1, Math.floor(0.02 / dt + 1e-9));
  if (!Number.isInteger(timeStep) || timeStep < 1) throw new Error(`tangling: timeStep must be a positive integer, got ${timeStep}`);
  const alpha = options.alpha ?? 0.1;
  const [first, last] = checkIndexRange(options.timeIndices ?? [0, nt - 1], nt, 2);
  const conds = options.conditions ?? Array.from({ length: nc }, (_, i) => i);
  if (conds.length === 0) throw new Error('tangling: no conditions selected');
  if (new Set(conds).size !== conds.length) throw new Error('tangling: a condition is listed twice');

  const softNorm = options.softNorm ?? null;
  const normed = softNorm === null ? Float64Array.from(activity) : divideUnits(activity, sh, softNormFactors(activity, sh, softNorm));
  const centred = subtractGrandMean(normed, sh);
  const order = [...conds].sort((x, y) => x - y);
  const a = stackWindow(centred, sh, first, last, order);
  const w = last - first + 1;

  const full = pca(a);
  let k: number;
  if (options.fracVar !== undefined) {
    if (!(options.fracVar > 0 && options.fracVar < 1)) throw new Error(`tangling: fracVar must lie in (0, 1), got ${options.fracVar}`);
    let cum = 0;
    k = full.variances.length;
    for (let i = 0; i < full.variances.length; i++) {
      cum += full.explainedFraction[i];
      if (cum > options.fracVar) {
        k = i + 1;
        break;
      }
    }
  } else {
    const want = options.numPCs ?? 8;
    if (!Number.isInteger(want) || want < 1) throw new Error(`tangling: numPCs must be a positive integer, got ${want}`);
    k = Math.min(want, full.loadings.cols);
  }
  // tangleAnalysis.m projects without re-centring (X = A_masked·PCs); Q and ε do not depend on it.
  const x = matmul(a, sliceCols(full.loadings, 0, k));
  const n = x.rows;

  const xdot = new Float64Array(n * k);
  for (let c = 0; c < order.length; c++) {
    for (let i = 0; i < w; i++) {
      const row = c * w + i;
      const j = i === 0 ? 1 : i;
      const from = (c * w + j - 1) * k;
      const to = (c * w + j) * k;
      for (let d = 0; d < k; d++) xdot[row * k + d] = (x.data[to + d] - x.data[from + d]) / dt;
    }
  }

  let summedVar = 0;
  for (let d = 0; d < k; d++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x.data[i * k + d];
    m /= n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (x.data[i * k + d] - m) ** 2;
    summedVar += s / (n - 1);
  }
  const epsilon = alpha * summedVar;

  const rows: number[] = [];
  for (let r = 0; r < n; r += timeStep) rows.push(r);
  const p = rows.length;
  const Q = new Float64Array(p);
  const partner = new Int32Array(p).fill(-1);
  const condition = new Int32Array(p);
  const timeIndex = new Int32Array(p);
  const condOf = (r: number) => Math.floor(r / w);
  for (let i = 0; i < p; i++) {
    condition[i] = order[condOf(rows[i])];
    timeIndex[i] = first + (rows[i] % w);
  }
  const within = options.withinConditionsOnly ?? false;
  for (let i = 0; i < p; i++) {
    const ri = rows[i];
    let best = -Infinity;
    let bestJ = -1;
    for (let j = 0; j < p; j++) {
      if (j === i) continue;
      const rj = rows[j];
      if (within && condOf(ri) !== condOf(rj)) continue;
      let dd = 0;
      let ds = 0;
      for (let d = 0; d < k; d++) {
        const e = xdot[ri * k + d] - xdot[rj * k + d];
        const f = x.data[ri * k + d] - x.data[rj * k + d];
        dd += e * e;
        ds += f * f;
      }
      const q = dd / (ds + epsilon);
      if (q > best) {
        best = q;
        bestJ = j;
      }
    }
    Q[i] = bestJ >= 0 ? best : NaN;
    partner[i] = bestJ;
  }

  const finite = Q.filter((v) => Number.isFinite(v));
  let sum = 0;
  let max = -Infinity;
  for (const v of finite) {
    sum += v;
    if (v > max) max = v;
  }
  let kept = 0;
  for (let i = 0; i < k; i++) kept += full.explainedFraction[i];
  return {
    Q,
    condition,
    timeIndex,
    partner,
    epsilon,
    numPCs: k,
    varianceExplained: kept,
    timeStep,
    summary: {
      median: percentile(finite, 50),
      mean: finite.length > 0 ? sum / finite.length : NaN,
      p90: percentile(finite, 90),
      max: finite.length > 0 ? max : NaN,
    },
  };
}

function subtractGrandMean(data: Float64Array, shape: Shape3): Float64Array {
  const u = shape[2];
  const rows = data.length / u;
  const mean = new Float64Array(u);
  for (let r = 0; r < rows; r++) for (let j = 0; j < u; j++) mean[j] += data[r * u + j];
  for (let j = 0; j < u; j++) mean[j] /= rows;
  const out = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < u; j++) out[r * u + j] = data[r * u + j] - mean[j];
  return out;
}
