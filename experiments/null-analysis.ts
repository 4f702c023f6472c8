/**
 * The "is it real?" step of `reach analyze` (model/analysis/null-models.ts): jPCA and tangling on
 * surrogate data, as JSON for analysis.json and a line for the terminal. Used on a user's array
 * (`--input`) and on a run directory's onset-aligned hidden activity (`--run`).
 */
import { createRng } from '../core/random.ts';
import type { JpcaOptions } from '../model/analysis/jpca.ts';
import { NULL_METHODS, nullModelTest, type NullMethod, type NullStatistic } from '../model/analysis/null-models.ts';
import { percentile } from '../model/analysis/population.ts';
import type { TanglingOptions } from '../model/analysis/tangling.ts';

/** Which null model to run: a surrogate family or none. */
export type NullChoice = NullMethod | 'none';
export const NULL_CHOICES: readonly NullChoice[] = [...NULL_METHODS, 'none'];

/**
 * Default: none. 100 TME surrogates of the default run (8 conditions × 86 bins × 128 units, jPCA and
 * tangling on each) take ~10 s on this machine, far more than the 2 s `npm start` can spare, and
 * fewer than ~20 surrogates cannot reach p < 0.05. So the test is asked for: `--null tme`.
 */
export const DEFAULT_NULL: NullChoice = 'none';
/** 100 surrogates resolve p down to 1/101 (the TME paper's demo draws 100). */
export const DEFAULT_SURROGATES = 100;

/** A statistic against its null distribution, JSON-ready. */
export interface NullStatisticJson {
  observed: number;
  /** p = (1 + #{surrogates at least as extreme}) / (1 + surrogates). */
  p: number;
  /** 'upper': surrogates ≥ observed count against the data; 'lower': ≤. */
  tail: 'upper' | 'lower';
  nullMean: number;
  nullP5: number;
  nullP95: number;
  /** The statistic on every surrogate. */
  null: number[];
}

/** analysis.json's `nullModel`. */
export interface NullAnalysis {
  method: NullMethod;
  surrogates: number;
  seed: number;
  /** R2_Mskew_kD and R2_Mskew_kD / R2_Mbest_kD (upper tail). */
  jpca?: { R2_Mskew_kD: NullStatisticJson; ratio: NullStatisticJson };
  /** Median tangling Q (s⁻², lower tail). */
  tangling?: { median: NullStatisticJson };
  /** TME fit: kept ranks [conditions, times, units], worst relative marginal error, Newton steps. */
  tme?: { ranks: [number, number, number]; maxRelativeError: number; iterations: number };
  /** CMPT: mean relative unit-covariance mismatch before and after matching. */
  cmpt?: { mismatchShuffled: number; mismatchMatched: number };
  /** Wall time of the whole null-model step (s). */
  seconds: number;
}

function statJson(s: NullStatistic): NullStatisticJson {
  let sum = 0;
  for (const v of s.null) sum += v;
  return {
    observed: s.observed,
    p: s.p,
    tail: s.tail,
    nullMean: sum / s.null.length,
    nullP5: percentile(s.null, 5),
    nullP95: percentile(s.null, 95),
    null: Array.from(s.null),
  };
}

/** Run the null model on `activity: [conditions, times, units]` with the jPCA/tangling options used on the data. */
export function nullAnalysis(
  activity: ArrayLike<number>,
  shape: readonly number[],
  choice: { method: NullMethod; surrogates: number; seed: number },
  analyses: { jpca?: JpcaOptions; tangling?: TanglingOptions },
): NullAnalysis {
  const t0 = performance.now();
  const r = nullModelTest(activity, shape, { method: choice.method, surrogates: choice.surrogates, ...analyses }, createRng(choice.seed));
  return {
    method: r.method,
    surrogates: r.surrogates,
    seed: choice.seed,
    ...(r.jpca ? { jpca: { R2_Mskew_kD: statJson(r.jpca.R2_Mskew_kD), ratio: statJson(r.jpca.ratio) } } : {}),
    ...(r.tangling ? { tangling: { median: statJson(r.tangling.median) } } : {}),
    ...(r.tme ? { tme: r.tme } : {}),
    ...(r.cmpt ? { cmpt: r.cmpt } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** One or two lines for the terminal. */
export function formatNullAnalysis(n: NullAnalysis): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const name = n.method === 'tme' ? 'TME surrogates' : 'CMPT surrogates';
  const lines = [`null model: ${n.surrogates} ${name} (seed ${n.seed}, ${f(n.seconds, 1)} s)`];
  if (n.jpca) {
    const s = n.jpca.R2_Mskew_kD;
    const q = n.jpca.ratio;
    lines.push(
      `      R2_Mskew_kD ${f(s.observed)} vs null ${f(s.nullMean)} (5–95 % ${f(s.nullP5)}–${f(s.nullP95)}): p = ${f(s.p)}; ` +
        `R2_Mskew/R2_Mbest ${f(q.observed)} vs ${f(q.nullMean)}: p = ${f(q.p)}`,
    );
  }
  if (n.tangling) {
    const t = n.tangling.median;
    lines.push(`      median tangling ${f(t.observed, 1)} s⁻² vs null ${f(t.nullMean, 1)} (5–95 % ${f(t.nullP5, 1)}–${f(t.nullP95, 1)}): p (as low or lower) = ${f(t.p)}`);
  }
  return lines.join('\n');
}
