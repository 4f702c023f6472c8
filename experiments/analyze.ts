/**
 * Population analysis of an activity cube `[conditions, times, units]` (a user's recording or a
 * run's hidden units): PCA, jPCA, tangling and cosine tuning from model/analysis, gathered into one
 * JSON-ready result with the projections a figure needs (PC1–PC2 trajectories, the top jPC plane).
 */
import { formatShape } from '../core/npy.ts';
import { jpca, type JpcaOptions } from '../model/analysis/jpca.ts';
import { pca } from '../model/analysis/pca.ts';
import { matmul } from '../model/analysis/linalg.ts';
import {
  checkActivity,
  divideUnits,
  softNormFactors,
  stackWindow,
  subtractColumns,
  windowIndices,
  type Shape3,
} from '../model/analysis/population.ts';
import { tangling, type TanglingOptions } from '../model/analysis/tangling.ts';
import { cosineTuning, windowMean } from '../model/analysis/tuning.ts';
import { formatNullAnalysis, nullAnalysis, type NullAnalysis } from './null-analysis.ts';
import type { NullMethod } from '../model/analysis/null-models.ts';

/** Analyses {@link analyzeActivity} can run. */
export const ANALYSES = ['pca', 'jpca', 'tangling', 'tuning'] as const;
export type AnalysisName = (typeof ANALYSES)[number];

/** Options of {@link analyzeActivity}. */
export interface AnalyzeOptions {
  /** Bin width (s). */
  dt: number;
  /** Time of each bin (s): [times] (default i·dt). */
  times?: ArrayLike<number>;
  /** Analysis window [start, end] (s, inclusive) used by every analysis (default: all times). */
  window?: readonly [number, number];
  /** Analyses to run (default pca, jpca, tangling, plus tuning when angles are given). */
  analyses?: readonly AnalysisName[];
  /** Number of jPCA PCs, even (default 6). */
  jpcaPcs?: number;
  /** Number of PCA components reported (default min(10, units, samples)). */
  pcaComponents?: number;
  /** Number of tangling PCs (default 8, as tangleAnalysis.m). */
  tanglingPcs?: number;
  /** Tangling sub-sampling step in bins (default floor(0.02 s / dt), at least 1). */
  tanglingStep?: number;
  /** Soft normalisation x / (range + c) for every analysis; null = none (default). */
  softNorm?: number | null;
  /** jPCA: subtract the cross-condition mean (default true). */
  meanSubtract?: boolean;
  /** Movement direction of each condition (rad): [conditions]; needed for tuning. */
  angles?: ArrayLike<number>;
  /** Significance level of the tuning F-test (default 0.05). */
  tuningAlpha?: number;
  /** Null model for jPCA and tangling (null-analysis.ts), run with exactly their options; omit for none. */
  nullModel?: { method: NullMethod; surrogates: number; seed: number };
}

/** Nested [conditions][times][components] arrays for plotting. */
type Cube = number[][][];

