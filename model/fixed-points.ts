/**
 * Fixed points and slow points of a trained controller under a constant input (Sussillo & Barak 2013,
 * Neural Comput 25:626): minimise q(h) = ½‖F(h) − h‖², where F is one step of the network with the
 * input held at x*, from many starting states, keep the distinct minima, and linearise the network
 * around each one.
 *
 * The state is the cell's whole state (h, and c for an LSTM: model/cells/); each cell supplies F and its
 * exact Jacobian. The Jacobian eigenvalues λ of F are reported with (λ − 1)/dt, which for the leaky RNN
 * are exactly the eigenvalues of the flow τ ḣ = −h + tanh(…) that it discretises.
 *
 * The minimiser is Levenberg–Marquardt on the residual r(h) = F(h) − h with the analytic Jacobian
 * G = J − I (gradient ∇q = Gᵀr): at the sizes met here (≤ a few hundred units) a damped Gauss–Newton
 * step costs one n³ solve and converges in tens of iterations to q ~ 1e-25, where plain gradient
 * descent needs thousands of steps on the ill-conditioned q of a trained network. Like the gradient
 * method it finds every kind of fixed point (stable, saddle, unstable), since q = 0 at all of them, and
 * it stops at slow points (local minima with q > 0) too; those are reported separately.
 *
 * Plain JS on Float64Array (the weights are read from the float32 parameters once).
 */
import { eigGeneral, matrix, norm } from './analysis/linalg.ts';
import { cellOf, type StepMap } from './cells/index.ts';
import { stateSize, type NetworkParams, type NetworkSpec } from './network.ts';

export type { StepMap };

function checkInput(spec: NetworkSpec, params: NetworkParams, input: ArrayLike<number>): void {
  if (input.length !== spec.inputs) throw new Error(`fixed points: the input has ${input.length} entries but the network takes ${spec.inputs}`);
  for (let i = 0; i < input.length; i++) if (!Number.isFinite(input[i])) throw new Error(`fixed points: input entry ${i} is not finite`);
  for (const name of Object.keys(params)) {
    const d = params[name].data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) throw new Error(`fixed points: parameter ${name} has a non-finite entry`);
  }
}

/** F(s) = one noise-free step of the network of `spec` with the input held at `input`, as its cell's batched `forward` computes it. */
export function stepMap(spec: NetworkSpec, params: NetworkParams, input: ArrayLike<number>): StepMap {
  checkInput(spec, params, input);
  return cellOf(spec).stepMap(spec, params, input);
}

/** Options of {@link findFixedPoints}. */
export interface FixedPointOptions {
  /** Maximum Levenberg–Marquardt iterations per start (default 200). */
  maxIterations?: number;
  /** A minimum with q below this is a fixed point (activity², default 1e-10). */
  qTolerance?: number;
  /** A local minimum with q below this (and above qTolerance) is a slow point (activity², default 1e-4); null: no slow points. */
  slowTolerance?: number | null;
  /** Minima closer than this (Euclidean, activity units) are the same point (default 1e-3). */
  uniqueTolerance?: number;
}

/** Linearisation of the network around a point. */
export interface Linearization {
  /** Eigenvalues λ of the step map's Jacobian, by decreasing |λ|: real and imaginary parts. */
  eigenvalues: { re: number[]; im: number[] };
  /** The matching eigenvalues (λ − 1)/dt of the continuous flow (1/s). */
  continuousEigenvalues: { re: number[]; im: number[] };
  /** max |λ|. */
  maxAbsEigenvalue: number;
  /** max |λ| < 1: perturbations decay under the discrete map. */
  stable: boolean;
  /** Number of eigenvalues with |λ| > 1. */
  unstableModes: number;
  /** Rotational modes: one per complex-conjugate pair (Im λ > 0), by decreasing |λ|. */
  rotations: Array<{ frequencyHz: number; decayRate: number; absEigenvalue: number }>;
}

/** A fixed or slow point. */
export interface FixedPoint extends Linearization {
  /** Cell state (activity units): [stateSize]. */
  state: Float64Array;
  /** q = ½‖F(h) − h‖² (activity²). */
  q: number;
  /** q below qTolerance (else a slow point). */
  isFixedPoint: boolean;
  /** Number of starting states that ended here. */
  starts: number;
}

