/**
 * GRU (Cho et al. 2014, PyTorch/MotorNet convention):
 *   r = σ(U_r x + W_r h + b_r), z = σ(U_z x + W_z h + b_z),
 *   n = φ(U_n x + b_in + r ∘ (W_n h + b_hn)),  h ← (1−z) ∘ n + z ∘ h,   φ = tanh (or relu).
 * Wx: [inputs, 3·hidden] and Wh: [hidden, 3·hidden] hold the (r, z, n) blocks side by side; b: [3·hidden]
 * (input side), bh: [hidden] (b_hn). The reset gate multiplies W_n h + b_hn only, so the input and
 * recurrent products stay separate: two products per step each way.
 */
import { normal } from '../../core/random.ts';
import type { NetworkSpec } from '../network.ts';
import { H_ONLY, type Cell, type StepCache } from './cell.ts';
import { activationOf, initRecurrentGates, inputDrive, sigmoid, sigmoid32, slopeOf, tanh32 } from './common.ts';
import { productModule, rowsProductLengths, rowsProductOver, type RowsProduct } from './products.ts';
import { activationKernels, array, createKernelArena, kernelModuleOf, sharedArena, type Kernel, type KernelSpec, type Staged } from './simd.ts';

interface GruCache extends StepCache {
  /** Inputs x: [batch, inputs]. */
  xin: Float32Array;
  /** r, z and n side by side: [batch, 3·hidden]. */
  act: Float32Array;
  /** W_n h + b_hn: [batch, hidden]. */
  hn: Float32Array;
}

/** The two products' outputs (input and recurrent side), and for batches the SIMD kernel with its arrays in the kernel's memory. */
interface GruScratch {
  gx: Float32Array;
  gh: Float32Array;
  simd: GruForwardKernel | null;
}

interface GruForwardKernel {
  kernel: Record<string, Kernel>;
  gx: Staged;
  gh: Staged;
  bx: Staged;
  bhn: Staged;
  noise: Staged;
  hPrev: Staged;
  act: Staged;
  hn: Staged;
  h: Staged;
}

/** The backward kernel's own arrays; it reads h_prev from, and writes ∂L/∂pre-activations into, the tapes' rows of the step. */
interface GruBackwardKernel {
  kernel: Record<string, Kernel>;
  act: Staged;
  hn: Staged;
  gh: Staged;
  gbh: Staged;
  gPrev: Staged;
}

// The forward and backward loops below as SIMD kernels (cells/simd.ts): same operations, same order.
const forwardKernel = (name: string, relu: boolean, noisy: boolean): KernelSpec => ({
  name,
  // 0–2 gx (r, z, n), 3–5 gh, 6–8 b, 9 b_hn, 10 noise, 11 hPrev → 12–14 act, 15 hn, 16 h.
  arrays: [array(3, 3), array(3, 3), array(0, 3), array(0), array(1), array(1), array(3, 3), array(1), array(1)],
  body(k) {
    const r = k.let(k.sigmoid(k.add(k.add(k.load(0), k.load(6)), k.load(3))));
    const z = k.let(k.sigmoid(k.add(k.add(k.load(1), k.load(7)), k.load(4))));
    const hn = k.let(k.add(k.load(5), k.load(9)));
    let pre = k.add(k.add(k.load(2), k.load(8)), k.mul(r, hn));
    if (noisy) pre = k.add(pre, k.load(10));
    const c = k.let(relu ? k.relu(pre) : k.tanh(pre));
    k.store(12, r);
    k.store(13, z);
    k.store(14, c);
    k.store(15, hn);
    k.store(16, k.add(k.mul(k.sub(k.c(1), z), c), k.mul(z, k.load(11))));
  },
});
const backwardKernel = (name: string, relu: boolean): KernelSpec => ({
  name,
  // 0–2 act (r, z, n), 3 hn, 4 ∂L/∂h, 5 hPrev → 6–8 gX, 9–11 gH, 12 gbh (accumulated), 13 gPrev.
  arrays: [array(3, 3), array(1), array(1), array(1), array(3, 3), array(3, 3), array(0), array(1)],
  body(k) {
    const r = k.let(k.load(0));
    const z = k.let(k.load(1));
    const c = k.let(k.load(2));
    const ghv = k.let(k.load(4));
    const gpn = k.let(k.mul(k.mul(ghv, k.sub(k.c(1), z)), relu ? k.step(c) : k.sub(k.c(1), k.mul(c, c))));
    const gpr = k.let(k.mul(k.mul(k.mul(gpn, k.load(3)), r), k.sub(k.c(1), r)));
    const gpz = k.let(k.mul(k.mul(k.mul(ghv, k.sub(k.load(5), c)), z), k.sub(k.c(1), z)));
    const ghn = k.let(k.mul(gpn, r));
    k.store(6, gpr);
    k.store(7, gpz);
    k.store(8, gpn);
    k.store(9, gpr);
    k.store(10, gpz);
    k.store(11, ghn);
    k.store(12, k.add(k.load(12), ghn));
    k.store(13, k.mul(ghv, z));
  },
});
const KERNELS = activationKernels(forwardKernel, backwardKernel);

