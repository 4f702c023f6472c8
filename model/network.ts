/**
 * Recurrent controllers as plain data: a spec, named parameter arrays, and what every cell shares (the
 * parameter layout, initialisation and the readout: u = W_out h + b_out for unbounded actuator inputs
 * such as joint torques in N·m, u = lo + (hi − lo)·σ(W_out h + b_out) for inputs used in [lo, hi] such as
 * muscle excitations, so that outputs stay strictly inside the range the body uses). The cells
 * themselves (leaky RNN, GRU, LSTM) live in model/cells/ behind one interface; `cellOf(spec)` picks one.
 */
import { shapeSize } from '../core/npy.ts';
import { normal, type Rng } from '../core/random.ts';
import { z } from 'zod';
import { CELL_KINDS, cellOf } from './cells/index.ts';

export const networkSpecSchema = z.object({
  /** Cell type: leaky vanilla RNN, GRU or LSTM (model/cells/). */
  kind: z.enum(CELL_KINDS).default('rnn'),
  /** Number of hidden units (the output h; an LSTM's state is twice this: h and c). */
  hidden: z.number().int().min(2).max(4096).default(128),
  /** Number of inputs (set from the task's observation size). */
  inputs: z.number().int().min(1),
  /** Number of outputs (the body's actuator inputs: 2 joint torques, 6 muscle excitations). */
  outputs: z.number().int().min(1).default(2),
  /** Range [lo, hi] of a bounded readout (the actuator's inputRange, e.g. excitations in [0.001, 1]); null: linear. Default null. */
  outputRange: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, 'must be [lo, hi] with lo < hi').nullable().default(null),
  /** Time constant of the leaky RNN (s); ignored by the GRU and LSTM. */
  tau: z.number().positive().default(0.05),
  /** Control step (s). */
  dt: z.number().positive().default(0.01),
  /** Candidate (and LSTM cell-output) nonlinearity φ. Default tanh. */
  activation: z.enum(['tanh', 'relu']).default('tanh'),
  /** LSTM forget-gate bias at initialisation; ignored by the other cells. Default 1. */
  forgetBias: z.number().default(1),
  /** Recurrent weight initialisation: orthogonal (scaled by `gain`) or Gaussian N(0, gain²/N). */
  init: z.enum(['orthogonal', 'gaussian']).default('orthogonal'),
  /** Scale of the recurrent weights at initialisation. */
  gain: z.number().positive().default(1),
  /** Std of the input weights at initialisation, divided by √inputs. */
  inputScale: z.number().positive().default(1),
  /** Std of the readout weights at initialisation (output units per unit activity). */
  outputScale: z.number().nonnegative().default(0.01),
  /** Initial readout bias b_out. Default 0 (training configs give bounded readouts BOUNDED_READOUT_BIAS). */
  outputBias: z.number().default(0),
}).strict();
/** A controller network: cell kind, sizes (units), time constant tau and control step dt (s), initialisation. */
export type NetworkSpec = z.infer<typeof networkSpecSchema>;

/** Initial readout bias of a bounded readout: MotorNet's muscle policy starts at −5, so excitations start near σ(−5) ≈ 0.007. */
export const BOUNDED_READOUT_BIAS = -5;

/** A parameter array with its row-major shape. */
export interface Param {
  shape: number[];
  data: Float32Array;
}

/** Network weights by name; the names and shapes are fixed by the spec (see `paramShapes`). */
export type NetworkParams = Record<string, Param>;

/** Parameter names and shapes: the cell's, then the readout Wout: [hidden, outputs], bout: [outputs]. */
export function paramShapes(spec: NetworkSpec): Record<string, number[]> {
  return { ...cellOf(spec).paramShapes(spec), Wout: [spec.hidden, spec.outputs], bout: [spec.outputs] };
}

/** Size of one state row of the spec's cell (hidden × its number of state blocks). */
export function stateSize(spec: NetworkSpec): number {
  return spec.hidden * cellOf(spec).stateParts.length;
}

/** Fresh weights for a spec from a seeded generator. */
export function initParams(spec: NetworkSpec, rng: Rng): NetworkParams {
  const shapes = paramShapes(spec);
  const params: NetworkParams = {};
  for (const [name, shape] of Object.entries(shapes)) {
    params[name] = { shape, data: new Float32Array(shapeSize(shape)) };
  }
  cellOf(spec).init(spec, params, rng);
  const wout = params.Wout.data;
  for (let i = 0; i < wout.length; i++) wout[i] = spec.outputScale * normal(rng);
  params.bout.data.fill(spec.outputBias);
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

/**
 * Readout: actuator inputs (B × outputs; N·m for torques) from hidden states (B × N). Small, so plain JS.
 * Each output's sum runs over the units in order; three (then two, then one) outputs share a pass over
 * h, so that their independent sums overlap instead of each waiting on its own last addition.
 */
export function readout(spec: NetworkSpec, params: NetworkParams, h: Float32Array, batch: number, out: Float32Array | Float64Array): void {
  const { hidden: n, outputs: no } = spec;
  const w = params.Wout.data;
  const bo = params.bout.data;
  const range = spec.outputRange;
  const squash = (s: number) => (range ? range[0] + (range[1] - range[0]) / (1 + Math.exp(-s)) : s);
  for (let b = 0; b < batch; b++) {
    const ho = b * n;
    const oo = b * no;
    let k = 0;
    for (; k + 2 < no; k += 3) {
      let s0 = bo[k];
      let s1 = bo[k + 1];
      let s2 = bo[k + 2];
      for (let j = 0; j < n; j++) {
        const hv = h[ho + j];
        const o = j * no + k;
        s0 += hv * w[o];
        s1 += hv * w[o + 1];
        s2 += hv * w[o + 2];
      }
      out[oo + k] = squash(s0);
      out[oo + k + 1] = squash(s1);
      out[oo + k + 2] = squash(s2);
    }
    if (k + 1 < no) {
      let s0 = bo[k];
      let s1 = bo[k + 1];
      for (let j = 0; j < n; j++) {
        const hv = h[ho + j];
        const o = j * no + k;
        s0 += hv * w[o];
        s1 += hv * w[o + 1];
      }
      out[oo + k] = squash(s0);
      out[oo + k + 1] = squash(s1);
      k += 2;
    }
    if (k < no) {
      let s = bo[k];
      for (let j = 0; j < n; j++) s += h[ho + j] * w[j * no + k];
      out[oo + k] = squash(s);
    }
  }
}

/** ∂u/∂z of the readout at output u (z = W_out h + b_out): 1 when linear, (u − lo)(hi − u)/(hi − lo) for the bounded readout. */
export function readoutSlope(spec: NetworkSpec, u: number): number {
  const range = spec.outputRange;
  return range ? ((u - range[0]) * (range[1] - u)) / (range[1] - range[0]) : 1;
}
