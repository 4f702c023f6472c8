/**
 * Batched cell steps run as WebAssembly SIMD kernels (model/cells/simd.ts), single states through the
 * cells' JavaScript loops. Both are the same float64 operations in the same order with float32 stores,
 * so a batch of trials must give, bit for bit, what stepping each trial alone gives: forward state and
 * caches, ∂L/∂state_prev, ∂L/∂x, the bias gradients accumulated per step, and the weight gradients
 * (a one-step episode's are float32 sums over the batch's rows in order, so the trials' own, added
 * trial by trial in float32). Pre-activations span the tanh clamp (|v| > 7.9) and relu's kink; states
 * include ±0 and saturated values; hidden sizes 5–8 (the kernels take two unit pairs at a time, then one pair, then one unit).
 */
import { describe, expect, it } from 'vitest';
import { createRng, uniformIn, type Rng } from '../../core/random.ts';
import { CELL_KINDS, cellOf, type MatOps } from '../../model/cells/index.ts';
import { networkSpecSchema, paramShapes, stateSize, type Matmul, type NetworkParams, type NetworkSpec } from '../../model/network.ts';

/** out = a · W for a parameter W, or its transpose under `<name>T`, in float64 sums rounded once. */
function matmulOf(params: NetworkParams): Matmul {
  return (a, m, k, weight, out) => {
    const transposed = weight.endsWith('T') && !(weight in params);
    const w = params[transposed ? weight.slice(0, -1) : weight];
    const [rows, cols] = w.shape;
    const n = transposed ? rows : cols;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += a[i * k + kk] * (transposed ? w.data[j * cols + kk] : w.data[kk * cols + j]);
        out[i * n + j] = s;
      }
  };
}

/** Values that test the edges: zeros of both signs, the clamp, saturation, then ordinary draws. */
function edgy(rng: Rng, length: number, scale: number, nonNegative: boolean): Float32Array {
  const special = [0, -0, 7.90531110763549805, -7.90531110763549805, 7.9053115, 20, -20, 1e-30, -1e-30];
  return Float32Array.from({ length }, (_, i) => {
    const v = i % 5 === 0 ? special[(i / 5) % special.length] : uniformIn(rng, -scale, scale);
    return nonNegative ? Math.abs(v) : v;
  });
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

interface StepOut {
  cache: Record<string, Float32Array>;
  gPrev: Float32Array;
  gx: Float32Array;
  grads: Record<string, Float32Array>;
}

/** One forward and one backward step of `batch` trials (rows `from`… of the inputs) through the cell's batched path. */
function step(spec: NetworkSpec, params: NetworkParams, inputs: { s: Float32Array; x: Float32Array; noise?: Float32Array; gs: Float32Array }, from: number, batch: number, grads: Record<string, Float32Array>): StepOut {
  const cell = cellOf(spec);
  const S = stateSize(spec);
  const { hidden: n, inputs: ni } = spec;
  const rows = (a: Float32Array, w: number) => a.slice(from * w, (from + batch) * w);
  const cache = cell.createCache(spec, batch);
  const matmul = matmulOf(params);
  const s = rows(inputs.s, S);
  cell.forward(spec, params, matmul, s, rows(inputs.x, ni), batch, cache, cell.createScratch(spec, batch), inputs.noise && rows(inputs.noise, n));
  const tape = cell.createTape(spec, batch, 1);
  const gPrev = new Float32Array(batch * S);
  const gx = new Float32Array(batch * ni);
  const ops: MatOps = { matmul };
  cell.backward(spec, ops, tape, 0, batch, s, cache, rows(inputs.gs, S), gPrev, gx, grads);
  cell.finish(tape, grads);
  const arrays = Object.fromEntries(Object.entries(cache).filter((e): e is [string, Float32Array] => e[1] instanceof Float32Array));
  return { cache: arrays, gPrev, gx, grads };
}

describe('SIMD cell kernels: a batch step writes the bits of stepping each trial alone', () => {
  for (const kind of CELL_KINDS)
    for (const activation of ['tanh', 'relu'] as const)
      for (const hidden of [5, 6, 7, 8])
        for (const noisy of [false, true])
          it(`${kind} (${activation}), ${hidden} units${noisy ? ', with hidden noise' : ''}`, () => {
            const spec = networkSpecSchema.parse({ kind, activation, hidden, inputs: 3, tau: 0.05, dt: 0.01 });
            const rng = createRng(hidden * 7 + (noisy ? 1 : 0));
            const params: NetworkParams = {};
            // Weights large enough that pre-activations cross the clamp of tanh32 and relu's kink.
            for (const [name, shape] of Object.entries(paramShapes(spec))) {
              const size = shape.reduce((a, b) => a * b, 1);
              params[name] = { shape, data: edgy(rng, size, 3, false) };
            }
            const batch = 5;
            const S = stateSize(spec);
            const inputs = {
              s: edgy(rng, batch * S, 2, activation === 'relu'),
              x: edgy(rng, batch * 3, 1, false),
              noise: noisy ? edgy(rng, batch * hidden, 0.5, false) : undefined,
              gs: edgy(rng, batch * S, 1, false),
            };
            const zeroGrads = () => Object.fromEntries(Object.entries(paramShapes(spec)).map(([k, sh]) => [k, new Float32Array(sh.reduce((a, b) => a * b, 1))]));
            const whole = step(spec, params, inputs, 0, batch, zeroGrads());
            const alone = zeroGrads();
            const weights = Object.keys(alone).filter((name) => name.startsWith('W'));
            const summed = Object.fromEntries(weights.map((name) => [name, new Float32Array(alone[name].length)]));
            for (let b = 0; b < batch; b++) {
              const one = step(spec, params, inputs, b, 1, alone);
              for (const name of weights) summed[name].forEach((v, i, sum) => (sum[i] = v + one.grads[name][i]));
              for (const [name, a] of Object.entries(one.cache)) {
                const w = a.length;
                expect(bits(a), `${name}, trial ${b}`).toEqual(bits(whole.cache[name].subarray(b * w, (b + 1) * w)));
              }
              expect(bits(one.gPrev), `∂L/∂s_prev, trial ${b}`).toEqual(bits(whole.gPrev.subarray(b * S, (b + 1) * S)));
              expect(bits(one.gx), `∂L/∂x, trial ${b}`).toEqual(bits(whole.gx.subarray(b * 3, (b + 1) * 3)));
            }
            // Bias and weight gradients add the trials' rows in order either way.
            for (const name of Object.keys(alone)) expect(bits(name.startsWith('W') ? summed[name] : alone[name]), name).toEqual(bits(whole.grads[name]));
          });
});
