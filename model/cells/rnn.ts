/**
 * Leaky vanilla RNN (Sussillo et al. 2015):  h ← (1−α)h + α·φ(W h + U x + b),  α = dt/τ, φ = tanh
 * (or relu). U and W are stored as one matrix Wx: [inputs + hidden, hidden], rows 0..inputs−1 are U,
 * the rest W (as h·W), so a step is one product of [x, h] with Wx, forward and backward.
 *
 * F(h) − h = α(−h + φ(…)): the fixed points of the map are those of the flow τ ḣ = −h + φ(…) it
 * discretises, and the map's Jacobian eigenvalues λ give the flow's as (λ − 1)/dt.
 */
import { normal } from '../../core/random.ts';
import type { NetworkSpec } from '../network.ts';
import { H_ONLY, type Cell, type StepCache } from './cell.ts';
import { activationOf, concatRows, inputDrive, recurrentBlock, recurrentDrive, slopeOf, tanh32 } from './common.ts';
import { createRowsProduct, type RowsProduct } from './products.ts';
import { activationKernels, array, createKernelArena, type Kernel, type KernelSpec, type Staged } from './simd.ts';

interface RnnCache extends StepCache {
  /** [x, h_prev] rows: [batch, inputs + hidden]. */
  xin: Float32Array;
  /** φ(pre-activation): [batch, hidden]. */
  act: Float32Array;
}

/** The forward step's pre-activations (a product's output), and for batches its SIMD kernel with arrays in the kernel's memory. */
interface RnnScratch {
  a: Float32Array;
  simd: RnnForwardKernel | null;
}

interface RnnForwardKernel {
  kernel: Record<string, Kernel>;
  a: Staged;
  bias: Staged;
  noise: Staged;
  hPrev: Staged;
  act: Staged;
  h: Staged;
}

interface RnnBackwardKernel {
  kernel: Record<string, Kernel>;
  gh: Staged;
  act: Staged;
  gA: Staged;
}

// The forward and backward loops below as SIMD kernels (cells/simd.ts): same operations, same order.
const forwardKernel = (name: string, relu: boolean, noisy: boolean): KernelSpec => ({
  name,
  // a, bias, noise, hPrev → act, h; scalars keep = 1 − α, α.
  arrays: [array(1), array(0), array(1), array(1), array(1), array(1)],
  scalars: 2,
  body(k) {
    let pre = k.add(k.load(0), k.load(1));
    if (noisy) pre = k.add(pre, k.load(2));
    const r = k.let(relu ? k.relu(pre) : k.tanh(pre));
    k.store(4, r);
    k.store(5, k.add(k.mul(k.arg(0), k.load(3)), k.mul(k.arg(1), r)));
  },
});
const backwardKernel = (name: string, relu: boolean): KernelSpec => ({
  name,
  // gh, act → gA; scalar α.
  arrays: [array(1), array(1), array(1)],
  scalars: 1,
  body(k) {
    const y = k.let(k.load(1));
    const slope = relu ? k.step(y) : k.sub(k.c(1), k.mul(y, y));
    k.store(2, k.mul(k.mul(k.arg(0), k.load(0)), slope));
  },
});
const KERNELS = activationKernels(forwardKernel, backwardKernel);

interface RnnTape {
  /** ∂L/∂pre-activation per step: [steps·batch, hidden] (the product's b). */
  gA: Float32Array;
  /** [x, h_prev] rows of every step (its a) and ∂L/∂pre-activation (its b): ∂L/∂Wx = Σ [x, h_prev]ᵀ·∂L/∂pre. */
  product: RowsProduct;
  /** ∂L/∂[x, h_prev] of one step: [batch, inputs + hidden]. */
  gin: Float32Array;
  simd: RnnBackwardKernel | null;
}

