import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng, normal } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import { TfMatmul } from '../../model/tf-matmul.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

const randomArray = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
};

describe('training matrix products', () => {
  it('equal tf.matMul bit for bit, call after call, and follow new weights', () => {
    const mm = new TfMatmul(tf);
    const out = new Float32Array(16 * 24);
    try {
      for (let iteration = 0; iteration < 3; iteration++) {
        const w = randomArray(40 * 24, 100 + iteration);
        mm.setWeights({ W: { shape: [40, 24], data: w } }, ['W']);
        const ref = tf.tensor2d(w, [40, 24]);
        for (let call = 0; call < 3; call++) {
          const a = randomArray(16 * 40, 10 * iteration + call);
          mm.matmul(a, 16, 40, 'W', out);
          const expected = tf.tidy(() => tf.matMul(tf.tensor2d(a, [16, 40]), ref).dataSync());
          expect(Buffer.from(out.buffer).equals(Buffer.from(new Float32Array(expected).buffer))).toBe(true);
          // The transpose uploaded with it: a [16, 24] · Wᵀ [24, 40].
          const g = randomArray(16 * 24, 50 + call);
          const gin = new Float32Array(16 * 40);
          mm.matmul(g, 16, 24, 'WT', gin);
          const expectedT = tf.tidy(() => tf.matMul(tf.tensor2d(g, [16, 24]), ref.transpose()).dataSync());
          expect(Buffer.from(gin.buffer).equals(Buffer.from(new Float32Array(expectedT).buffer))).toBe(true);
        }
        ref.dispose();
      }
    } finally {
      mm.dispose();
    }
  });

  it('follow weights changed in place: one element edited in the same array is uploaded again (an identity times a unit vector)', () => {
    const mm = new TfMatmul(tf);
    try {
      const w = new Float32Array(9);
      for (let i = 0; i < 3; i++) w[i * 3 + i] = 1;
      const params = { W: { shape: [3, 3] as [number, number], data: w } };
      const out = new Float32Array(3);
      mm.setWeights(params, ['W']);
      mm.matmul(Float32Array.of(0, 1, 0), 1, 3, 'W', out);
      expect([...out]).toEqual([0, 1, 0]);
      // The same array, edited as an optimizer step edits it: row 1 now maps to column 2 as well.
      w[1 * 3 + 2] = 5;
      mm.setWeights(params, ['W']);
      mm.matmul(Float32Array.of(0, 1, 0), 1, 3, 'W', out);
      expect([...out]).toEqual([0, 1, 5]);
      mm.matmul(Float32Array.of(0, 0, 1), 1, 3, 'WT', out);
      expect([...out]).toEqual([0, 5, 1]);
    } finally {
      mm.dispose();
    }
  });

  it('keep products of different shapes apart when a dimension reaches 65536 ([1×1]·[1×65537] and [1×2]·[2×1] shared one slot)', () => {
    const mm = new TfMatmul(tf);
    try {
      const wide = Float32Array.from({ length: 65537 }, (_, j) => j % 7);
      mm.setWeights({ A: { shape: [1, 65537], data: wide }, B: { shape: [2, 1], data: Float32Array.of(3, 4) } }, ['A', 'B']);
      const outWide = new Float32Array(65537);
      mm.matmul(Float32Array.of(2), 1, 1, 'A', outWide);
      const outB = new Float32Array(1);
      // 5·3 + 6·4 = 39.
      mm.matmul(Float32Array.of(5, 6), 1, 2, 'B', outB);
      expect(outB[0]).toBe(39);
      mm.matmul(Float32Array.of(2), 1, 1, 'A', outWide);
      expect(outWide.every((v, j) => v === 2 * (j % 7))).toBe(true);
    } finally {
      mm.dispose();
    }
  });

  it("take a weight's new shape when its values stay the same ([2×1] then [1×2], both (1, 2))", () => {
    const mm = new TfMatmul(tf);
    try {
      mm.setWeights({ W: { shape: [2, 1], data: Float32Array.of(1, 2) } }, ['W']);
      const one = new Float32Array(1);
      // 3·1 + 4·2 = 11.
      mm.matmul(Float32Array.of(3, 4), 1, 2, 'W', one);
      expect(one[0]).toBe(11);
      mm.setWeights({ W: { shape: [1, 2], data: Float32Array.of(1, 2) } }, ['W']);
      const two = new Float32Array(2);
      mm.matmul(Float32Array.of(3), 1, 1, 'W', two);
      expect([...two]).toEqual([3, 6]);
    } finally {
      mm.dispose();
    }
  });

  it('refuse an operand with fewer values than m×k (the last operand would fill the gap)', () => {
    const mm = new TfMatmul(tf);
    try {
      mm.setWeights({ W: { shape: [2, 1], data: Float32Array.of(1, 2) } }, ['W']);
      const out = new Float32Array(1);
      mm.matmul(Float32Array.of(3, 4), 1, 2, 'W', out);
      expect(() => mm.matmul(Float32Array.of(5), 1, 2, 'W', out)).toThrow(/1 values, 1×2 needs 2/);
    } finally {
      mm.dispose();
    }
  });

  it('hold no tensors after dispose', () => {
    const before = tf.memory().numTensors;
    const mm = new TfMatmul(tf);
    mm.setWeights({ W: { shape: [8, 4], data: randomArray(32, 1) } }, ['W']);
    for (let i = 0; i < 5; i++) mm.matmul(randomArray(24, i), 3, 8, 'W', new Float32Array(12));
    mm.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