/** JSON-ready analysis result. Units: times in s, frequencies in Hz, Q in s⁻², variances in squared input units. */
export interface AnalysisResult {
  input: {
    shape: [number, number, number];
    dt: number;
    /** Analysed window: inclusive time indices and the matching times (s). */
    window: { first: number; last: number; start: number; end: number };
    softNorm: number | null;
    analyses: AnalysisName[];
  };
  pca?: {
    components: number;
    explainedFraction: number[];
    variances: number[];
    totalVariance: number;
    /** Loadings [units][components] (unit-norm columns; largest |loading| of each positive). */
    loadings: number[][];
    /** Every time projected on the PCs (window mean removed): [conditions][times][components]. */
    projection: Cube;
  };
  jpca?: {
    numPCs: number;
    meanSubtracted: boolean;
    R2_Mbest_kD: number;
    R2_Mskew_kD: number;
    R2_Mbest_2D: number;
    R2_Mskew_2D: number;
    varCaptEachPC: number[];
    varCaptEachJPC: number[];
    varCaptEachPlane: number[];
    /** Why the jPC planes may mean nothing (e.g. M_skew ≈ 0); empty when none. */
    warnings: string[];
    /** M_skew eigenvalues (rad/bin), by decreasing |λ|, +imag first. */
    MskewEigenvalues: { re: number[]; im: number[] };
    /** M_best eigenvalues (per bin), by decreasing real part. */
    MbestEigenvalues: { re: number[]; im: number[] };
    rotationHz: number;
    planes: { angularSpeedPerBin: number; frequencyHz: number; varianceFraction: number; circStats: { circMn: number; resultantVect: number; avgDPwithPiOver2: number } }[];
    Mskew: number[][];
    Mbest: number[][];
    /** jPCs in unit space: [units][k]. */
    jPCs_highD: number[][];
    /** Window projected on the jPCs: [conditions][windowTimes][k]. */
    projection: Cube;
    /** All times projected on the jPCs: [conditions][times][k]. */
    projectionAllTimes: Cube;
  };
  tangling?: {
    numPCs: number;
    varianceExplained: number;
    epsilon: number;
    timeStep: number;
    points: number;
    summary: { median: number; mean: number; p90: number; max: number };
    Q: number[];
    condition: number[];
    /** Time (s) of each analysed point. */
    time: number[];
  };
  /** jPCA and tangling against surrogate data (Elsayed & Cunningham 2017; Michaels et al. 2016). */
  nullModel?: NullAnalysis;
  tuning?: {
    alpha: number;
    fractionTuned: number;
    /** Per unit (rad). */
    preferredDirection: number[];
    modulationDepth: number[];
    b0: number[];
    r2: number[];
    p: number[];
    pdAxial: { n: number; meanResultantLength: number; meanAxis: number; z: number; p: number } | null;
    pdUniform: { n: number; meanResultantLength: number; meanDirection: number; z: number; p: number } | null;
  };
}

/** Inclusive time-index window of `options` over `nt` bins (all bins without a window). */
function analysisWindow(options: AnalyzeOptions, nt: number): [number, number] {
  if (!options.window) return [0, nt - 1];
  const times = options.times ? Float64Array.from(options.times) : Float64Array.from({ length: nt }, (_, i) => i * options.dt);
  if (times.length !== nt) throw new Error(`times has ${times.length} entries but the activity has ${nt} time bins`);
  return windowIndices(times, options.window[0], options.window[1], 2);
}

/** The jPCA options {@link analyzeActivity} uses for `options` on `nt` bins (also given to the null model). */
export function jpcaOptionsFor(options: AnalyzeOptions, nt: number): JpcaOptions {
  return { dt: options.dt, numPCs: options.jpcaPcs ?? 6, softNorm: options.softNorm ?? null, meanSubtract: options.meanSubtract, timeIndices: analysisWindow(options, nt) };
}

/** The tangling options {@link analyzeActivity} uses for `options` on `nt` bins (also given to the null model). */
export function tanglingOptionsFor(options: AnalyzeOptions, nt: number): TanglingOptions {
  return { dt: options.dt, numPCs: options.tanglingPcs ?? 8, softNorm: options.softNorm ?? null, timeStep: options.tanglingStep, timeIndices: analysisWindow(options, nt) };
}

/**
 * Run the selected analyses on `activity: [conditions, times, units]` (float32 or float64, row-major).
 * Throws with a clear message on bad shapes, non-finite values, windows outside the data, k > units,
 * odd k, missing angles, etc.
 */
