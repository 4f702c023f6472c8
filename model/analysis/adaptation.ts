/**
 * Measures of motor adaptation (Shadmehr & Mussa-Ivaldi 1994; Perich et al. 2018), on plain arrays:
 * the signed lateral deviation of a reach, an exponential learning curve, and how a population's
 * preparatory state moved relative to a readout (output-potent vs output-null).
 */

/**
 * Signed largest perpendicular deviation (m) of the hand path `position` [times, 2] (m) from the line
 * start → target, over samples from…to (inclusive): the deviation of largest magnitude, positive to
 * the left of the reach direction (counter-clockwise), negative to the right.
 */
export function signedPerpendicularDeviation(position: ArrayLike<number>, start: readonly [number, number], target: readonly [number, number], from: number, to: number): number {
  const dx = target[0] - start[0];
  const dy = target[1] - start[1];
  const len = Math.hypot(dx, dy);
  if (!(len > 0)) throw new Error('start and target coincide: the reach has no direction');
  let best = 0;
  for (let i = Math.max(0, from); i <= Math.min(to, position.length / 2 - 1); i++) {
    const d = (dx * (position[2 * i + 1] - start[1]) - dy * (position[2 * i] - start[0])) / len;
    if (Math.abs(d) > Math.abs(best)) best = d;
  }
  return best;
}

/** y ≈ asymptote + amplitude·exp(−x / tau), fitted by least squares. */
export interface ExponentialFit {
  amplitude: number;
  /** Time constant, in the units of x (e.g. trials). */
  tau: number;
  asymptote: number;
  /** Coefficient of determination of the fit. */
  r2: number;
}

/**
 * Least-squares fit of y = c + a·exp(−x/τ): for each τ on a log grid (then refined by golden-section
 * search around the best) a and c are the linear least-squares solution; the τ with the smallest
 * residual wins. τ is searched in [Δx/10, 10·range(x)].
 */
export function fitExponential(x: ArrayLike<number>, y: ArrayLike<number>): ExponentialFit {
  const n = x.length;
  if (n < 3 || y.length !== n) throw new Error(`an exponential fit needs ≥ 3 points with one y per x, got ${n} x and ${y.length} y`);
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    xMin = Math.min(xMin, x[i]);
    xMax = Math.max(xMax, x[i]);
  }
  const range = xMax - xMin;
  if (!(range > 0)) throw new Error('an exponential fit needs x values that differ');
  const solve = (tau: number) => {
    // Normal equations of y = a·e + c with e = exp(−(x − xMin)/τ).
    let se = 0, see = 0, sy = 0, sey = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(-(x[i] - xMin) / tau);
      se += e;
      see += e * e;
      sy += y[i];
      sey += e * y[i];
    }
    const det = see * n - se * se;
    const a = det !== 0 ? (sey * n - se * sy) / det : 0;
    const c = (sy - a * se) / n;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (y[i] - c - a * Math.exp(-(x[i] - xMin) / tau)) ** 2;
    return { a, c, sse };
  };
  const lo = Math.log(range / (10 * (n - 1)));
  const hi = Math.log(10 * range);
  let bestK = 0;
  let best = Infinity;
  const grid = 200;
  for (let k = 0; k <= grid; k++) {
    const s = solve(Math.exp(lo + ((hi - lo) * k) / grid)).sse;
    if (s < best) {
      best = s;
      bestK = k;
    }
  }
  let a0 = lo + ((hi - lo) * Math.max(0, bestK - 1)) / grid;
  let b0 = lo + ((hi - lo) * Math.min(grid, bestK + 1)) / grid;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const m1 = b0 - g * (b0 - a0);
    const m2 = a0 + g * (b0 - a0);
    if (solve(Math.exp(m1)).sse < solve(Math.exp(m2)).sse) b0 = m2;
    else a0 = m1;
  }
  const tau = Math.exp((a0 + b0) / 2);
  const { a, c, sse } = solve(tau);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  let sst = 0;
  for (let i = 0; i < n; i++) sst += (y[i] - mean) ** 2;
  // a is the amplitude at x = xMin.
  return { amplitude: a, tau, asymptote: c, r2: sst > 0 ? 1 - sse / sst : NaN };
}

/** How the preparatory state moved between two sets of trials, per condition and overall. */
export interface PreparatoryShift {
  /** ‖shift‖ per condition (a.u.): [conditions]. */
  norms: number[];
  /** Fraction of the summed squared shift in the output-null space (the complement of the readout's row space). */
  nullFraction: number;
  /** The fraction an isotropic shift would have: (units − rank of the readout) / units. */
  chanceNullFraction: number;
  /** Mean cosine between the per-condition shifts (1: the same shift for every condition, a uniform shift). */
  meanPairwiseCosine: number;
  /** ‖mean shift‖ / mean ‖shift‖ (1 for a uniform shift). */
  uniformity: number;
}

/**
 * Shift of preparatory states `after − before` ([conditions, units] each), split by the readout
 * `wOut` [outputs, units] (rows span the output-potent space; Kaufman et al. 2014).
 */
export function preparatoryShift(before: ArrayLike<number>, after: ArrayLike<number>, conditions: number, wOut: ArrayLike<number>, outputs: number): PreparatoryShift {
  const n = before.length / conditions;
  if (!Number.isInteger(n) || after.length !== before.length || wOut.length !== outputs * n) throw new Error('preparatoryShift: shapes must be [conditions, units] twice and [outputs, units]');
  // Orthonormal basis of the readout's row space (Gram–Schmidt).
  const basis: Float64Array[] = [];
  for (let o = 0; o < outputs; o++) {
    const v = Float64Array.from({ length: n }, (_, j) => wOut[o * n + j]);
    for (const b of basis) {
      let d = 0;
      for (let j = 0; j < n; j++) d += v[j] * b[j];
      for (let j = 0; j < n; j++) v[j] -= d * b[j];
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-12) basis.push(v.map((x) => x / norm));
  }
  const shifts: Float64Array[] = [];
  let total = 0;
  let potent = 0;
  for (let c = 0; c < conditions; c++) {
    const d = Float64Array.from({ length: n }, (_, j) => after[c * n + j] - before[c * n + j]);
    shifts.push(d);
    for (let j = 0; j < n; j++) total += d[j] * d[j];
    for (const b of basis) {
      let p = 0;
      for (let j = 0; j < n; j++) p += d[j] * b[j];
      potent += p * p;
    }
  }
  const norms = shifts.map((d) => Math.hypot(...d));
  let cos = 0;
  let pairs = 0;
  for (let a = 0; a < conditions; a++) {
    for (let b = a + 1; b < conditions; b++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += shifts[a][j] * shifts[b][j];
      if (norms[a] > 0 && norms[b] > 0) {
        cos += dot / (norms[a] * norms[b]);
        pairs++;
      }
    }
  }
  const mean = new Float64Array(n);
  for (const d of shifts) for (let j = 0; j < n; j++) mean[j] += d[j] / conditions;
  const meanNorm = norms.reduce((s, v) => s + v, 0) / conditions;
  return {
    norms,
    nullFraction: total > 0 ? 1 - potent / total : NaN,
    chanceNullFraction: (n - basis.length) / n,
    meanPairwiseCosine: pairs ? cos / pairs : NaN,
    uniformity: meanNorm > 0 ? Math.hypot(...mean) / meanNorm : NaN,
  };
}
