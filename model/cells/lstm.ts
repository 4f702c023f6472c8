/**
 * LSTM (Hochreiter & Schmidhuber 1997; forget gate of Gers et al. 2000; PyTorch gate order i, f, g, o):
 *   [i, f, g, o] = [σ, σ, φ, σ]([x, h] · Wx + b),   c ← f ∘ c + i ∘ g,   h ← o ∘ φ(c),
 * φ = tanh (or relu, the founding sketch's option). Its state is (h, c), a row [h, c] of 2·hidden;
 * the readout sees h. Wx: [inputs + hidden, 4·hidden] (rows 0..inputs−1 from x, the rest from h, gate
 * blocks side by side), so a step is one product forward and one backward, like the leaky RNN.
 * The forget-gate bias starts at `forgetBias` (1 by default, Jozefowicz et al. 2015) so that c is
 * remembered, and gradients flow back, from the first iteration.
 */
import { normal } from '../../core/random.ts';
import type { NetworkSpec } from '../network.ts';
import type { Cell, StepCache } from './cell.ts';
import { activationOf, concatRows, initRecurrentGates, inputDrive, recurrentDrive, sigmoid, sigmoid32, slopeOf, tanh32 } from './common.ts';
import { productModule, rowsProductLengths, rowsProductOver, type RowsProduct } from './products.ts';
import { activationKernels, array, createKernelArena, kernelModuleOf, sharedArena, type Kernel, type KernelSpec, type Staged } from './simd.ts';

interface LstmCache extends StepCache {
  /** [x, h_prev] rows: [batch, inputs + hidden]. */
  xin: Float32Array;
  /** Gates i, f, g, o side by side: [batch, 4·hidden]. */
  act: Float32Array;
  /** φ(c): [batch, hidden]. */
  phiC: Float32Array;
}

/** The gates' pre-activations (the product's output), and for batches the SIMD kernel with its arrays in the kernel's memory. */
interface LstmScratch {
  a: Float32Array;
  simd: LstmForwardKernel | null;
}

interface LstmForwardKernel {
  kernel: Record<string, Kernel>;
  a: Staged;
  bias: Staged;
  noise: Staged;
  sPrev: Staged;
  act: Staged;
  phiC: Staged;
  h: Staged;
  state: Staged;
}

/** The backward kernel's own arrays; it writes ∂L/∂(gate pre-activations) into the tape's rows of the step. */
interface LstmBackwardKernel {
  kernel: Record<string, Kernel>;
  act: Staged;
  phiC: Staged;
  gs: Staged;
  sPrev: Staged;
  gPrev: Staged;
}

// The forward and backward loops below as SIMD kernels (cells/simd.ts): same operations, same order.
const forwardKernel = (name: string, relu: boolean, noisy: boolean): KernelSpec => ({
  name,
  // 0–3 a (i, f, g, o), 4–7 b, 8 noise, 9 c_prev → 10–13 act, 14 φ(c), 15 h, 16 state h, 17 state c.
  arrays: [array(4, 4), array(0, 4), array(1), array(2, 1, 1), array(4, 4), array(1), array(1), array(2, 2)],
  body(k) {
    const i = k.let(k.sigmoid(k.add(k.load(0), k.load(4))));
    const f = k.let(k.sigmoid(k.add(k.load(1), k.load(5))));
    let pre = k.add(k.load(2), k.load(6));
    if (noisy) pre = k.add(pre, k.load(8));
    const g = k.let(relu ? k.relu(pre) : k.tanh(pre));
    const og = k.let(k.sigmoid(k.add(k.load(3), k.load(7))));
    const c = k.let(k.add(k.mul(f, k.load(9)), k.mul(i, g)));
    const y = k.let(relu ? k.relu(c) : k.tanh(c));
    k.store(10, i);
    k.store(11, f);
    k.store(12, g);
    k.store(13, og);
    k.store(14, y);
    const h = k.let(k.mul(og, y));
    k.store(15, h);
    k.store(16, h);
    k.store(17, c);
  },
});
const backwardKernel = (name: string, relu: boolean): KernelSpec => ({
  name,
  // 0–3 act (i, f, g, o), 4 φ(c), 5 ∂L/∂h, 6 ∂L/∂c, 7 c_prev → 8–11 gA, 12 ∂L/∂c_prev.
  arrays: [array(4, 4), array(1), array(2, 2), array(2, 1, 1), array(4, 4), array(2, 1, 1)],
  body(k) {
    const slope = (v: number[]) => (relu ? k.step(v) : k.sub(k.c(1), k.mul(v, v)));
    const i = k.let(k.load(0));
    const f = k.let(k.load(1));
    const g = k.let(k.load(2));
    const og = k.let(k.load(3));
    const y = k.let(k.load(4));
    const gh = k.let(k.load(5));
    const gc = k.let(k.add(k.load(6), k.mul(k.mul(gh, og), slope(y))));
    k.store(8, k.mul(k.mul(k.mul(gc, g), i), k.sub(k.c(1), i)));
    k.store(9, k.mul(k.mul(k.mul(gc, k.load(7)), f), k.sub(k.c(1), f)));
    k.store(10, k.mul(k.mul(gc, i), slope(g)));
    k.store(11, k.mul(k.mul(k.mul(gh, y), og), k.sub(k.c(1), og)));
    k.store(12, k.mul(gc, f));
  },
});
const KERNELS = activationKernels(forwardKernel, backwardKernel);