interface GruTape {
  /** ∂L/∂(input-side pre-activations): [steps·batch, 3·hidden] (b of `inputSide`). */
  gX: Float32Array;
  /** ∂L/∂(recurrent-side pre-activations): [steps·batch, 3·hidden] (b of `recurrentSide`). */
  gH: Float32Array;
  /** Input rows x of every step and gX: ∂L/∂Wx = Σ xᵀ·gX. */
  inputSide: RowsProduct;
  /** Previous-state rows h_prev of every step and gH: ∂L/∂Wh = Σ h_prevᵀ·gH. */
  recurrentSide: RowsProduct;
  /** ∂L/∂h_prev through W_h of one step: [batch, hidden]. */
  ghp: Float32Array;
  simd: GruBackwardKernel | null;
}

export const gruCell: Cell<GruCache, GruScratch, GruTape> = {
  stateParts: H_ONLY,
  matrices: ['Wx', 'Wh'],

  paramShapes({ hidden: n, inputs: i }: NetworkSpec) {
    return { Wx: [i, 3 * n], Wh: [n, 3 * n], b: [3 * n], bh: [n] };
  },

  recurrentRows({ hidden: n }: NetworkSpec) {
    return [{ name: 'Wh', rows: [0, n] }];
  },

  init(spec, params, rng) {
    const inStd = spec.inputScale / Math.sqrt(spec.inputs);
    const wx = params.Wx.data;
    for (let i = 0; i < wx.length; i++) wx[i] = inStd * normal(rng);
    initRecurrentGates(spec, params.Wh.data, 0, 3, rng);
  },

  createCache({ hidden: n, inputs: ni }, batch) {
    const h = new Float32Array(batch * n);
    return { xin: new Float32Array(batch * ni), act: new Float32Array(batch * 3 * n), hn: new Float32Array(batch * n), state: h, h };
  },

  createScratch({ hidden: n }, batch) {
    // Batches step through the SIMD kernel; a single state (the controller, also in a browser's main
    // thread, where large wasm modules cannot be compiled synchronously) through the loop below.
    if (batch < 2) return { gx: new Float32Array(batch * 3 * n), gh: new Float32Array(batch * 3 * n), simd: null };
    const bn = batch * n;
    const { kernels: kernel, arrays } = createKernelArena(KERNELS, [3 * bn, 3 * bn, 3 * n, n, bn, bn, 3 * bn, bn, bn]);
    const [gx, gh, bx, bhn, noise, hPrev, act, hn, h] = arrays;
    return { gx: gx.view, gh: gh.view, simd: { kernel, gx, gh, bx, bhn, noise, hPrev, act, hn, h } };
  },

  forward(spec, params, matmul, hPrev, x, batch, cache, { gx, gh, simd }, noise) {
    const { hidden: n, inputs: ni } = spec;
    // φ called directly on a flag fixed per call (a closure per call costs each of its calls).
    const relu = spec.activation === 'relu';
    const n3 = 3 * n;
    cache.xin.set(x.subarray(0, batch * ni));
    matmul(cache.xin, batch, ni, 'Wx', gx);
    matmul(hPrev, batch, n, 'Wh', gh);
    const bx = params.b.data;
    const bhn = params.bh.data;
    const { act, hn, h } = cache;
    if (simd) {
      const bn = batch * n;
      simd.bx.view.set(bx);
      simd.bhn.view.set(bhn);
      if (noise) simd.noise.view.set(noise.subarray(0, bn));
      simd.hPrev.view.set(hPrev.subarray(0, bn));
      const s = simd;
      s.kernel[(relu ? 'relu' : 'tanh') + (noise ? 'Noisy' : '')](s.gx.at, s.gh.at, s.bx.at, s.bhn.at, s.noise.at, s.hPrev.at, s.act.at, s.hn.at, s.h.at, batch, n);
      act.set(s.act.view);
      hn.set(s.hn.view);
      h.set(s.h.view);
      return;
    }
    for (let b = 0; b < batch; b++) {
      const o3 = b * n3;
      const o = b * n;
      for (let j = 0; j < n; j++) {
        const r = sigmoid32(gx[o3 + j] + bx[j] + gh[o3 + j]);
        const zg = sigmoid32(gx[o3 + n + j] + bx[n + j] + gh[o3 + n + j]);
        const hnj = gh[o3 + 2 * n + j] + bhn[j];
        let pre = gx[o3 + 2 * n + j] + bx[2 * n + j] + r * hnj;
        if (noise) pre += noise[o + j];
        const c = relu ? (pre > 0 ? pre : 0) : tanh32(pre);
        act[o3 + j] = r;
        act[o3 + n + j] = zg;
        act[o3 + 2 * n + j] = c;
        hn[o + j] = hnj;
        h[o + j] = (1 - zg) * c + zg * hPrev[o + j];
      }
    }
  },

  createTape({ hidden: n, inputs: ni }, batch, steps) {
    const tb = steps * batch;
    const bn = batch * n;
    // Batches step back through the SIMD kernel, instantiated over the tapes' memory so that it reads and
    // writes their rows in place; a single state through the loop below (no kernel module compiled).
    const simd = batch >= 2;
    const { kernels, arrays } = sharedArena(simd ? [productModule(), kernelModuleOf(KERNELS)] : [productModule()], [
      ...rowsProductLengths(ni, tb, 3 * n),
      ...rowsProductLengths(n, tb, 3 * n),
      ...(simd ? [3 * bn, bn, bn, n, bn] : []),
    ]);
    const inputSide = rowsProductOver(kernels[0], arrays.slice(0, 4), ni, tb, 3 * n);
    const recurrentSide = rowsProductOver(kernels[0], arrays.slice(4, 8), n, tb, 3 * n);
    const [act, hn, gh, gbh, gPrev] = arrays.slice(8);
    return {
      gX: inputSide.b.view,
      gH: recurrentSide.b.view,
      inputSide,
      recurrentSide,
      ghp: new Float32Array(bn),
      simd: simd ? { kernel: kernels[1], act, hn, gh, gbh, gPrev } : null,
    };
  },

  backward(spec, ops, tape, t, batch, hPrev, cache, gh, gPrev, gx, grads) {
    const { hidden: n, inputs: ni } = spec;
    // φ′ written inline (1 − y² for tanh, [y > 0] for relu: slopeOf's) on a flag fixed per call.
    const relu = spec.activation === 'relu';
    const n3 = 3 * n;
    const { act, hn } = cache;
    const from = t * batch * n3;
    const gX = tape.gX;
    const gH = tape.gH;
    const gbh = grads.bh;
    const simd = tape.simd;
    // The step's rows of the weight-gradient tapes: its inputs and previous states.
    const row = t * batch;
    tape.inputSide.a.view.set(cache.xin, row * ni);
    tape.recurrentSide.a.view.set(hPrev.subarray(0, batch * n), row * n);
    if (simd) {
      const bn = batch * n;
      simd.act.view.set(act);
      simd.hn.view.set(hn);
      simd.gh.view.set(gh.subarray(0, bn));
      simd.gbh.view.set(gbh);
      const s = simd;
      const { inputSide: xs, recurrentSide: hs } = tape;
      s.kernel[relu ? 'reluBackward' : 'tanhBackward'](s.act.at, s.hn.at, s.gh.at, hs.a.at + 4 * row * n, xs.b.at + 4 * from, hs.b.at + 4 * from, s.gbh.at, s.gPrev.at, batch, n);
      gbh.set(s.gbh.view);
      gPrev.set(s.gPrev.view);
    } else {
      for (let b = 0; b < batch; b++) {
        const o3 = b * n3;
        const a3 = from + o3;
        const o = b * n;
        for (let j = 0; j < n; j++) {
          const r = act[o3 + j];
          const z = act[o3 + n + j];
          const c = act[o3 + 2 * n + j];
          const ghv = gh[o + j];
          const gpn = ghv * (1 - z) * (relu ? (c > 0 ? 1 : 0) : 1 - c * c);
          const gpr = gpn * hn[o + j] * r * (1 - r);
          const gpz = ghv * (hPrev[o + j] - c) * z * (1 - z);
          const ghn = gpn * r;
          gX[a3 + j] = gpr;
          gX[a3 + n + j] = gpz;
          gX[a3 + 2 * n + j] = gpn;
          gH[a3 + j] = gpr;
          gH[a3 + n + j] = gpz;
          gH[a3 + 2 * n + j] = ghn;
          gbh[j] += ghn;
          gPrev[o + j] = ghv * z;
        }
      }
    }
    ops.matmul(gX.subarray(from, from + batch * n3), batch, n3, 'WxT', gx);
    const ghp = tape.ghp;
    ops.matmul(gH.subarray(from, from + batch * n3), batch, n3, 'WhT', ghp);
    for (let i = 0; i < batch * n; i++) gPrev[i] += ghp[i];
  },

  finish(tape, grads) {
    tape.inputSide.addColumnSums(grads.b);
    tape.inputSide.run();
    grads.Wx.set(tape.inputSide.out.view);
    tape.recurrentSide.run();
    grads.Wh.set(tape.recurrentSide.out.view);
  },

  stepMap(spec, params, input) {
    const { hidden: n, inputs: ni } = spec;
    const phi = activationOf(spec);
    const slope = slopeOf(spec);
    const n3 = 3 * n;
    const wh = Float64Array.from(params.Wh.data);
    const gx = inputDrive(params.Wx.data, params.b.data, input, ni, n3);
    const bhn = Float64Array.from(params.bh.data);
    const gh = new Float64Array(n3);
    const rg = new Float64Array(n);
    const zg = new Float64Array(n);
    const cg = new Float64Array(n);
    const hn = new Float64Array(n);
    return {
      n,
      dt: spec.dt,
      evaluate(h, out, jac) {
        gh.fill(0);
        for (let i = 0; i < n; i++) {
          const hi = h[i];
          if (hi === 0) continue;
          const o = i * n3;
          for (let j = 0; j < n3; j++) gh[j] += hi * wh[o + j];
        }
        for (let j = 0; j < n; j++) {
          rg[j] = sigmoid(gx[j] + gh[j]);
          zg[j] = sigmoid(gx[n + j] + gh[n + j]);
          hn[j] = gh[2 * n + j] + bhn[j];
          cg[j] = phi(gx[2 * n + j] + rg[j] * hn[j]);
          out[j] = (1 - zg[j]) * cg[j] + zg[j] * h[j];
        }
        if (!jac) return;
        // ∂h'_j/∂h_i = (h_j − n_j)·z_j(1−z_j)·Wz[i,j] + (1−z_j)φ′_j·(r_j(1−r_j)·Wr[i,j]·hn_j + r_j·Wn[i,j]) + z_j·δ_ij.
        for (let j = 0; j < n; j++) {
          const dz = (h[j] - cg[j]) * zg[j] * (1 - zg[j]);
          const dc = (1 - zg[j]) * slope(cg[j]);
          const dr = dc * rg[j] * (1 - rg[j]) * hn[j];
          const dn = dc * rg[j];
          const row = j * n;
          for (let i = 0; i < n; i++) {
            const o = i * n3;
            jac[row + i] = dz * wh[o + n + j] + dr * wh[o + j] + dn * wh[o + 2 * n + j];
          }
          jac[row + j] += zg[j];
        }
      },
    };
  },
};
