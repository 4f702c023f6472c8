import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { CELL_KINDS, cellOf } from '../../model/cells/index.ts';
import { findFixedPoints, stepMap } from '../../model/fixed-points.ts';
import { initParams, jsMatmul, networkSpecSchema, paramShapes, stateSize, type NetworkParams, type NetworkSpec } from '../../model/network.ts';

function zeroParams(spec: NetworkSpec): NetworkParams {
  const out: NetworkParams = {};
  for (const [name, shape] of Object.entries(paramShapes(spec))) out[name] = { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
  return out;
}

/** One batched float32 step of `spec`'s cell from states `s` ([batch, stateSize]) on inputs `x`. */
function batchedStep(spec: NetworkSpec, params: NetworkParams, s: Float32Array, x: Float32Array, batch: number) {
  const cell = cellOf(spec);
  const cache = cell.createCache(spec, batch);
  cell.forward(spec, params, jsMatmul(params), s, x, batch, cache, cell.createScratch(spec, batch));
  return cache;
}

const variants = CELL_KINDS.flatMap((kind) => (['tanh', 'relu'] as const).map((activation) => ({ kind, activation })));

describe('every cell: the float64 step map is the float32 batched step', () => {
  for (const { kind, activation } of variants) {
    it(`${kind} (${activation}): F(s) equals each row of a batch-3 forward step`, () => {
      const spec = networkSpecSchema.parse({ kind, activation, hidden: 10, inputs: 3, gain: 1.3 });
      const rng = createRng(21);
      const params = initParams(spec, rng);
      const S = stateSize(spec);
      const batch = 3;
      // relu cells have unbounded states: draw them non-negative where the cell expects outputs of φ.
      const s = Float32Array.from({ length: batch * S }, () => uniformIn(rng, activation === 'relu' ? 0 : -0.9, 0.9));
      const x = Float32Array.from({ length: batch * 3 }, () => uniformIn(rng, -1, 1));
      const cache = batchedStep(spec, params, s, x, batch);
      expect(cache.state.length).toBe(batch * S);
      for (let b = 0; b < batch; b++) {
        const out = new Float64Array(S);
        stepMap(spec, params, x.subarray(b * 3, b * 3 + 3)).evaluate(Float64Array.from(s.subarray(b * S, (b + 1) * S)), out);
        for (let j = 0; j < S; j++) expect(out[j]).toBeCloseTo(cache.state[b * S + j], 5);
        // The output h is the first block of the state.
        for (let j = 0; j < 10; j++) expect(cache.h[b * 10 + j]).toBe(cache.state[b * S + j]);
      }
    });
  }

  it('the analytic Jacobian of every step map matches central finite differences', () => {
    for (const { kind, activation } of variants) {
      const spec = networkSpecSchema.parse({ kind, activation, hidden: 5, inputs: 3, tau: 0.05, dt: 0.01 });
      const p = zeroParams(spec);
      const rng = createRng(31);
      for (const param of Object.values(p)) for (let i = 0; i < param.data.length; i++) param.data[i] = uniformIn(rng, -0.8, 0.8);
      const map = stepMap(spec, p, [0.2, -0.4, 1]);
      const n = map.n;
      expect(n).toBe(stateSize(spec));
      const s = Float64Array.from({ length: n }, () => uniformIn(rng, -0.9, 0.9));
      const jac = new Float64Array(n * n);
      map.evaluate(s, new Float64Array(n), jac);
      const plus = new Float64Array(n);
      const minus = new Float64Array(n);
      const eps = 1e-6;
      for (let i = 0; i < n; i++) {
        const sp = Float64Array.from(s);
        const sm = Float64Array.from(s);
        sp[i] += eps;
        sm[i] -= eps;
        map.evaluate(sp, plus);
        map.evaluate(sm, minus);
        // relu kinks are measure-zero: random states sit on them with probability 0.
        for (let j = 0; j < n; j++) expect(jac[j * n + i], `${kind}/${activation} ∂F${j}/∂s${i}`).toBeCloseTo((plus[j] - minus[j]) / (2 * eps), 7);
      }
    }
  });
});

/** An LSTM whose gates are pinned by ±50 biases (σ(50) = 1 and σ(−50) = 0 in float32). */
function pinnedLstm(hidden: number, inputs: number, gates: { i: number; f: number; o: number }) {
  const spec = networkSpecSchema.parse({ kind: 'lstm', hidden, inputs });
  const p = zeroParams(spec);
  const n = hidden;
  p.b.data.fill(gates.i, 0, n);
  p.b.data.fill(gates.f, n, 2 * n);
  p.b.data.fill(gates.o, 3 * n, 4 * n);
  return { spec, p };
}

describe('LSTM (Hochreiter & Schmidhuber 1997; Gers et al. 2000)', () => {
  it('with the forget gate fixed open and no input gate, c integrates the candidate: c_T = Σ_t tanh(U_g x_t + b_g), h_T = tanh(c_T)', () => {
    const n = 3;
    const ni = 2;
    const { spec, p } = pinnedLstm(n, ni, { i: 50, f: 50, o: 50 });
    const rng = createRng(8);
    const ug = Array.from({ length: ni * n }, () => uniformIn(rng, -0.5, 0.5));
    for (let k = 0; k < ni; k++) for (let j = 0; j < n; j++) p.Wx.data[k * 4 * n + 2 * n + j] = ug[k * n + j];
    for (let j = 0; j < n; j++) p.b.data[2 * n + j] = uniformIn(rng, -0.2, 0.2);
    const T = 60;
    let s = new Float32Array(2 * n);
    const sum = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      const x = Float32Array.from({ length: ni }, () => uniformIn(rng, -1, 1));
      for (let j = 0; j < n; j++) sum[j] += Math.tanh(x[0] * ug[j] + x[1] * ug[n + j] + p.b.data[2 * n + j]);
      s = Float32Array.from(batchedStep(spec, p, s, x, 1).state);
    }
    for (let j = 0; j < n; j++) {
      expect(s[n + j]).toBeCloseTo(sum[j], 4);
      expect(s[j]).toBeCloseTo(Math.tanh(sum[j]), 5);
    }
  });

  it('initialises the forget-gate bias to forgetBias (1 by default) and the other biases to 0', () => {
    for (const forgetBias of [undefined, 2.5]) {
      const spec = networkSpecSchema.parse({ kind: 'lstm', hidden: 4, inputs: 3, ...(forgetBias === undefined ? {} : { forgetBias }) });
      const b = initParams(spec, createRng(1)).b.data;
      expect(Array.from(b.subarray(4, 8))).toEqual([1, 1, 1, 1].map((v) => (forgetBias === undefined ? v : forgetBias)));
      expect(Array.from(b.subarray(0, 4)).concat(Array.from(b.subarray(8)))).toEqual(new Array(12).fill(0));
    }
  });

  it('with recurrent weights zero the unique fixed point is c* = i·g/(1 − f), h* = o·tanh(c*), with eigenvalues f (c) and 0 (h)', () => {
    const n = 3;
    const spec = networkSpecSchema.parse({ kind: 'lstm', hidden: n, inputs: 2 });
    const p = zeroParams(spec);
    const rng = createRng(12);
    for (let k = 0; k < 2 * 4 * n; k++) p.Wx.data[k] = uniformIn(rng, -1, 1);
    for (let k = 0; k < 4 * n; k++) p.b.data[k] = uniformIn(rng, -0.5, 0.5);
    const x = [0.4, -0.6];
    const pre = (g: number, j: number) => x[0] * p.Wx.data[g * n + j] + x[1] * p.Wx.data[4 * n + g * n + j] + p.b.data[g * n + j];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const starts = Float64Array.from({ length: 6 * 2 * n }, () => uniformIn(rng, -1, 1));
    const fixed = findFixedPoints(spec, p, x, starts).points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(1);
    const f = [0, 1, 2].map((j) => sig(pre(1, j)));
    for (let j = 0; j < n; j++) {
      const c = (sig(pre(0, j)) * Math.tanh(pre(2, j))) / (1 - f[j]);
      expect(fixed[0].state[n + j]).toBeCloseTo(c, 9);
      expect(fixed[0].state[j]).toBeCloseTo(sig(pre(3, j)) * Math.tanh(c), 9);
    }
    const expected = [...f, 0, 0, 0].sort((a, b) => b - a);
    expected.forEach((v, i) => expect(Math.hypot(fixed[0].eigenvalues.re[i], fixed[0].eigenvalues.im[i])).toBeCloseTo(v, 9));
    expect(fixed[0].stable).toBe(true);
  });

  it('a planted bistable unit (i, o open, f shut, g = tanh(2h)) has fixed points h = tanh(tanh(2h)): 0 unstable, ±h* stable', () => {
    // Two units; only the first excites itself (the second rests at h = c = 0).
    const n = 2;
    const { spec, p } = pinnedLstm(n, 1, { i: 50, f: -50, o: 50 });
    // g of unit 0 from h_0: row 1 of Wx (after the one input row), column 2n + 0 of the [i, f, g, o] blocks.
    p.Wx.data[1 * 4 * n + 2 * n] = 2;
    const search = findFixedPoints(spec, p, [0], Float64Array.from({ length: 4 * 20 }, (_, k) => Math.sin(1.7 * k + 0.3) * 1.2));
    const fixed = search.points.filter((q) => q.isFixedPoint);
    expect(fixed.length).toBe(3);
    let lo = 0.5;
    let hi = 1;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (Math.tanh(Math.tanh(2 * mid)) > mid) lo = mid;
      else hi = mid;
    }
    const hStar = lo;
    for (const h of [-hStar, 0, hStar]) {
      const m = fixed.find((q) => Math.abs(q.state[0] - h) < 1e-8);
      expect(m, `fixed point h = ${h}`).toBeDefined();
      // c* = tanh(2h*) and h* = tanh(c*); the second unit at rest.
      expect(m!.state[n]).toBeCloseTo(Math.tanh(2 * h), 8);
      expect(Math.abs(m!.state[1]) + Math.abs(m!.state[n + 1])).toBeLessThan(1e-9);
      // ∂h′/∂h = tanh′(c)·2·tanh′(2h) = 2(1 − h²)(1 − c²); every other entry of the Jacobian's first column and all of c's are 0.
      const c = Math.tanh(2 * h);
      expect(m!.maxAbsEigenvalue).toBeCloseTo(2 * (1 - c * c) * (1 - h * h), 8);
      expect(m!.stable).toBe(h !== 0);
    }
  });
});