interface LstmTape {
  /** ∂L/∂(gate pre-activations) per step: [steps·batch, 4·hidden] (the product's b). */
  gA: Float32Array;
  /** [x, h_prev] rows of every step (its a) and gA: ∂L/∂Wx = Σ [x, h_prev]ᵀ·gA. */
  product: RowsProduct;
  /** ∂L/∂[x, h_prev] of one step: [batch, inputs + hidden]. */
  gin: Float32Array;
  simd: LstmBackwardKernel | null;
}

export const lstmCell: Cell<LstmCache, LstmScratch, LstmTape> = {
  stateParts: [
    { key: 'h', array: 'hidden', description: 'LSTM output h computed from the observation at this sample' },
    { key: 'c', array: 'cell_state', description: 'LSTM cell state c after this sample' },
  ],
  matrices: ['Wx'],

  paramShapes({ hidden: n, inputs: i }: NetworkSpec) {
    return { Wx: [i + n, 4 * n], b: [4 * n] };
  },

  recurrentRows({ hidden: n, inputs: i }: NetworkSpec) {
    return [{ name: 'Wx', rows: [i, i + n] }];
  },

  init(spec, params, rng) {
    const { hidden: n, inputs: ni } = spec;
    const inStd = spec.inputScale / Math.sqrt(ni);
    const wx = params.Wx.data;
    for (let i = 0; i < ni * 4 * n; i++) wx[i] = inStd * normal(rng);
    initRecurrentGates(spec, wx, ni, 4, rng);
    params.b.data.fill(spec.forgetBias, n, 2 * n);
  },

  createCache({ hidden: n, inputs: ni }, batch) {
    return {
      xin: new Float32Array(batch * (ni + n)),
      act: new Float32Array(batch * 4 * n),
      phiC: new Float32Array(batch * n),
      state: new Float32Array(batch * 2 * n),
      h: new Float32Array(batch * n),
    };
  },

  createScratch({ hidden: n }, batch) {
    // Batches step through the SIMD kernel; a single state (the controller, also in a browser's main
    // thread, where large wasm modules cannot be compiled synchronously) through the loop below.
    if (batch < 2) return { a: new Float32Array(batch * 4 * n), simd: null };
    const bn = batch * n;
    const { kernels: kernel, arrays } = createKernelArena(KERNELS, [4 * bn, 4 * n, bn, 2 * bn, 4 * bn, bn, bn, 2 * bn]);
    const [a, bias, noise, sPrev, act, phiC, h, state] = arrays;
    return { a: a.view, simd: { kernel, a, bias, noise, sPrev, act, phiC, h, state } };
  },

  forward(spec, params, matmul, sPrev, x, batch, cache, { a, simd }, noise) {
    const { hidden: n, inputs: ni } = spec;
    // φ called directly on a flag fixed per call (a closure per call costs each of its calls).
    const relu = spec.activation === 'relu';
    const n2 = 2 * n;
    const n4 = 4 * n;
    concatRows(x, ni, sPrev, n2, n, batch, cache.xin);
    matmul(cache.xin, batch, ni + n, 'Wx', a);
    const bias = params.b.data;
    const { act, phiC, state, h } = cache;
    if (simd) {
      const bn = batch * n;
      simd.bias.view.set(bias);
      if (noise) simd.noise.view.set(noise.subarray(0, bn));
      simd.sPrev.view.set(sPrev.subarray(0, 2 * bn));
      const s = simd;
      s.kernel[(relu ? 'relu' : 'tanh') + (noise ? 'Noisy' : '')](s.a.at, s.bias.at, s.noise.at, s.sPrev.at, s.act.at, s.phiC.at, s.h.at, s.state.at, batch, n);
      act.set(s.act.view);
      phiC.set(s.phiC.view);
      h.set(s.h.view);
      state.set(s.state.view);
      return;
    }
    for (let b = 0; b < batch; b++) {
      const o4 = b * n4;
      const o2 = b * n2;
      const o = b * n;
      for (let j = 0; j < n; j++) {
        const i = sigmoid32(a[o4 + j] + bias[j]);
        const f = sigmoid32(a[o4 + n + j] + bias[n + j]);
        let pre = a[o4 + 2 * n + j] + bias[2 * n + j];
        if (noise) pre += noise[o + j];
        const g = relu ? (pre > 0 ? pre : 0) : tanh32(pre);
        const og = sigmoid32(a[o4 + 3 * n + j] + bias[3 * n + j]);
        const c = f * sPrev[o2 + n + j] + i * g;
        const y = relu ? (c > 0 ? c : 0) : tanh32(c);
        act[o4 + j] = i;
        act[o4 + n + j] = f;
        act[o4 + 2 * n + j] = g;
        act[o4 + 3 * n + j] = og;
        phiC[o + j] = y;
        h[o + j] = og * y;
        state[o2 + j] = og * y;
        state[o2 + n + j] = c;
      }
    }
  },

  createTape({ hidden: n, inputs: ni }, batch, steps) {
    const bn = batch * n;
    // Batches step back through the SIMD kernel, instantiated over the tape's memory so that it writes
    // the tape's rows in place; a single state through the loop below (no kernel module compiled).
    const simd = batch >= 2;
    const { kernels, arrays } = sharedArena(simd ? [productModule(), kernelModuleOf(KERNELS)] : [productModule()], [
      ...rowsProductLengths(ni + n, steps * batch, 4 * n),
      ...(simd ? [4 * bn, bn, 2 * bn, 2 * bn, 2 * bn] : []),
    ]);
    const product = rowsProductOver(kernels[0], arrays.slice(0, 4), ni + n, steps * batch, 4 * n);
    const [act, phiC, gs, sPrev, gPrev] = arrays.slice(4);
    return { gA: product.b.view, product, gin: new Float32Array(batch * (ni + n)), simd: simd ? { kernel: kernels[1], act, phiC, gs, sPrev, gPrev } : null };
  },

  backward(spec, ops, tape, t, batch, sPrev, cache, gs, gPrev, gx) {
    const { hidden: n, inputs: ni } = spec;
    // φ′ written inline (1 − y² for tanh, [y > 0] for relu: slopeOf's) on a flag fixed per call.
    const relu = spec.activation === 'relu';
    const n2 = 2 * n;
    const n4 = 4 * n;
    const w = ni + n;
    const { act, phiC } = cache;
    const gA = tape.gA;
    const simd = tape.simd;
    if (simd) {
      const bn = batch * n;
      simd.act.view.set(act);
      simd.phiC.view.set(phiC);
      simd.gs.view.set(gs.subarray(0, 2 * bn));
      simd.sPrev.view.set(sPrev.subarray(0, 2 * bn));
      const s = simd;
      s.kernel[relu ? 'reluBackward' : 'tanhBackward'](s.act.at, s.phiC.at, s.gs.at, s.sPrev.at, tape.product.b.at + 4 * t * batch * n4, s.gPrev.at, batch, n);
      gPrev.set(s.gPrev.view);
    } else {
      for (let b = 0; b < batch; b++) {
        const o4 = b * n4;
        const a4 = (t * batch + b) * n4;
        const o2 = b * n2;
        const o = b * n;
        for (let j = 0; j < n; j++) {
          const i = act[o4 + j];
          const f = act[o4 + n + j];
          const g = act[o4 + 2 * n + j];
          const og = act[o4 + 3 * n + j];
          const y = phiC[o + j];
          const gh = gs[o2 + j];
          // Total ∂L/∂c_t: through h_t = o·φ(c_t) and through c_{t+1} = f·c_t + ….
          const gc = gs[o2 + n + j] + gh * og * (relu ? (y > 0 ? 1 : 0) : 1 - y * y);
          gA[a4 + j] = gc * g * i * (1 - i);
          gA[a4 + n + j] = gc * sPrev[o2 + n + j] * f * (1 - f);
          gA[a4 + 2 * n + j] = gc * i * (relu ? (g > 0 ? 1 : 0) : 1 - g * g);
          gA[a4 + 3 * n + j] = gh * y * og * (1 - og);
          gPrev[o2 + n + j] = gc * f;
        }
      }
    }
    ops.matmul(gA.subarray(t * batch * n4, (t + 1) * batch * n4), batch, n4, 'WxT', tape.gin);
    const gin = tape.gin;
    for (let b = 0; b < batch; b++) {
      const o = b * w;
      const o2 = b * n2;
      const ox = b * ni;
      for (let j = 0; j < n; j++) gPrev[o2 + j] = gin[o + ni + j];
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
    const phi = activationOf(spec);
    const slope = slopeOf(spec);
    const n4 = 4 * n;
    const wx = params.Wx.data;
    const rec = Float64Array.from(wx.subarray(ni * n4, (ni + n) * n4));
    const drive = inputDrive(wx, params.b.data, input, ni, n4);
    const pre = new Float64Array(n4);
    // Per unit j: ∂c'_j/∂pre of gates i, f, g (for the rows of c') and ∂h'_j/∂pre_o, ∂h'_j/∂c'_j.
    const dci = new Float64Array(n);
    const dcf = new Float64Array(n);
    const dcg = new Float64Array(n);
    const dho = new Float64Array(n);
    const dhc = new Float64Array(n);
    const fg = new Float64Array(n);
    const S = 2 * n;
    return {
      n: S,
      dt: spec.dt,
      evaluate(s, out, jac) {
        recurrentDrive(drive, s, rec, n, n4, pre);
        for (let j = 0; j < n; j++) {
          const i = sigmoid(pre[j]);
          const f = sigmoid(pre[n + j]);
          const g = phi(pre[2 * n + j]);
          const o = sigmoid(pre[3 * n + j]);
          const cPrev = s[n + j];
          const c = f * cPrev + i * g;
          const y = phi(c);
          out[j] = o * y;
          out[n + j] = c;
          dci[j] = g * i * (1 - i);
          dcf[j] = cPrev * f * (1 - f);
          dcg[j] = i * slope(g);
          dho[j] = y * o * (1 - o);
          dhc[j] = o * slope(y);
          fg[j] = f;
        }
        if (!jac) return;
        // Rows j (h') and n + j (c'); columns k < n are h, k ≥ n are c (which enters only through f ∘ c).
        jac.fill(0);
        for (let j = 0; j < n; j++) {
          const rowH = j * S;
          const rowC = (n + j) * S;
          for (let k = 0; k < n; k++) {
            const r = k * n4;
            const dc = dci[j] * rec[r + j] + dcf[j] * rec[r + n + j] + dcg[j] * rec[r + 2 * n + j];
            jac[rowC + k] = dc;
            jac[rowH + k] = dho[j] * rec[r + 3 * n + j] + dhc[j] * dc;
          }
          jac[rowC + n + j] = fg[j];
          jac[rowH + n + j] = dhc[j] * fg[j];
        }
      },
    };
  },
};
