/**
 * The SIMD kernels of model/cells/products.ts. The step product with a weight (matrixProduct) and the
 * episode's weight-gradient product (each entry of aᵀ·b over the tape's rows) are float32 sums in order,
 * every product and partial sum rounded to float32, from zero. That is their definition here (a plain
 * loop with Math.fround), and what the wasm backend's tf.matMul (XNNPACK) returns, which the trainings
 * before these kernels used: the bits must agree with both, for widths that take every edge of the
 * kernels' blocks and, for the weight gradients, for enough rows to span several chunks. The tape's
 * column sums (bias gradients) are float32 sums down the rows in order, from what the sums held.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng, normal } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import { createMatrixProducts, createRowsProduct } from '../../model/cells/products.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('wasm'));
});

/** Normal draws with exact zeros of both signs and values spanning many binades (so roundings differ with order). */
function values(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, (_, i) => (i % 11 === 0 ? (i % 22 === 0 ? 0 : -0) : normal(rng) * 10 ** ((i % 7) - 3)));
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('step product with a weight', () => {
  // [m, k, n]: a shard's steps (16 trials, 139 or 11 inputs, 128 to 512 outputs) and every block edge.
  const shapes = [
    [16, 139, 128],
    [16, 11, 384],
    [16, 128, 139],
    [5, 13, 11],
    [1, 1, 1],
    [7, 3, 4],
    [6, 40, 9],
  ];
  for (const [m, k, n] of shapes)
    it(`[${m}×${k}]·[${k}×${n}] is the in-order float32 sum, as tf.matMul on wasm returns it`, () => {
      const products = createMatrixProducts();
      const aAt = 0;
      const wAt = 16 * Math.ceil((4 * m * k) / 16);
      const outAt = wAt + 16 * Math.ceil((4 * k * n) / 16);
      products.reserve(outAt + 4 * m * n);
      const f32 = new Float32Array(products.memory.buffer);
      const a = values(m * k, m * 100 + k);
      const w = values(k * n, k * 100 + n);
      f32.set(a, aAt / 4);
      f32.set(w, wAt / 4);
      products.run(aAt, wAt, outAt, m, k, n);
      const out = f32.slice(outAt / 4, outAt / 4 + m * n);
      const sums = new Float32Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s = Math.fround(s + Math.fround(a[i * k + q] * w[q * n + j]));
          sums[i * n + j] = s;
        }
      expect(bytes(out).equals(bytes(sums))).toBe(true);
      const tfOut = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(w, [k, n])).dataSync() as Float32Array);
      expect(bytes(out).equals(bytes(tfOut))).toBe(true);
    });
});

describe('weight-gradient product over the rows of an episode', () => {
  // [k, m, n]: 4-row blocks and 1-row edges, 8- and 4-wide and scalar columns, one chunk or several (139 + 128 columns: 92 rows a chunk).
  const shapes = [
    [13, 37, 11],
    [8, 5, 12],
    [1, 1, 1],
    [3, 20, 4],
    [139, 300, 128],
    [11, 250, 384],
  ];
  for (const [k, m, n] of shapes)
    it(`[${m}×${k}]ᵀ·[${m}×${n}] is the in-order float32 sum, as tf.matMul on wasm returns it`, () => {
      const p = createRowsProduct(k, m, n);
      p.a.view.set(values(m * k, k * 1000 + m));
      p.b.view.set(values(m * n, n * 1000 + m));
      p.run();
      const a = p.a.view;
      const b = p.b.view;
      const sums = new Float32Array(k * n);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < m; q++) s = Math.fround(s + Math.fround(a[q * k + i] * b[q * n + j]));
          sums[i * n + j] = s;
        }
      expect(bytes(p.out.view).equals(bytes(sums))).toBe(true);
      const tfOut = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]).transpose(), tf.tensor2d(b, [m, n])).dataSync() as Float32Array);
      expect(bytes(p.out.view).equals(bytes(tfOut))).toBe(true);
      // A second run starts from zero again.
      p.run();
      expect(bytes(p.out.view).equals(bytes(sums))).toBe(true);
    });
});

describe('column sums of the tape rows (bias gradients)', () => {
  // [m, n]: 4-wide columns with and without a scalar edge, one row, and an episode's shape (100 steps × 64 trials × 384).
  for (const [m, n] of [
    [37, 11],
    [5, 12],
    [1, 3],
    [6400, 384],
  ])
    it(`of [${m}×${n}] add to what the sums held, row by row in float32`, () => {
      const p = createRowsProduct(2, m, n);
      p.b.view.set(values(m * n, n * 7 + m));
      const start = values(n, m + 1);
      const sums = start.slice();
      const b = p.b.view;
      for (let j = 0; j < n; j++) {
        let s = sums[j];
        for (let q = 0; q < m; q++) s = Math.fround(s + b[q * n + j]);
        sums[j] = s;
      }
      const into = start.slice();
      p.addColumnSums(into);
      expect(bytes(into).equals(bytes(sums))).toBe(true);
    });
});
