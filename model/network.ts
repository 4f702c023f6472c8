/**
 * Recurrent controllers as plain data: a spec, named parameter arrays, and the forward step shared by
 * training (batched, tfjs matrix products) and closed-loop runs or the viewer (batch of one, plain JS).
 *
 * Leaky vanilla RNN (Sussillo et al. 2015):  h ← (1−α)h + α·tanh(W h + U x + b),  α = dt/τ.
 * GRU (Cho et al. 2014, PyTorch/MotorNet convention):
 *   r = σ(U_r x + W_r h + b_r), z = σ(U_z x + W_z h + b_z),
 *   n = tanh(U_n x + b_in + r ∘ (W_n h + b_hn)),  h ← (1−z) ∘ n + z ∘ h.
 * Readout (both): τ_joint = W_out h + b_out (N·m).
 */
import { shapeSize } from '../core/npy.ts';
import { normal, type Rng } from '../core/random.ts';
import { z } from 'zod';

export const networkSpecSchema = z.object({
  /** Cell type: leaky vanilla RNN or GRU. */
  kind: z.enum(['rnn', 'gru']).default('rnn'),
  /** Number of hidden units. */
  hidden: z.number().int().min(2).max(4096).default(128),
  /** Number of inputs (set from the task's observation size). */
  inputs: z.number().int().min(1),
  /** Number of outputs (joint torques). */
  outputs: z.number().int().min(1).default(2),
  /** Time constant of the leaky RNN (s); ignored by the GRU. */
  tau: z.number().positive().default(0.05),
  /** Control step (s). */
  dt: z.number().positive().default(0.01),
  /** Recurrent weight initialisation: orthogonal (scaled by `gain`) or Gaussian N(0, gain²/N). */
  init: z.enum(['orthogonal', 'gaussian']).default('orthogonal'),
  /** Scale of the recurrent weights at initialisation. */
  gain: z.number().positive().default(1),
  /** Std of the input weights at initialisation, divided by √inputs. */
  inputScale: z.number().positive().default(1),
  /** Std of the readout weights at initialisation (N·m per unit activity). */
  outputScale: z.number().nonnegative().default(0.01),
}).strict();
export type NetworkSpec = z.infer<typeof networkSpecSchema>;

/** A parameter array with its row-major shape. */
export interface Param {
  shape: number[];
  data: Float32Array;
}

/** Network weights by name; the names and shapes are fixed by the spec (see `paramShapes`). */
export type NetworkParams = Record<string, Param>;

/** Parameter names and shapes. Weight matrices are stored [from, to] so a batch step is `[x, h] · W`. */
export function paramShapes(spec: NetworkSpec): Record<string, number[]> {
  const { hidden: n, inputs: i, outputs: o } = spec;
  if (spec.kind === 'rnn') {
    // Wx: [inputs + hidden, hidden], rows 0..i-1 are U (input), rows i.. are W (recurrent).
    return { Wx: [i + n, n], b: [n], Wout: [n, o], bout: [o] };
  }
  // GRU: Wx: [inputs, 3n] for (r, z, n) and Wh: [hidden, 3n]; bias b: [3n] (input side), bh: [n] (b_hn).
  return { Wx: [i, 3 * n], Wh: [n, 3 * n], b: [3 * n], bh: [n], Wout: [n, o], bout: [o] };
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

function recurrentBlock(spec: NetworkSpec, rng: Rng): Float64Array {
  const n = spec.hidden;
  if (spec.init === 'orthogonal') return orthogonal(n, rng).map((v) => v * spec.gain);
  const w = new Float64Array(n * n);
  for (let i = 0; i < w.length; i++) w[i] = (normal(rng) * spec.gain) / Math.sqrt(n);
  return w;
}

/** Fresh weights for a spec from a seeded generator. */
export function initParams(spec: NetworkSpec, rng: Rng): NetworkParams {
  const shapes = paramShapes(spec);
  const params: NetworkParams = {};
  for (const [name, shape] of Object.entries(shapes)) {
    params[name] = { shape, data: new Float32Array(shapeSize(shape)) };
  }
  const { hidden: n, inputs: ni, outputs: no } = spec;
  const inStd = spec.inputScale / Math.sqrt(ni);
  if (spec.kind === 'rnn') {
    const wx = params.Wx.data;
    for (let r = 0; r < ni; r++) for (let c = 0; c < n; c++) wx[r * n + c] = inStd * normal(rng);
    const w = recurrentBlock(spec, rng);
    // W acts as h·W here, i.e. the transpose of the usual W h; an orthogonal or Gaussian draw is closed under transposition.
    wx.set(w, ni * n);
  } else {
    const wx = params.Wx.data;
    for (let i = 0; i < wx.length; i++) wx[i] = inStd * normal(rng);
    const wh = params.Wh.data;
    for (let g = 0; g < 3; g++) {
      const w = recurrentBlock(spec, rng);
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) wh[r * 3 * n + g * n + c] = w[r * n + c];
    }
  }
  const wout = params.Wout.data;
  for (let i = 0; i < n * no; i++) wout[i] = spec.outputScale * normal(rng);
  return params;
}

/** Deep copy of parameters. */
export function cloneParams(params: NetworkParams): NetworkParams {
  const out: NetworkParams = {};
  for (const [k, p] of Object.entries(params)) out[k] = { shape: [...p.shape], data: new Float32Array(p.data) };
  return out;
}

/**
 * Matrix product out[m×n] = a[m×k] · B where B is a named weight matrix [k×n]. Training supplies a
 * tfjs-backed product; single-trial runs use `jsMatmul`. Both compute float32 products (equal up to
 * the order of summation).
 */
