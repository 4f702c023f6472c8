/**
 * Matrix products on the tfjs backend for plain Float32Array operands. Training keeps its state in JS
 * typed arrays (elementwise work on 64×128 arrays is cheaper in JS than a tfjs op) and sends only the
 * products to tfjs, where the wasm backend's XNNPACK kernels are ~10× faster than a JS loop.
 * Transposed products are done against explicitly transposed copies: the wasm backend's transposed
 * matMul is several times slower than the plain one (measured here).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Matmul, NetworkParams } from './network.ts';

export class TfMatmul {
  private readonly weights = new Map<string, tfType.Tensor2D>();

  constructor(private readonly tf: typeof tfType) {}

  /** Upload the named parameters (and their transposes, as `<name>T`) for this iteration. */
  setWeights(params: NetworkParams, names: readonly string[]): void {
    for (const name of names) {
      const p = params[name];
      const [rows, cols] = p.shape;
      this.put(name, p.data, rows, cols);
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = p.data[r * cols + c];
      this.put(`${name}T`, t, cols, rows);
    }
  }

  private put(name: string, data: Float32Array, rows: number, cols: number): void {
    this.weights.get(name)?.dispose();
    this.weights.set(name, this.tf.tensor2d(data, [rows, cols]));
  }

  /** out[m×n] = a[m×k] · weight[k×n]. */
  readonly matmul: Matmul = (a, m, k, weight, out) => {
    const w = this.weights.get(weight);
    if (!w) throw new Error(`matmul: weight '${weight}' was not uploaded`);
    if (w.shape[0] !== k) throw new Error(`matmul: ${weight} has ${w.shape[0]} rows, input has ${k} columns`);
    const at = this.tf.tensor2d(a.subarray(0, m * k), [m, k]);
    const c = this.tf.matMul(at, w);
    out.set(c.dataSync());
    at.dispose();
    c.dispose();
  };

  /** out[k×n] = aT[k×m] · b[m×n] for two plain arrays (weight gradients over a whole episode). */
  product(aT: Float32Array, k: number, m: number, b: Float32Array, n: number, out: Float32Array): void {
    const at = this.tf.tensor2d(aT.subarray(0, k * m), [k, m]);
    const bt = this.tf.tensor2d(b.subarray(0, m * n), [m, n]);
    const c = this.tf.matMul(at, bt);
    out.set(c.dataSync());
    at.dispose();
    bt.dispose();
    c.dispose();
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
  }
}
