/**
 * "Is it real?": null distributions of the jPCA and tangling statistics from surrogate data that keep
 * simpler features of the population but not its dynamics, and the p-values of the observed values.
 *
 * - `tme`: tensor maximum entropy surrogates (Elsayed & Cunningham 2017; tme.ts), which keep the mean
 *   and the covariances across times, units and conditions.
 * - `cmpt`: the covariance-matched permutation test of Michaels et al. 2016 (cmpt.ts), which keeps each
 *   unit's own condition responses and the unit × unit covariance but scrambles the condition labels.
 *
 * Statistics: jPCA's R2_Mskew_kD and the rotational goodness-of-fit ratio R2_Mskew_kD / R2_Mbest_kD
 * (Michaels et al.'s RGR), upper tail (rotations are claimed when the data fit skew dynamics better
 * than surrogates do); tangling's median Q, lower tail (low tangling is the claim of Russo et al.
 * 2018). p = (1 + #{surrogates at least as extreme}) / (1 + surrogates), which counts the data as
 * one draw of the null and so is never 0 (Phipson & Smyth 2010); with N surrogates the smallest
 * attainable p is 1/(N + 1).
 */
import type { Rng } from '../../core/random.ts';
import { cmptSurrogate, type CmptOptions } from './cmpt.ts';
import { jpca, type JpcaOptions } from './jpca.ts';
import { checkActivity } from './population.ts';
import { tangling, type TanglingOptions } from './tangling.ts';
import { fitTme, sampleTme, type TmeFitOptions } from './tme.ts';

/** The surrogate families. */
export const NULL_METHODS = ['tme', 'cmpt'] as const;
/** A surrogate-data method: tensor maximum entropy (TME) or corrected conditions-permutation (CMPT). */
export type NullMethod = (typeof NULL_METHODS)[number];

/** Options of {@link nullModelTest}. */
export interface NullTestOptions {
  method: NullMethod;
  /** Number of surrogates (≥ 1; 100 gives p down to 1/101). */
  surrogates: number;
  /** jPCA options exactly as used on the data; omit to skip jPCA. */
  jpca?: JpcaOptions;
  /** Tangling options exactly as used on the data; omit to skip tangling. */
  tangling?: TanglingOptions;
  /** Options of the TME fit. */
  tme?: TmeFitOptions;
  /** Options of the CMPT draws. */
  cmpt?: CmptOptions;
}

/** A statistic's observed value, its null distribution and p-value. */
export interface NullStatistic {
  observed: number;
  /** The statistic on each surrogate: [surrogates]. */
  null: Float64Array;
  /** 'upper': p counts surrogates ≥ observed; 'lower': ≤ observed. */
  tail: 'upper' | 'lower';
  p: number;
}

/** Result of {@link nullModelTest}. */
export interface NullTestResult {
  method: NullMethod;
  surrogates: number;
  jpca?: { R2_Mskew_kD: NullStatistic; ratio: NullStatistic };
  tangling?: { median: NullStatistic };
  /** TME fit diagnostics: kept ranks [conditions, times, units], worst relative marginal error, Newton steps. */
  tme?: { ranks: [number, number, number]; maxRelativeError: number; iterations: number };
  /** CMPT: mean relative unit-covariance mismatch of the surrogates before and after matching. */
  cmpt?: { mismatchShuffled: number; mismatchMatched: number };
}

/** p = (1 + #{null at least as extreme as observed}) / (1 + N). */
export function surrogatePValue(observed: number, nullValues: ArrayLike<number>, tail: 'upper' | 'lower'): number {
  let k = 0;
  for (let i = 0; i < nullValues.length; i++) {
    if (tail === 'upper' ? nullValues[i] >= observed : nullValues[i] <= observed) k++;
  }
  return (1 + k) / (1 + nullValues.length);
}

/** Null distributions and p-values of jPCA and tangling statistics of `activity: [conditions, times, units]`. */
export function nullModelTest(activity: ArrayLike<number>, shape: readonly number[], options: NullTestOptions, rng: Rng): NullTestResult {
  const sh = checkActivity(activity, shape);
  const n = options.surrogates;
  if (!Number.isInteger(n) || n < 1) throw new Error(`surrogates must be a positive integer, got ${n}`);
  if (!NULL_METHODS.includes(options.method)) throw new Error(`unknown null model '${options.method}' (choose from ${NULL_METHODS.join(', ')})`);
  if (!options.jpca && !options.tangling) throw new Error('nullModelTest: give jPCA and/or tangling options');

  const stats = (x: ArrayLike<number>) => {
    const j = options.jpca ? jpca(x, sh, options.jpca) : null;
    const q = options.tangling ? tangling(x, sh, options.tangling).summary.median : NaN;
    return { skew: j ? j.R2_Mskew_kD : NaN, ratio: j ? j.R2_Mskew_kD / j.R2_Mbest_kD : NaN, q };
  };
  const observed = stats(activity);
  const skew = new Float64Array(n);
  const ratio = new Float64Array(n);
  const q = new Float64Array(n);
  const result: NullTestResult = { method: options.method, surrogates: n };

  if (options.method === 'tme') {
    const model = fitTme(activity, sh, options.tme);
    result.tme = {
      ranks: [model.conditions.vectors.cols, model.times.vectors.cols, model.units.vectors.cols],
      maxRelativeError: model.maxRelativeError,
      iterations: model.iterations,
    };
    const buf = new Float64Array(sh[0] * sh[1] * sh[2]);
    for (let i = 0; i < n; i++) {
      const s = stats(sampleTme(model, rng, buf));
      [skew[i], ratio[i], q[i]] = [s.skew, s.ratio, s.q];
    }
  } else {
    let before = 0;
    let after = 0;
    for (let i = 0; i < n; i++) {
      const draw = cmptSurrogate(activity, sh, rng, options.cmpt);
      before += draw.covarianceMismatch.shuffled / n;
      after += draw.covarianceMismatch.matched / n;
      const s = stats(draw.data);
      [skew[i], ratio[i], q[i]] = [s.skew, s.ratio, s.q];
    }
    result.cmpt = { mismatchShuffled: before, mismatchMatched: after };
  }

  const stat = (obs: number, values: Float64Array, tail: 'upper' | 'lower'): NullStatistic => ({ observed: obs, null: values, tail, p: surrogatePValue(obs, values, tail) });
  if (options.jpca) result.jpca = { R2_Mskew_kD: stat(observed.skew, skew, 'upper'), ratio: stat(observed.ratio, ratio, 'upper') };
  if (options.tangling) result.tangling = { median: stat(observed.q, q, 'lower') };
  return result;
}
