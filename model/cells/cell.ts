/**
 * The recurrent cell as one interface: each module of model/cells/ exports one `Cell` (leaky RNN, GRU,
 * LSTM) and nothing outside this folder asks which kind it holds. A cell gives
 * - its parameter shapes and seeded initialisation (weights stored [from, to], so a batch step is `input · W`);
 * - the batched float32 forward step (training with tfjs products, or plain JS at batch 1);
 * - that step's vector–Jacobian product for backpropagation through time, with the weight gradients
 *   gathered on a per-episode tape and formed as one large product at the end (model/README.md says why);
 * - a float64 single-state step with its exact Jacobian, for fixed points (model/fixed-points.ts).
 *
 * A cell's state may be larger than its output: the LSTM carries (h, c). A state row holds the blocks
 * of `stateParts` side by side, `hidden` entries each, the output h first; the readout reads only h.
 */
import type { Rng } from '../../core/random.ts';
import type { Matmul, NetworkParams, NetworkSpec } from '../network.ts';

/** Matrix products of a training step with a weight (see model/tf-matmul.ts). */
export interface MatOps {
  /** out[m×n] = a[m×k] · W for a weight in `Cell.matrices`, or its transpose under the name `<name>T`. */
  matmul: Matmul;
}

/** What a forward step keeps: the new state and output, plus whatever the cell's backward step needs. */
export interface StepCache {
  /** State after the step: [batch, stateSize], the `stateParts` blocks side by side in each row. */
  state: Float32Array;
  /** Output h after the step: [batch, hidden] (the same array as `state` when the state is h alone). */
  h: Float32Array;
}

/** One block of a cell's state, `hidden` entries long. */
export interface StatePart {
  /** Short name (`--state` choices of `reach analyze`): 'h', 'c'. */
  key: string;
  /** Name of the run-directory array that records it. */
  array: string;
  /** What it is, for run manifests. */
  description: string;
}

/** The step map F(s) of a network with its input frozen, and its Jacobian, in float64. */
export interface StepMap {
  /** State size. */
  n: number;
  /** Control step (s). */
  dt: number;
  /** Writes F(s) into `out` and, when given, ∂F/∂s into `jac` (row-major [n, n], jac[j·n + i] = ∂F_j/∂s_i). */
  evaluate(s: Float64Array, out: Float64Array, jac?: Float64Array): void;
}

/**
 * A recurrent cell. `C` is its step cache, `S` its forward scratch, `T` its backward tape; callers
 * only allocate them through the cell and pass them back.
 */
export interface Cell<C extends StepCache = StepCache, S = unknown, T = unknown> {
  /** State blocks in row order; the first is the output h. */
  readonly stateParts: readonly StatePart[];
  /** Weight matrices multiplied by activity each step (uploaded, with transposes, once per iteration) and L2-penalised. */
  readonly matrices: readonly string[];
  /** Parameter names and shapes of the cell (the readout's are added by model/network.ts). */
  paramShapes(spec: NetworkSpec): Record<string, number[]>;
  /** The recurrent weights: rows [from, to) of matrix `name` multiply the previous output h (scaling them scales recurrence, zero removes it). */
  recurrentRows(spec: NetworkSpec): Array<{ name: string; rows: [number, number] }>;
  /** Fill the cell's freshly allocated, zeroed parameters from a seeded generator. */
  init(spec: NetworkSpec, params: NetworkParams, rng: Rng): void;
  createCache(spec: NetworkSpec, batch: number): C;
  createScratch(spec: NetworkSpec, batch: number): S;
  /**
   * One step for a batch: state `sPrev` [batch, stateSize] and inputs `x` [batch, inputs] → `cache`.
   * `noise` ([batch, hidden], activity units) is added to the candidate's pre-activation.
   */
  forward(spec: NetworkSpec, params: NetworkParams, matmul: Matmul, sPrev: Float32Array, x: Float32Array, batch: number, cache: C, scratch: S, noise?: Float32Array): void;
  /** Backward buffers for an episode of `steps` steps. */
  createTape(spec: NetworkSpec, batch: number, steps: number): T;
  /**
   * Vector–Jacobian product of step t: from `gState` = ∂L/∂s_t [batch, stateSize] write ∂L/∂s_{t−1}
   * through this step into `gPrev` and ∂L/∂x_t into `gx` [batch, inputs]; keep on the tape what the
   * weight gradients need (biases may be accumulated into `grads` directly).
   */
  backward(
    spec: NetworkSpec,
    ops: MatOps,
    tape: T,
    t: number,
    batch: number,
    sPrev: Float32Array,
    cache: C,
    gState: Float32Array,
    gPrev: Float32Array,
    gx: Float32Array,
    grads: Record<string, Float32Array>,
  ): void;
  /** Write the weight gradients of a whole episode (`steps` backward steps on the tape) into `grads` and add the bias gradients (cells/products.ts forms the products). */
  finish(tape: T, grads: Record<string, Float32Array>): void;
  /** F(s) of one noise-free step with the input held at `input` [inputs], in float64. */
  stepMap(spec: NetworkSpec, params: NetworkParams, input: ArrayLike<number>): StepMap;
}

/** The state blocks of every cell whose state is its output alone. */
export const H_ONLY: readonly StatePart[] = [{ key: 'h', array: 'hidden', description: 'network hidden state computed from the observation at this sample' }];
