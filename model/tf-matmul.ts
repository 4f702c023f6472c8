/**
 * The per-step matrix products of training for plain Float32Array operands. Training keeps its state in
 * JS typed arrays (elementwise work on 64×128 arrays is cheaper there than a tfjs op) and computes only
 * the products with a weight here. Transposed products are done against explicitly transposed copies,
 * uploaded with each weight.
 *
 * On the wasm backend the products run in a SIMD kernel of our own (cells/products.ts) that computes the
 * backend's matMul (XNNPACK) sums bit for bit, in a memory holding this iteration's weights: no tfjs
 * call, tensor or weight packing per product, one copy in and one out. On other backends they are
 * tf.matMul calls (with those backends' own roundings).
 */
import type * as tfType from '@tensorflow/tfjs';
import { createMatrixProducts, type MatrixProducts } from './cells/products.ts';
import type { Matmul, NetworkParams } from './network.ts';

/** Whether two float32 arrays hold the same bits (so −0 ≠ +0 and a NaN equals itself). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A weight (or its transpose) in the kernel's memory: byte address and shape. */
interface Placed {
  at: number;
  rows: number;
  cols: number;
}

const align16 = (bytes: number) => 16 * Math.ceil(bytes / 16);

export class TfMatmul {
  /** Copies of the matrices last uploaded under each name, with their row counts, to tell whether the next upload changes anything. */
  private readonly uploaded = new Map<string, { data: Float32Array; rows: number }>();
  /** The kernel (wasm backend), its weights by name, the bytes they take, and a view of its memory (remade when the memory grows). */
  private readonly kernel: MatrixProducts | null;
  private readonly placed = new Map<string, Placed>();
  private weightBytes = 0;
  private f32: Float32Array;
  /** The weights as tensors (other backends). */
  private readonly weights = new Map<string, tfType.Tensor2D>();

  constructor(private readonly tf: typeof tfType) {
    this.kernel = tf.getBackend() === 'wasm' ? createMatrixProducts() : null;
    this.f32 = new Float32Array(this.kernel ? this.kernel.memory.buffer : new ArrayBuffer(0));
  }

  /**
   * Upload the named parameters (and their transposes, as `<name>T`) for this iteration. A matrix whose
   * bits equal those last uploaded under its name is kept (the shards of one batch share the weights).
   */
  setWeights(params: NetworkParams, names: readonly string[]): void {
    for (const name of names) {
      const p = params[name];
      const [rows, cols] = p.shape;
      const last = this.uploaded.get(name);
      // Same bits in another shape (a [c, r] weight after an [r, c] one) are a different matrix.
      if (last && last.rows === rows && sameBits(last.data, p.data)) continue;
      if (last && last.data.length === p.data.length) {
        last.data.set(p.data);
        last.rows = rows;
      } else this.uploaded.set(name, { data: p.data.slice(), rows });
      this.put(name, p.data, rows, cols);
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = p.data[r * cols + c];
      this.put(`${name}T`, t, cols, rows);
    }
  }

  private put(name: string, data: Float32Array, rows: number, cols: number): void {
    if (!this.kernel) {
      this.weights.get(name)?.dispose();
      this.weights.set(name, this.tf.tensor2d(data, [rows, cols]));
      return;
    }
    let w = this.placed.get(name);
    if (!w || w.rows * w.cols !== rows * cols) {
      // A new place after the others (a weight that changes size leaves its old room unused).
      w = { at: this.weightBytes, rows, cols };
      this.weightBytes = align16(this.weightBytes + 4 * rows * cols);
      this.placed.set(name, w);
      this.view(this.weightBytes);
    }
    w.rows = rows;
    w.cols = cols;
    this.f32.set(data, w.at / 4);
  }

  /** The kernel memory's float32 view, at least `bytes` long. */
  private view(bytes: number): Float32Array {
    this.kernel!.reserve(bytes);
    if (this.f32.buffer !== this.kernel!.memory.buffer) this.f32 = new Float32Array(this.kernel!.memory.buffer);
    return this.f32;
  }

  /** out[m×n] = a[m×k] · weight[k×n]. */
  readonly matmul: Matmul = (a, m, k, weight, out) => {
    if (this.kernel) {
      const w = this.placed.get(weight);
      if (!w) throw new Error(`matmul: weight '${weight}' was not uploaded`);
      if (w.rows !== k) throw new Error(`matmul: ${weight} has ${w.rows} rows, input has ${k} columns`);
      // The kernel's memory still holds the last operand: a short one would be completed from it silently.
      if (a.length < m * k) throw new Error(`matmul: input has ${a.length} values, ${m}×${k} needs ${m * k}`);
      const n = w.cols;
      // Operand and result after the weights.
      const aAt = this.weightBytes;
      const outAt = align16(aAt + 4 * m * k);
      const f32 = this.view(outAt + 4 * m * n);
      f32.set(a.length === m * k ? a : a.subarray(0, m * k), aAt / 4);
      this.kernel.run(aAt, w.at, outAt, m, k, n);
      out.set(f32.subarray(outAt / 4, outAt / 4 + m * n));
      return;
    }
    const w = this.weights.get(weight);
    if (!w) throw new Error(`matmul: weight '${weight}' was not uploaded`);
    if (w.shape[0] !== k) throw new Error(`matmul: ${weight} has ${w.shape[0]} rows, input has ${k} columns`);
    const at = this.tf.tensor2d(a.subarray(0, m * k), [m, k]);
    const c = this.tf.matMul(at, w);
    out.set(c.dataSync());
    at.dispose();
    c.dispose();
  };

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
    this.uploaded.clear();
    this.placed.clear();
  }
}