export function analyzeActivity(activity: ArrayLike<number>, shape: readonly number[], options: AnalyzeOptions): AnalysisResult {
  const sh = checkActivity(activity, shape);
  const [nc, nt, nu] = sh;
  const dt = options.dt;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new Error(`dt must be a positive number of seconds, got ${dt}`);
  const times = options.times ? Float64Array.from(options.times) : Float64Array.from({ length: nt }, (_, i) => i * dt);
  if (times.length !== nt) throw new Error(`times has ${times.length} entries but the activity has ${nt} time bins`);
  const [first, last] = analysisWindow({ ...options, times }, nt);
  const analyses = [...(options.analyses ?? (options.angles ? ['pca', 'jpca', 'tangling', 'tuning'] : ['pca', 'jpca', 'tangling']))];
  for (const a of analyses) if (!ANALYSES.includes(a)) throw new Error(`unknown analysis '${a}' (choose from ${ANALYSES.join(', ')})`);
  if (analyses.length === 0) throw new Error('no analyses selected');
  const softNorm = options.softNorm ?? null;
  const data = Float64Array.from(activity);

  const result: AnalysisResult = {
    input: { shape: [nc, nt, nu], dt, window: { first, last, start: times[first], end: times[last] }, softNorm, analyses },
  };

  if (analyses.includes('pca')) {
    const normed = softNorm === null ? data : divideUnits(data, sh, softNormFactors(data, sh, softNorm));
    const win = stackWindow(normed, sh, first, last);
    const k = options.pcaComponents ?? Math.min(10, nu, win.rows);
    const p = pca(win, { components: k });
    const all = matmul(subtractColumns(stackWindow(normed, sh, 0, nt - 1), p.mean), p.loadings);
    result.pca = {
      components: k,
      explainedFraction: Array.from(p.explainedFraction),
      variances: Array.from(p.variances),
      totalVariance: p.totalVariance,
      loadings: rows(p.loadings.data, nu, k),
      projection: cube(all.data, [nc, nt, k]),
    };
  }

  if (analyses.includes('jpca')) {
    const r = jpca(data, sh, jpcaOptionsFor(options, nt));
    const k = r.numPCs;
    result.jpca = {
      numPCs: k,
      meanSubtracted: r.meanSubtracted,
      R2_Mbest_kD: r.R2_Mbest_kD,
      R2_Mskew_kD: r.R2_Mskew_kD,
      R2_Mbest_2D: r.R2_Mbest_2D,
      R2_Mskew_2D: r.R2_Mskew_2D,
      warnings: r.warnings,
      varCaptEachPC: Array.from(r.varCaptEachPC),
      varCaptEachJPC: Array.from(r.varCaptEachJPC),
      varCaptEachPlane: Array.from(r.varCaptEachPlane),
      MskewEigenvalues: { re: Array.from(r.MskewEigenvalues.re), im: Array.from(r.MskewEigenvalues.im) },
      MbestEigenvalues: { re: Array.from(r.MbestEigenvalues.re), im: Array.from(r.MbestEigenvalues.im) },
      rotationHz: r.rotationHz,
      planes: r.planes.map((p) => ({ ...p, circStats: { ...p.circStats } })),
      Mskew: rows(r.Mskew.data, k, k),
      Mbest: rows(r.Mbest.data, k, k),
      jPCs_highD: rows(r.jPCs_highD.data, nu, k),
      projection: cube(r.projection, [nc, last - first + 1, k]),
      projectionAllTimes: cube(r.projectionAllTimes, [nc, nt, k]),
    };
  }

  if (analyses.includes('tangling')) {
    const r = tangling(data, sh, tanglingOptionsFor(options, nt));
    result.tangling = {
      numPCs: r.numPCs,
      varianceExplained: r.varianceExplained,
      epsilon: r.epsilon,
      timeStep: r.timeStep,
      points: r.Q.length,
      summary: r.summary,
      Q: Array.from(r.Q),
      condition: Array.from(r.condition),
      time: Array.from(r.timeIndex, (i) => times[i]),
    };
  }

  if (analyses.includes('tuning')) {
    if (!options.angles) throw new Error('tuning needs the movement direction of each condition (angles)');
    if (options.angles.length !== nc) throw new Error(`${options.angles.length} angles given for ${nc} conditions`);
    const responses = windowMean(data, sh, first, last);
    const r = cosineTuning(responses, [nc, nu], options.angles, { alpha: options.tuningAlpha });
    result.tuning = {
      alpha: r.alpha,
      fractionTuned: r.fractionTuned,
      preferredDirection: Array.from(r.preferredDirection),
      modulationDepth: Array.from(r.modulationDepth),
      b0: Array.from(r.b0),
      r2: Array.from(r.r2),
      p: Array.from(r.p),
      pdAxial: r.pdAxial && { n: r.pdAxial.n, meanResultantLength: r.pdAxial.meanResultantLength, meanAxis: r.pdAxial.meanAxis, z: r.pdAxial.z, p: r.pdAxial.p },
      pdUniform: r.pdUniform,
    };
  }

  if (options.nullModel) {
    const withJpca = analyses.includes('jpca');
    const withTangling = analyses.includes('tangling');
    if (!withJpca && !withTangling) throw new Error('the null model tests jPCA and tangling: select at least one of them');
    result.nullModel = nullAnalysis(data, sh, options.nullModel, {
      jpca: withJpca ? jpcaOptionsFor(options, nt) : undefined,
      tangling: withTangling ? tanglingOptionsFor(options, nt) : undefined,
    });
  }
  return result;
}

