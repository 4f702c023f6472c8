/**
 * Matrix products on the tfjs backend for plain Float32Array operands. Training keeps its state in JS
 * typed arrays (elementwise work on 64×128 arrays is cheaper in JS than a tfjs op) and sends only the
 * products to tfjs, where the wasm backend's XNNPACK kernels are ~10× faster than a JS loop.
 * Transposed products are done against explicitly transposed copies: the wasm backend's transposed
 * matMul is several times slower than the plain one (measured here).
 *
 * On the wasm backend the per-step products skip tfjs's tensor machinery: the operand and result live
 * in tensors allocated once per shape, the operand is written straight into the wasm heap and the
 * backend's own BatchMatMul kernel is called on the tensor ids, the result read back from the heap (no
 * tensor created, no dataSync copy, nothing for the garbage collector). It is the kernel tf.matMul
 * calls, with the same arguments, so the numbers are the same; the weights are fresh tensors every
 * iteration as before (the kernel's cached operators are keyed by the weight tensor).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Matmul, NetworkParams } from './network.ts';

/** The few internals of the wasm backend the direct path uses. */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
}

/** Operand and result tensors of one product shape, allocated once. */
interface Slot {
  a: tfType.Tensor;
  out: tfType.Tensor;
  aId: number;
  aOffset: number;
  outId: number;
  outOffset: number;
  /** Heap addresses of the operands' shapes [1, rows, cols] (int32), written once. */
  aShape: number;
  bShape: number;
  /** Operand [m×k] and result [m×n] sizes. */
  aSize: number;
  outSize: number;
  /** Views of the operand and result on the wasm heap, remade when the heap grows (its buffer changes). */
  heap: ArrayBufferLike | null;
  aView: Float32Array;
  outView: Float32Array;
}

/** Whether two float32 arrays hold the same bits (so −0 ≠ +0 and a NaN equals itself). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class TfMatmul {
  private readonly weights = new Map<string, tfType.Tensor2D>();
  /** Copies of the matrices behind `weights`, to tell whether the next upload changes anything. */
  private readonly uploaded = new Map<string, Float32Array>();
  private readonly backend: WasmBackend | null;
  private readonly kernel: ((...args: unknown[]) => void) | null;
  /** Slots by m, then k, then n (maps of numbers: a lookup allocates nothing, and no two shapes share a key). */
  private readonly slots = new Map<number, Map<number, Map<number, Slot>>>();

  constructor(private readonly tf: typeof tfType) {
    this.backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend) : null;
    this.kernel = this.backend ? this.backend.wasm.cwrap('BatchMatMul', null, ['number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number']) : null;
  }

  private slot(m: number, k: number, n: number): Slot {
    let byK = this.slots.get(m);
    if (!byK) this.slots.set(m, (byK = new Map<number, Map<number, Slot>>()));
    let byN = byK.get(k);
    if (!byN) byK.set(k, (byN = new Map<number, Slot>()));
    let s = byN.get(n);
    if (!s) {
      const a = this.tf.zeros([m, k]);
      const out = this.tf.zeros([m, n]);
      const ia = this.backend!.dataIdMap.get(a.dataId);
      const io = this.backend!.dataIdMap.get(out.dataId);
      // Shapes live on the heap, so the kernel is called with numbers only (emscripten's array
      // arguments cost a stack copy and a few allocations per call).
      const shape = (r: number, c: number) => {
        const ptr = this.backend!.wasm._malloc(12);
        new Int32Array(this.backend!.wasm.HEAPU8.buffer, ptr, 3).set([1, r, c]);
        return ptr;
      };
      const none = new Float32Array(0);
      s = { a, out, aId: ia.id, aOffset: ia.memoryOffset, outId: io.id, outOffset: io.memoryOffset, aShape: shape(m, k), bShape: shape(k, n), aSize: m * k, outSize: m * n, heap: null, aView: none, outView: none };
      byN.set(n, s);
    }
    return s;
  }

  /**
   * Upload the named parameters (and their transposes, as `<name>T`) for this iteration. A matrix whose
   * bits equal those last uploaded under its name is kept (the shards of one batch share the weights).
   */
  setWeights(params: NetworkParams, names: readonly string[]): void {
    for (const name of names) {
      const p = params[name];
      const last = this.uploaded.get(name);
      if (last && sameBits(last, p.data)) continue;
      if (last && last.length === p.data.length) last.set(p.data);
      else this.uploaded.set(name, p.data.slice());
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
    if (this.kernel) {
      const n = w.shape[1];
      const s = this.slot(m, k, n);
      // The heap may have grown (and moved) since the last call: views are checked against it now.
      this.views(s);
      s.aView.set(a.length === m * k ? a : a.subarray(0, m * k));
      this.kernel(s.aId, s.aShape, 3, this.backend!.dataIdMap.get(w.dataId).id, s.bShape, 3, 0, 0, s.outId);
      this.views(s);
      out.set(s.outView);
      return;
    }
    const at = this.tf.tensor2d(a.subarray(0, m * k), [m, k]);
    const c = this.tf.matMul(at, w);
    out.set(c.dataSync());
    at.dispose();
    c.dispose();
  };

  private views(s: Slot): void {
    const heap = this.backend!.wasm.HEAPU8.buffer;
    if (heap === s.heap) return;
    s.heap = heap;
    s.aView = new Float32Array(heap, s.aOffset, s.aSize);
    s.outView = new Float32Array(heap, s.outOffset, s.outSize);
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
    this.uploaded.clear();
    for (const s of [...this.slots.values()].flatMap((byK) => [...byK.values()].flatMap((byN) => [...byN.values()]))) {
      s.a.dispose();
      s.out.dispose();
      this.backend!.wasm._free(s.aShape);
      this.backend!.wasm._free(s.bShape);
    }
    this.slots.clear();
  }
}