/** Result of {@link findFixedPoints}. */
export interface FixedPointSearch {
  /** Distinct fixed points, then slow points, each group by increasing q. */
  points: FixedPoint[];
  /** Starts that converged to a fixed point, to a slow point, or to neither. */
  convergedStarts: number;
  slowStarts: number;
  failedStarts: number;
}

/** Eigen-analysis of the step map's Jacobian `jac` ([n, n] row-major) at a point. */
export function linearize(jac: Float64Array, n: number, dt: number): Linearization {
  const e = eigGeneral(matrix(n, n, Float64Array.from(jac)));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.hypot(e.re[b], e.im[b]) - Math.hypot(e.re[a], e.im[a]) || e.im[b] - e.im[a]);
  const re = order.map((i) => e.re[i]);
  const im = order.map((i) => e.im[i]);
  const abs = re.map((r, i) => Math.hypot(r, im[i]));
  const rotations: Linearization['rotations'] = [];
  const imTol = 1e-9;
  for (let i = 0; i < n; i++) {
    if (im[i] > imTol) rotations.push({ frequencyHz: im[i] / dt / (2 * Math.PI), decayRate: (re[i] - 1) / dt, absEigenvalue: abs[i] });
  }
  const maxAbs = abs[0] ?? 0;
  return {
    eigenvalues: { re, im },
    continuousEigenvalues: { re: re.map((r) => (r - 1) / dt), im: im.map((v) => v / dt) },
    maxAbsEigenvalue: maxAbs,
    stable: maxAbs < 1,
    unstableModes: abs.filter((a) => a > 1).length,
    rotations,
  };
}

/** Solve the symmetric positive-definite system A x = b (Cholesky, in place on copies); null if A is not positive definite. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number, l: Float64Array): Float64Array | null {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    const lj = j * n;
    for (let k = 0; k < j; k++) d -= l[lj + k] * l[lj + k];
    if (!(d > 0)) return null;
    const djj = Math.sqrt(d);
    l[lj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s = a[li + j];
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      l[li + j] = s / djj;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/**
 * The Gauss–Newton pieces at h: G = J − I in place of `jac`, r = F(h) − h, ∇q = Gᵀr into `grad` and GᵀG
 * into `gtg` (both triangles); returns the largest diagonal entry of GᵀG. The search's n³ work, in a
 * function of its own so that V8 optimises it once: the code around it meets new cases (a rejected step,
 * another condition's map) and is deoptimised and recompiled several times per thread.
 */
function normalEquations(jac: Float64Array, h: Float64Array, f: Float64Array, r: Float64Array, grad: Float64Array, gtg: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    jac[i * n + i] -= 1;
    r[i] = f[i] - h[i];
  }
  grad.fill(0);
  gtg.fill(0);
  for (let k = 0; k < n; k++) {
    const row = k * n;
    const rk = r[k];
    for (let i = 0; i < n; i++) {
      const gki = jac[row + i];
      if (gki === 0) continue;
      grad[i] += gki * rk;
      const oi = i * n;
      for (let j = i; j < n; j++) gtg[oi + j] += gki * jac[row + j];
    }
  }
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) gtg[i * n + j] = gtg[j * n + i];
    maxDiag = Math.max(maxDiag, gtg[i * n + i]);
  }
  return maxDiag;
}

/** Result of minimising q from one start. */
export interface Minimum {
  state: Float64Array;
  q: number;
  iterations: number;
  /** ‖∇q‖ at the end. */
  gradientNorm: number;
}

/**
 * Minimise q(h) = ½‖F(h) − h‖² from `start` by Levenberg–Marquardt with the analytic Jacobian; stops
 * when q < qStop, when the step or the relative decrease of q vanishes, or after maxIterations.
 */
