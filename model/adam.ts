/** Adam (Kingma & Ba 2015) with global gradient-norm clipping, on plain parameter arrays. */
import type { NetworkParams } from './network.ts';

/** Optimizer state: plain data, saved in checkpoints so `--resume` continues exactly. */
export interface AdamState {
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export interface AdamOptions {
  /** Learning rate (parameter units per step; training uses 3e-3, halved every 700 iterations). */
  lr: number;
  /** First-moment decay (training uses 0.9). */
  beta1: number;
  /** Second-moment decay (training uses 0.999). */
  beta2: number;
  /** Added to the denominator so that a zero second moment does not divide by zero (training uses 1e-8). */
  eps: number;
}

export function createAdamState(params: NetworkParams): AdamState {
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  for (const [k, p] of Object.entries(params)) {
    m[k] = new Float32Array(p.data.length);
    v[k] = new Float32Array(p.data.length);
  }
  return { step: 0, m, v };
}

/** Euclidean norm of all gradients together; NaN or Infinity if any entry is not finite. */
function globalNorm(grads: Record<string, Float32Array>): number {
  let s = 0;
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** Scale gradients in place so their global norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradients(grads: Record<string, Float32Array>, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const k = maxNorm / norm;
    for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) g[i] *= k;
  }
  return norm;
}

/** One Adam update of `params` in place. */
export function adamStep(params: NetworkParams, grads: Record<string, Float32Array>, state: AdamState, opts: AdamOptions): void {
  state.step++;
  const { lr, beta1, beta2, eps } = opts;
  const c1 = 1 - beta1 ** state.step;
  const c2 = 1 - beta2 ** state.step;
  for (const [k, p] of Object.entries(params)) {
    const g = grads[k];
    const m = state.m[k];
    const v = state.v[k];
    const w = p.data;
    for (let i = 0; i < w.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}