export type Matmul = (a: Float32Array, m: number, k: number, weight: string, out: Float32Array) => void;

/** Plain-JS matrix product against the named parameter (fast enough for batch 1 at 100 Hz). */
export function jsMatmul(params: NetworkParams): Matmul {
  return (a, m, k, weight, out) => {
    const w = params[weight];
    const n = w.shape[1];
    if (w.shape[0] !== k) throw new Error(`matmul: ${weight} has ${w.shape[0]} rows, input has ${k} columns`);
    const wd = w.data;
    out.fill(0, 0, m * n);
    for (let i = 0; i < m; i++) {
      const oo = i * n;
      for (let kk = 0; kk < k; kk++) {
        const av = a[i * k + kk];
        if (av === 0) continue;
        const ro = kk * n;
        for (let j = 0; j < n; j++) out[oo + j] += av * wd[ro + j];
      }
    }
  };
}

/** Per-step intermediate values kept by the forward pass for backpropagation. */
export interface StepCache {
  /** RNN: [x, h_prev] rows (B × (I+N)); GRU: x rows (B × I). */
  xin: Float32Array;
  /** RNN: tanh(a) (B × N). GRU: r, z, n gates concatenated (B × 3N), and W_n h + b_hn (B × N) in `hn`. */
  act: Float32Array;
  hn?: Float32Array;
  /** Hidden state after the step (B × N). */
  h: Float32Array;
}

export function createStepCache(spec: NetworkSpec, batch: number): StepCache {
  const { hidden: n, inputs: ni } = spec;
  if (spec.kind === 'rnn') {
    return { xin: new Float32Array(batch * (ni + n)), act: new Float32Array(batch * n), h: new Float32Array(batch * n) };
  }
  return {
    xin: new Float32Array(batch * ni),
    act: new Float32Array(batch * 3 * n),
    hn: new Float32Array(batch * n),
    h: new Float32Array(batch * n),
  };
}

/** Scratch buffers for the GRU forward pass (sized per batch). */
export interface CellScratch {
  gx: Float32Array;
  gh: Float32Array;
}

export function createCellScratch(spec: NetworkSpec, batch: number): CellScratch {
  const w = spec.kind === 'rnn' ? spec.hidden : 3 * spec.hidden;
  return { gx: new Float32Array(batch * w), gh: new Float32Array(batch * w) };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One controller step for a batch: reads h_prev (B × N) and inputs x (B × I), fills `cache` (which holds
 * the new hidden state in `cache.h`). `noise` (B × N, optional) is added to the pre-activation (RNN) or
 * candidate (GRU), in units of the activity, for training with process noise.
 */
export function cellForward(
  spec: NetworkSpec,
  params: NetworkParams,
  matmul: Matmul,
  hPrev: Float32Array,
  x: Float32Array,
  batch: number,
  cache: StepCache,
  scratch: CellScratch,
  noise?: Float32Array,
): void {
  const { hidden: n, inputs: ni } = spec;
  if (spec.kind === 'rnn') {
    const alpha = spec.dt / spec.tau;
    const w = ni + n;
    const xin = cache.xin;
    for (let b = 0; b < batch; b++) {
      xin.set(x.subarray(b * ni, (b + 1) * ni), b * w);
      xin.set(hPrev.subarray(b * n, (b + 1) * n), b * w + ni);
    }
    const a = scratch.gx;
    matmul(xin, batch, w, 'Wx', a);
    const bias = params.b.data;
    const act = cache.act;
    const h = cache.h;
    for (let b = 0; b < batch; b++) {
      const o = b * n;
      for (let j = 0; j < n; j++) {
        let pre = a[o + j] + bias[j];
        if (noise) pre += noise[o + j];
        const r = Math.tanh(pre);
        act[o + j] = r;
        h[o + j] = (1 - alpha) * hPrev[o + j] + alpha * r;
      }
    }
    return;
  }
  const n3 = 3 * n;
  cache.xin.set(x.subarray(0, batch * ni));
  const gx = scratch.gx;
  const gh = scratch.gh;
  matmul(cache.xin, batch, ni, 'Wx', gx);
  matmul(hPrev, batch, n, 'Wh', gh);
  const bx = params.b.data;
  const bhn = params.bh.data;
  const act = cache.act;
  const hn = cache.hn!;
  const h = cache.h;
  for (let b = 0; b < batch; b++) {
    const o3 = b * n3;
    const o = b * n;
    for (let j = 0; j < n; j++) {
      const r = sigmoid(gx[o3 + j] + bx[j] + gh[o3 + j]);
      const zg = sigmoid(gx[o3 + n + j] + bx[n + j] + gh[o3 + n + j]);
      const hnj = gh[o3 + 2 * n + j] + bhn[j];
      let pre = gx[o3 + 2 * n + j] + bx[2 * n + j] + r * hnj;
      if (noise) pre += noise[o + j];
      const c = Math.tanh(pre);
      act[o3 + j] = r;
      act[o3 + n + j] = zg;
      act[o3 + 2 * n + j] = c;
      hn[o + j] = hnj;
      h[o + j] = (1 - zg) * c + zg * hPrev[o + j];
    }
  }
}

/** Readout: torques (B × outputs, N·m) from hidden states (B × N). Small, so plain JS. */
export function readout(spec: NetworkSpec, params: NetworkParams, h: Float32Array, batch: number, out: Float32Array | Float64Array): void {
  const { hidden: n, outputs: no } = spec;
  const w = params.Wout.data;
  const bo = params.bout.data;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < no; k++) {
      let s = bo[k];
      for (let j = 0; j < n; j++) s += h[b * n + j] * w[j * no + k];
      out[b * no + k] = s;
    }
  }
}
