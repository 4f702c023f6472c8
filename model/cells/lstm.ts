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
import { activationOf, addColumnSums, concatRows, initRecurrentGates, inputDrive, recurrentDrive, sigmoid, sigmoid32, slopeOf, tanh32, transposeInto } from './common.ts';

interface LstmCache extends StepCache {
  /** [x, h_prev] rows: [batch, inputs + hidden]. */
  xin: Float32Array;
  /** Gates i, f, g, o side by side: [batch, 4·hidden]. */
  act: Float32Array;
  /** φ(c): [batch, hidden]. */
  phiC: Float32Array;
}

interface LstmTape {
  /** ∂L/∂(gate pre-activations) per step: [steps·batch, 4·hidden]. */
  gA: Float32Array;
  /** [x, h_prev] transposed over the episode: [inputs + hidden, steps·batch]. */
  inT: Float32Array;
  /** ∂L/∂[x, h_prev] of one step: [batch, inputs + hidden]. */
  gin: Float32Array;
}

export const lstmCell: Cell<LstmCache, Float32Array, LstmTape> = {
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
    return new Float32Array(batch * 4 * n);
  },

  forward(spec, params, matmul, sPrev, x, batch, cache, a, noise) {
    const { hidden: n, inputs: ni } = spec;
    // φ called directly on a flag fixed per call (a closure per call costs each of its calls).
    const relu = spec.activation === 'relu';
    const n2 = 2 * n;
    const n4 = 4 * n;
    concatRows(x, ni, sPrev, n2, n, batch, cache.xin);
    matmul(cache.xin, batch, ni + n, 'Wx', a);
    const bias = params.b.data;
    const { act, phiC, state, h } = cache;
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
    return { gA: new Float32Array(steps * batch * 4 * n), inT: new Float32Array((ni + n) * steps * batch), gin: new Float32Array(batch * (ni + n)) };
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
    ops.matmul(gA.subarray(t * batch * n4, (t + 1) * batch * n4), batch, n4, 'WxT', tape.gin);
    const gin = tape.gin;
    for (let b = 0; b < batch; b++) {
      const o = b * w;
      const o2 = b * n2;
      const ox = b * ni;
      for (let j = 0; j < n; j++) gPrev[o2 + j] = gin[o + ni + j];
      for (let c = 0; c < ni; c++) gx[ox + c] = gin[o + c];
    }
    transposeInto(cache.xin, w, batch, t, tape.inT, gA.length / n4);
  },

  finish({ hidden: n, inputs: ni }, ops, tape, batch, steps, grads) {
    addColumnSums(tape.gA, steps * batch, 4 * n, grads.b);
    ops.product(tape.inT, ni + n, steps * batch, tape.gA, 4 * n, grads.Wx);
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
