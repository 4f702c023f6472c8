/** Pieces every cell shares: the gate and candidate nonlinearities, recurrent initialisation, copies. */
import { normal, type Rng } from '../../core/random.ts';
import type { NetworkSpec } from '../network.ts';

export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The candidate nonlinearity φ of a spec: tanh, or relu (unbounded, for LSTMs as in the founding sketch). */
export function activationOf(spec: NetworkSpec): (v: number) => number {
  return spec.activation === 'relu' ? (v) => (v > 0 ? v : 0) : Math.tanh;
}

// Coefficients of Eigen's float32 tanh (a [13/6] rational function of v, exact to float32 below the clamp).
const T1 = 4.89352455891786e-3;
const T3 = 6.37261928875436e-4;
const T5 = 1.48572235717979e-5;
const T7 = 5.12229709037114e-8;
const T9 = -8.60467152213735e-11;
const T11 = 2.00018790482477e-13;
const T13 = -2.76076847742355e-16;
const U0 = 4.89352518554385e-3;
const U2 = 2.2684346324390e-3;
const U4 = 1.18534705686654e-4;
const U6 = 1.19825839466702e-6;
/** Beyond this |v|, tanh(v) rounds to ±1 in float32. */
const TANH_CLAMP = 7.90531110763549805;
/** tanh32's constants, for the SIMD kernels that evaluate it lane by lane (cells/simd.ts). */
export const TANH32 = { t1: T1, t3: T3, t5: T5, t7: T7, t9: T9, t11: T11, t13: T13, u0: U0, u2: U2, u4: U4, u6: U6, clamp: TANH_CLAMP };

/**
 * tanh to float32 accuracy (within 2.61e-7 of Math.tanh, ≤ 3 float32 ulp; |value| < 1; NaN stays NaN).
 * The batched float32 steps evaluate ~10⁶ gate and candidate nonlinearities per training iteration,
 * and Math.tanh / Math.exp (C calls) cost 3–4× this rational function. The float64 steps
 * (`stepMap`, fixed points) keep the exact functions.
 */
export function tanh32(v: number): number {
  const x = v > TANH_CLAMP ? TANH_CLAMP : v < -TANH_CLAMP ? -TANH_CLAMP : v;
  const x2 = x * x;
  const p = x * (T1 + x2 * (T3 + x2 * (T5 + x2 * (T7 + x2 * (T9 + x2 * (T11 + x2 * T13))))));
  return p / (U0 + x2 * (U2 + x2 * (U4 + x2 * U6)));
}

/** The logistic function to float32 accuracy (within 1.31e-7 absolute: half tanh32's error), as σ(v) = (1 + tanh(v/2))/2 through `tanh32`. */
export const sigmoid32 = (v: number) => 0.5 + 0.5 * tanh32(0.5 * v);

/** φ′ written through y = φ(v): 1 − y² for tanh, [y > 0] for relu (so backward needs only the output). */
export function slopeOf(spec: NetworkSpec): (y: number) => number {
  return spec.activation === 'relu' ? (y) => (y > 0 ? 1 : 0) : (y) => 1 - y * y;
}

/** An orthogonal n×n matrix (QR of a Gaussian matrix by modified Gram–Schmidt, signs fixed as in Mezzadri 2007). */
function orthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = normal(rng);
  // Columns j of q become orthonormal; the sign of each column follows its R diagonal.
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[r * n + j] * q[r * n + k];
      for (let r = 0; r < n; r++) q[r * n + j] -= dot * q[r * n + k];
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < n; r++) q[r * n + j] /= norm;
  }
  return q;
}

/**
 * One hidden×hidden recurrent block at initialisation: orthogonal × gain or Gaussian N(0, gain²/N).
 * Both draws are closed under transposition, so storing it [from, to] changes nothing.
 */
export function recurrentBlock(spec: NetworkSpec, rng: Rng): Float64Array {
  const n = spec.hidden;
  if (spec.init === 'orthogonal') return orthogonal(n, rng).map((v) => v * spec.gain);
  const w = new Float64Array(n * n);
  for (let i = 0; i < w.length; i++) w[i] = (normal(rng) * spec.gain) / Math.sqrt(n);
  return w;
}

/** Write `gates` fresh recurrent blocks side by side into rows [row0, row0 + hidden) of a [rows, gates·hidden] matrix. */
export function initRecurrentGates(spec: NetworkSpec, w: Float32Array, row0: number, gates: number, rng: Rng): void {
  const n = spec.hidden;
  const width = gates * n;
  for (let g = 0; g < gates; g++) {
    const block = recurrentBlock(spec, rng);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) w[(row0 + r) * width + g * n + c] = block[r * n + c];
  }
}

/** Row-wise concatenation [x, h] of `batch` rows into `out` ([batch, ni + n]). */
export function concatRows(x: Float32Array, ni: number, h: Float32Array, hStride: number, n: number, batch: number, out: Float32Array): void {
  const w = ni + n;
  // Plain loops: a subarray view per row would allocate twice per trial and step.
  for (let b = 0; b < batch; b++) {
    const o = b * w;
    const xo = b * ni;
    const ho = b * hStride;
    for (let c = 0; c < ni; c++) out[o + c] = x[xo + c];
    for (let c = 0; c < n; c++) out[o + ni + c] = h[ho + c];
  }
}

/** c_j = b_j + Σ_k x_k·W[k, j] over the first `rows` rows of W ([.., width]): a frozen input's contribution, in float64. */
export function inputDrive(w: Float32Array, bias: Float32Array, input: ArrayLike<number>, rows: number, width: number): Float64Array {
  const c = Float64Array.from(bias);
  for (let k = 0; k < rows; k++) {
    const xk = input[k];
    if (xk === 0) continue;
    for (let j = 0; j < width; j++) c[j] += xk * w[k * width + j];
  }
  return c;
}

/** pre = c + h·R for a float64 state h ([n]) and a recurrent block R ([n, width], row-major). */
export function recurrentDrive(c: Float64Array, h: ArrayLike<number>, rec: Float64Array, n: number, width: number, pre: Float64Array): void {
  pre.set(c);
  for (let i = 0; i < n; i++) {
    const hi = h[i];
    if (hi === 0) continue;
    const o = i * width;
    for (let j = 0; j < width; j++) pre[j] += hi * rec[o + j];
  }
}