function rows(data: Float64Array, r: number, c: number): number[][] {
  return Array.from({ length: r }, (_, i) => Array.from(data.subarray(i * c, (i + 1) * c)));
}

function cube(data: Float64Array, shape: Shape3): Cube {
  const [a, b, c] = shape;
  return Array.from({ length: a }, (_, i) => rows(data.subarray(i * b * c, (i + 1) * b * c), b, c));
}

/** A few-line text summary of a result, for the terminal. */
export function summarizeAnalysis(r: AnalysisResult): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const lines = [
    `activity ${formatShape(r.input.shape)}, dt ${r.input.dt} s, window ${f(r.input.window.start, 4)}…${f(r.input.window.end, 4)} s (bins ${r.input.window.first}…${r.input.window.last})`,
  ];
  if (r.pca) {
    const cum = r.pca.explainedFraction.reduce((s, v) => s + v, 0);
    lines.push(`PCA: PC1 ${f(r.pca.explainedFraction[0])}, top ${r.pca.components} ${f(cum)} of variance`);
  }
  if (r.jpca) {
    const j = r.jpca;
    lines.push(
      `jPCA (${j.numPCs} PCs): R2_Mskew_kD ${f(j.R2_Mskew_kD)}, R2_Mbest_kD ${f(j.R2_Mbest_kD)}, R2_Mskew_2D ${f(j.R2_Mskew_2D)}, R2_Mbest_2D ${f(j.R2_Mbest_2D)}`,
      `      planes: ${j.planes.map((p, i) => `#${i + 1} ${f(p.frequencyHz, 2)} Hz, ${f(p.varianceFraction)} var`).join('; ')}`,
      ...j.warnings.map((w) => `      warning: ${w}`),
    );
  }
  if (r.tangling) {
    const t = r.tangling;
    lines.push(`tangling (${t.numPCs} PCs, ${t.points} points): Q median ${f(t.summary.median, 1)}, p90 ${f(t.summary.p90, 1)}, max ${f(t.summary.max, 1)} s⁻²`);
  }
  if (r.nullModel) lines.push(formatNullAnalysis(r.nullModel));
  if (r.tuning) {
    const u = r.tuning;
    lines.push(
      `tuning: ${f(100 * u.fractionTuned, 1)}% of units tuned at α = ${u.alpha}` +
        (u.pdAxial ? `; PD axis ${f((u.pdAxial.meanAxis * 180) / Math.PI, 1)}°, axial Rayleigh p = ${u.pdAxial.p.toExponential(2)}` : ''),
    );
  }
  return lines.join('\n');
}