export const rnnCell: Cell<RnnCache, RnnScratch, RnnTape> = {
  stateParts: H_ONLY,
  matrices: ['Wx'],

  paramShapes({ hidden: n, inputs: i }: NetworkSpec) {
    return { Wx: [i + n, n], b: [n] };
  },

  recurrentRows({ hidden: n, inputs: i }: NetworkSpec) {
    return [{ name: 'Wx', rows: [i, i + n] }];
  },

  init(spec, params, rng) {
    const { hidden: n, inputs: ni } = spec;
    const inStd = spec.inputScale / Math.sqrt(ni);
    const wx = params.Wx.data;
    for (let r = 0; r < ni; r++) for (let c = 0; c < n; c++) wx[r * n + c] = inStd * normal(rng);
    wx.set(recurrentBlock(spec, rng), ni * n);
  },

  createCache({ hidden: n, inputs: ni }, batch) {
    const h = new Float32Array(batch * n);
    return { xin: new Float32Array(batch * (ni + n)), act: new Float32Array(batch * n), state: h, h };
  },

  createScratch({ hidden: n }, batch) {
    // Batches step through the SIMD kernel; a single state (the controller, also in a browser's main
    // thread, where large wasm modules cannot be compiled synchronously) through the loop below.
    if (batch < 2) return { a: new Float32Array(batch * n), simd: null };
    const bn = batch * n;
    const { kernels: kernel, arrays } = createKernelArena(KERNELS, [bn, n, bn, bn, bn, bn]);
    const [a, bias, noise, hPrev, act, h] = arrays;
    return { a: a.view, simd: { kernel, a, bias, noise, hPrev, act, h } };
  },

  forward(spec, params, matmul, hPrev, x, batch, cache, { a, simd }, noise) {
    const { hidden: n, inputs: ni } = spec;
    const alpha = spec.dt / spec.tau;
    const keep = 1 - alpha;
    // φ called directly on a flag fixed per call (a closure per call costs each of its calls).
    const relu = spec.activation === 'relu';
    concatRows(x, ni, hPrev, n, n, batch, cache.xin);
    matmul(cache.xin, batch, ni + n, 'Wx', a);
    const bias = params.b.data;
    const { act, h } = cache;
    if (simd) {
      const count = batch * n;
      simd.bias.view.set(bias);
      if (noise) simd.noise.view.set(noise.subarray(0, count));
      simd.hPrev.view.set(hPrev.subarray(0, count));
      const kernel = simd.kernel[(relu ? 'relu' : 'tanh') + (noise ? 'Noisy' : '')];
      kernel(simd.a.at, simd.bias.at, simd.noise.at, simd.hPrev.at, simd.act.at, simd.h.at, keep, alpha, batch, n);
      act.set(simd.act.view);
      h.set(simd.h.view);
      return;
    }
    for (let b = 0; b < batch; b++) {
      const o = b * n;
      for (let j = 0; j < n; j++) {
        let pre = a[o + j] + bias[j];
        if (noise) pre += noise[o + j];
        const r = relu ? (pre > 0 ? pre : 0) : tanh32(pre);
        act[o + j] = r;
        h[o + j] = keep * hPrev[o + j] + alpha * r;
      }
    }
  },

  createTape({ hidden: n, inputs: ni }, batch, steps) {
    let simd: RnnBackwardKernel | null = null;
    if (batch >= 2) {
      const bn = batch * n;
      const { kernels: kernel, arrays } = createKernelArena(KERNELS, [bn, bn, bn]);
      const [gh, act, gA] = arrays;
      simd = { kernel, gh, act, gA };
    }
    const product = createRowsProduct(ni + n, steps * batch, n);
    return { gA: product.b.view, product, gin: new Float32Array(batch * (ni + n)), simd };
  },

  backward(spec, ops, tape, t, batch, _hPrev, cache, gh, gPrev, gx) {
    const { hidden: n, inputs: ni } = spec;
    const alpha = spec.dt / spec.tau;
    const keep = 1 - alpha;
    // φ′ written inline (1 − y² for tanh, [y > 0] for relu: slopeOf's) on a flag fixed per call.
    const relu = spec.activation === 'relu';
    const w = ni + n;
    const r = cache.act;
    const gA = tape.gA;
    const from = t * batch * n;
    const count = batch * n;
    const simd = tape.simd;
    if (simd) {
      simd.gh.view.set(gh.subarray(0, count));
      simd.act.view.set(r);
      simd.kernel[relu ? 'reluBackward' : 'tanhBackward'](simd.gh.at, simd.act.at, simd.gA.at, alpha, batch, n);
      gA.set(simd.gA.view, from);
    } else if (relu) for (let i = 0; i < count; i++) gA[from + i] = alpha * gh[i] * (r[i] > 0 ? 1 : 0);
    else
      for (let i = 0; i < count; i++) {
        const y = r[i];
        gA[from + i] = alpha * gh[i] * (1 - y * y);
      }
    ops.matmul(gA.subarray(from, from + count), batch, n, 'WxT', tape.gin);
    const gin = tape.gin;
    for (let b = 0; b < batch; b++) {
      const o = b * w;
      const oh = b * n;
      const ox = b * ni;
      for (let j = 0; j < n; j++) gPrev[oh + j] = keep * gh[oh + j] + gin[o + ni + j];
      for (let c = 0; c < ni; c++) gx[ox + c] = gin[o + c];
    }
    tape.product.a.view.set(cache.xin, t * batch * w);
  },

  finish(tape, grads) {
    tape.product.addColumnSums(grads.b);
    tape.product.run();
    grads.Wx.set(tape.product.out.view);
  },

  stepMap(spec, params, input) {
    const { hidden: n, inputs: ni } = spec;
    const alpha = spec.dt / spec.tau;
    const phi = activationOf(spec);
    const slope = slopeOf(spec);
    const wx = params.Wx.data;
    // Recurrent block stored [from, to]: pre_j = Σ_i h_i·R[i, j] + c_j.
    const rec = Float64Array.from(wx.subarray(ni * n, (ni + n) * n));
    const c = inputDrive(wx, params.b.data, input, ni, n);
    const pre = new Float64Array(n);
    return {
      n,
      dt: spec.dt,
      evaluate(h, out, jac) {
        recurrentDrive(c, h, rec, n, n, pre);
        for (let j = 0; j < n; j++) {
          const y = phi(pre[j]);
          out[j] = (1 - alpha) * h[j] + alpha * y;
          pre[j] = alpha * slope(y);
        }
        if (!jac) return;
        for (let j = 0; j < n; j++) {
          const g = pre[j];
          const row = j * n;
          for (let i = 0; i < n; i++) jac[row + i] = g * rec[i * n + j];
          jac[row + j] += 1 - alpha;
        }
      },
    };
  },
};
