/**
 * The readout's part of an episode's backward step as a SIMD kernel (cells/simd.ts), for batches: for
 * each trial b, given g_k = ∂L/∂(W_out·h + b_out)_k,
 *   ∂L/∂h_j ← fround(…fround(∂L/∂h_j + g_0·W_out[j,0]) + … + g_{K−1}·W_out[j,K−1]) + a·h_j   (a: activity scale),
 *   ∂L/∂W_out[j,k] += g_k·h_j   (float32 accumulation),
 * the operations of episode.ts's unit-by-unit loop in its order, two units per instruction. W_out and
 * its gradient are held transposed ([K, n]) in the kernel's memory so each output's column is a block of
 * n units; the gradient is transposed back (an exact copy) at the end of the episode.
 */
import { array, createKernelArena, type Kernel, type KernelSpec, type Staged } from './cells/simd.ts';

const specsFor = new Map<string, KernelSpec[]>();

/** The kernel for `outputs` outputs reading ∂L/∂h from the first block of state rows `stateBlocks`·n wide. */
function kernelSpecs(outputs: number, stateBlocks: number): KernelSpec[] {
  const key = `${outputs},${stateBlocks}`;
  let specs = specsFor.get(key);
  if (!specs) {
    specs = [
      {
        name: 'readoutBackward',
        // ∂L/∂state row, h row, W_outᵀ, ∂L/∂W_outᵀ; scalars (in memory) g_0 … g_{K−1}, a.
        arrays: [array(stateBlocks), array(1), array(0, outputs), array(0, outputs)],
        scalars: outputs + 1,
        scalarsInMemory: true,
        body(k) {
          const hv = k.let(k.load(1));
          let v = k.load(0);
          for (let o = 0; o < outputs; o++) v = k.let(k.fround(k.add(v, k.mul(k.arg(o), k.load(2 + o)))));
          for (let o = 0; o < outputs; o++) k.store(2 + outputs + o, k.add(k.load(2 + outputs + o), k.mul(k.arg(o), hv)));
          k.store(0, k.add(v, k.mul(k.arg(outputs), hv)));
        },
      },
    ];
    specsFor.set(key, specs);
  }
  return specs;
}

/** Kernel and arrays of one episode's readout backward. */
export interface ReadoutBackward {
  kernel: Kernel;
  n: number;
  outputs: number;
  /** State row width (n · state blocks). */
  width: number;
  gs: Staged;
  h: Staged;
  woutT: Staged;
  gWoutT: Staged;
  /** The kernel's scalars g_0 … g_{K−1}, a, in its memory, and their address. */
  scalars: Float64Array;
  scalarsAt: number;
}

export function createReadoutBackward(n: number, outputs: number, stateBlocks: number, batch: number): ReadoutBackward {
  const width = n * stateBlocks;
  // The scalars' float64s take the last array's room (two float32 entries each).
  const { kernels, arrays } = createKernelArena(kernelSpecs(outputs, stateBlocks), [batch * width, batch * n, outputs * n, outputs * n, 2 * (outputs + 1)]);
  const [gs, h, woutT, gWoutT, scalars] = arrays;
  const view = new Float64Array(scalars.view.buffer, scalars.at, outputs + 1);
  return { kernel: kernels.readoutBackward, n, outputs, width, gs, h, woutT, gWoutT, scalars: view, scalarsAt: scalars.at };
}

/** Start an episode's backward: W_out ([n, K]) transposed in, its gradient zeroed. */
export function readoutBackwardStart(r: ReadoutBackward, wout: Float32Array): void {
  const { n, outputs: no } = r;
  const w = r.woutT.view;
  for (let j = 0; j < n; j++) for (let k = 0; k < no; k++) w[k * n + j] = wout[j * no + k];
  r.gWoutT.view.fill(0);
}

/** Stage one step's ∂L/∂state rows and outputs h. */
export function readoutBackwardLoad(r: ReadoutBackward, gs: Float32Array, h: Float32Array): void {
  r.gs.view.set(gs.subarray(0, r.gs.view.length));
  r.h.view.set(h.subarray(0, r.h.view.length));
}

/** Trial b's update with g = ∂L/∂(readout drive) ([K], float64) and activity scale a. */
export function readoutBackwardRow(r: ReadoutBackward, b: number, g: Float64Array, activityScale: number): void {
  const { scalars, outputs: no } = r;
  for (let k = 0; k < no; k++) scalars[k] = g[k];
  scalars[no] = activityScale;
  r.kernel(r.gs.at + 4 * b * r.width, r.h.at + 4 * b * r.n, r.woutT.at, r.gWoutT.at, r.scalarsAt, 1, r.n);
}

/** The step's ∂L/∂state rows back into `gs`. */
export function readoutBackwardStore(r: ReadoutBackward, gs: Float32Array): void {
  gs.set(r.gs.view);
}

/** The episode's ∂L/∂W_out ([n, K]) into `out`. */
export function readoutBackwardFinish(r: ReadoutBackward, out: Float32Array): void {
  const { n, outputs: no } = r;
  const g = r.gWoutT.view;
  for (let j = 0; j < n; j++) for (let k = 0; k < no; k++) out[j * no + k] = g[k * n + j];
}