export function minimizeSpeed(map: StepMap, start: ArrayLike<number>, maxIterations: number, qStop: number): Minimum {
  const n = map.n;
  if (start.length !== n) throw new Error(`fixed points: a starting state has ${start.length} entries but the network's state has ${n}`);
  const h = Float64Array.from(start);
  const f = new Float64Array(n);
  const r = new Float64Array(n);
  const jac = new Float64Array(n * n);
  const gtg = new Float64Array(n * n);
  const sys = new Float64Array(n * n);
  const l = new Float64Array(n * n);
  const grad = new Float64Array(n);
  const trial = new Float64Array(n);
  const fTrial = new Float64Array(n);
  const qOf = (x: Float64Array, fx: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (fx[i] - x[i]) ** 2;
    return s / 2;
  };
  map.evaluate(h, f, jac);
  let q = qOf(h, f);
  let mu = -1;
  let iterations = 0;
  let gradientNorm = Infinity;
  while (iterations < maxIterations && q > qStop) {
    iterations++;
    const maxDiag = normalEquations(jac, h, f, r, grad, gtg, n);
    gradientNorm = norm(grad);
    if (gradientNorm === 0) break;
    if (mu < 0) mu = 1e-6 * maxDiag;
    let qTrial = Infinity;
    let stepNorm = 0;
    for (let attempt = 0; attempt < 40; attempt++) {
      sys.set(gtg);
      for (let i = 0; i < n; i++) sys[i * n + i] += mu + 1e-15 * maxDiag;
      const delta = choleskySolve(sys, grad, n, l);
      if (!delta) {
        mu = Math.max(mu * 10, 1e-300);
        continue;
      }
      for (let i = 0; i < n; i++) trial[i] = h[i] - delta[i];
      stepNorm = norm(delta);
      map.evaluate(trial, fTrial);
      qTrial = qOf(trial, fTrial);
      if (qTrial < q) break;
      mu *= 4;
    }
    // No damping gives descent: q is at a minimum to machine precision.
    if (!(qTrial < q)) break;
    h.set(trial);
    f.set(fTrial);
    q = qTrial;
    mu = Math.max(mu / 3, 1e-300);
    if (stepNorm <= 1e-14 * (1 + norm(h))) break;
    map.evaluate(h, f, jac);
  }
  return { state: h, q, iterations, gradientNorm };
}

/** {@link FixedPointOptions} with their defaults, checked. */
interface FixedPointSettings {
  maxIterations: number;
  qTolerance: number;
  slowTolerance: number | null;
  uniqueTolerance: number;
}

/** Fill in and check {@link FixedPointOptions}. */
function fixedPointSettings(options: FixedPointOptions = {}): FixedPointSettings {
  const maxIterations = options.maxIterations ?? 200;
  const qTolerance = options.qTolerance ?? 1e-10;
  const slowTolerance = options.slowTolerance === undefined ? 1e-4 : options.slowTolerance;
  const uniqueTolerance = options.uniqueTolerance ?? 1e-3;
  if (!(qTolerance > 0)) throw new Error(`fixed points: qTolerance must be positive, got ${qTolerance}`);
  if (!(uniqueTolerance > 0)) throw new Error(`fixed points: uniqueTolerance must be positive, got ${uniqueTolerance}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new Error(`fixed points: maxIterations must be a positive integer, got ${maxIterations}`);
  return { maxIterations, qTolerance, slowTolerance, uniqueTolerance };
}

/** Check that `starts` holds whole rows of `n` and return how many. */
function startCount(starts: ArrayLike<number>, n: number): number {
  if (starts.length === 0 || starts.length % n !== 0) {
    throw new Error(`fixed points: starting states must be [starts, ${n}] (row-major), got ${starts.length} values`);
  }
  return starts.length / n;
}

/** Minimise q from starting state `s` (row `s` of `starts: [starts, n]`) on `map`. */
function minimumFrom(map: StepMap, starts: ArrayLike<number>, s: number, o: FixedPointSettings): Minimum {
  const n = map.n;
  const start = Array.prototype.slice.call(starts, s * n, (s + 1) * n) as number[];
  for (let i = 0; i < n; i++) if (!Number.isFinite(start[i])) throw new Error(`fixed points: starting state ${s} has a non-finite entry`);
  // Converge well below the tolerance so that repeated finds of one point agree far inside uniqueTolerance.
  return minimizeSpeed(map, start, o.maxIterations, Math.min(o.qTolerance * 1e-10, 1e-24));
}

/**
 * The minimum reached from starting state `s` of `starts: [starts, stateSize]` on `map` (the network's
 * {@link stepMap} under the search's constant input): one independent piece of {@link findFixedPoints},
 * which merges the pieces with {@link mergeMinima}. Reuse one map for the starts of one input: each new
 * map is a new function to V8, whose optimised code for the search then starts over.
 */
export function fixedPointStart(map: StepMap, starts: ArrayLike<number>, s: number, options: FixedPointOptions = {}): Minimum {
  const o = fixedPointSettings(options);
  const count = startCount(starts, map.n);
  if (!Number.isInteger(s) || s < 0 || s >= count) throw new Error(`fixed points: no starting state ${s} among ${count}`);
  return minimumFrom(map, starts, s, o);
}

/** Distinct minima of a search, before linearisation: fixed points and slow points with the number of starts that reached each. */
export interface MergedMinima {
  kept: Array<{ state: Float64Array; q: number; starts: number }>;
  convergedStarts: number;
  slowStarts: number;
  failedStarts: number;
}

/** Classify the minima reached from each start, in start order, and merge those closer than uniqueTolerance (keeping the lower q). */
export function mergeMinima(minima: readonly Minimum[], options: FixedPointOptions = {}): MergedMinima {
  const { qTolerance: qTol, slowTolerance: slowTol, uniqueTolerance: uniqueTol } = fixedPointSettings(options);
  const kept: MergedMinima['kept'] = [];
  let convergedStarts = 0;
  let slowStarts = 0;
  let failedStarts = 0;
  for (const m of minima) {
    const isFixed = m.q < qTol;
    const isSlow = !isFixed && slowTol !== null && m.q < slowTol;
    if (isFixed) convergedStarts++;
    else if (isSlow) slowStarts++;
    else {
      failedStarts++;
      continue;
    }
    const same = kept.find((k) => (k.q < qTol) === isFixed && distance(k.state, m.state) < uniqueTol);
    if (same) {
      same.starts++;
      if (m.q < same.q) {
        same.q = m.q;
        same.state = m.state;
      }
    } else {
      kept.push({ state: m.state, q: m.q, starts: 1 });
    }
  }
  return { kept, convergedStarts, slowStarts, failedStarts };
}

/** Linearise the network of `map` ({@link stepMap}) around `state`: {@link linearize} of the map's Jacobian there. */
export function linearizeAt(map: StepMap, state: Float64Array): Linearization {
  const n = map.n;
  const jac = new Float64Array(n * n);
  map.evaluate(state, new Float64Array(n), jac);
  return linearize(jac, n, map.dt);
}

/** The search's points from its merged minima and their linearisations (in the order of `merged.kept`): fixed points first, then slow points, each by increasing q. */
export function fixedPointSearch(merged: MergedMinima, linearizations: readonly Linearization[], options: FixedPointOptions = {}): FixedPointSearch {
  const { qTolerance: qTol } = fixedPointSettings(options);
  const points: FixedPoint[] = merged.kept.map((k, i) => ({ state: k.state, q: k.q, isFixedPoint: k.q < qTol, starts: k.starts, ...linearizations[i] }));
  points.sort((a, b) => Number(b.isFixedPoint) - Number(a.isFixedPoint) || a.q - b.q);
  return { points, convergedStarts: merged.convergedStarts, slowStarts: merged.slowStarts, failedStarts: merged.failedStarts };
}

/**
 * Find the fixed points (q < qTolerance) and slow points of `spec`/`params` under the constant input
 * `input: [inputs]`, starting from each row of `starts: [starts, stateSize]`; merge minima closer than
 * uniqueTolerance and linearise the network around each distinct point. The starts are independent:
 * {@link fixedPointStart}, {@link mergeMinima}, {@link linearizeAt} and {@link fixedPointSearch} are the
 * same search in pieces (experiments/run-analysis.ts hands the pieces to worker threads).
 */
export function findFixedPoints(
  spec: NetworkSpec,
  params: NetworkParams,
  input: ArrayLike<number>,
  starts: ArrayLike<number>,
  options: FixedPointOptions = {},
): FixedPointSearch {
  const count = startCount(starts, stateSize(spec));
  const o = fixedPointSettings(options);
  const map = stepMap(spec, params, input);
  const merged = mergeMinima(Array.from({ length: count }, (_, s) => minimumFrom(map, starts, s, o)), options);
  return fixedPointSearch(merged, merged.kept.map((k) => linearizeAt(map, k.state)), options);
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
