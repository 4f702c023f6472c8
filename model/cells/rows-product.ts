/**
 * The weight gradients of an episode, out[k×n] = Σ_m a[m, :]ᵀ·b[m, :] over the rows of two tapes (a: the
 * step inputs, b: ∂L/∂pre-activations, one row per trial and step), as one WebAssembly SIMD kernel.
 *
 * Each entry is the float32 sum over m in order, every product and every partial sum rounded to float32,
 * starting from zero: what the wasm backend's matMul (XNNPACK's gemm kernels, f32x4 multiply then add,
 * no fused multiply–add) computes for aᵀ·b, bit for bit (test/model/rows-product.test.ts checks both).
 * Reading the rows as they are spares the per-step transposes into an [k, m] array that tf.matMul
 * needed (scattered stores into an array larger than the cache), and the tensor copies and weight packing
 * of a fresh tfjs product per episode.
 *
 * Blocks of 4 columns of a × 8 columns of b accumulate in eight f32x4 registers while m runs; narrower
 * edges (k mod 4 rows, n mod 8 columns) take 1-row, 4-wide and scalar variants of the same loop.
 */
import { arenaOf, type Staged } from './simd.ts';
import { get, I32, leb, moduleBytes, set, simd, V128, vec } from './wasm-bytes.ts';

const F32T = 0x7d;
const OP = { block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, tee: 0x22, i32Const: 0x41, i32Eqz: 0x45, i32GtU: 0x4b, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c } as const;
const F = { load: 0x2a, store: 0x38, const: 0x43, add: 0x92, mul: 0x94 } as const;
const V = { load: 0x00, load32Splat: 0x09, store: 0x0b, const: 0x0c, add: 0xe4, mul: 0xe6 } as const;
const memarg = (offset: number) => [0, ...leb(offset)];

/** Parameters: a, b, out (byte addresses), k, m, n, and the rows of a chunk of m. */
const P = { a: 0, b: 1, out: 2, k: 3, m: 4, n: 5, chunk: 6 } as const;
// i32 locals, then 8 v128 accumulators, two v128 b's and an a, then 4 f32 accumulators and an f32 b.
const L = { i0: 7, j0: 8, pa: 9, pb: 10, q: 11, po: 12, kb: 13, nb: 14, c0: 15, rows: 16 } as const;
const acc = (r: number, v: number) => 17 + 2 * r + v;
const vb = (v: number) => 25 + v;
const va = 27;
const facc = (r: number) => 28 + r;
const fb = 32;

/**
 * One block of R rows of out × W columns (8 or 4 in f32x4 lanes, or 1 scalar) at (i0, j0): its partial
 * sums are loaded from out, the `rows` rows of the chunk from c0 on added in order, and stored back.
 */
function blockCode(R: number, W: 8 | 4 | 1): number[] {
  const V4 = W / 4;
  const code: number[] = [];
  // po: out row i0, column j0; out row i0 + r is r·n entries further.
  code.push(...get(L.i0), ...get(P.n), OP.i32Mul, ...get(L.j0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.out), OP.i32Add, ...set(L.po));
  for (let r = 0; r < R; r++) {
    const row = [...get(L.po), ...get(L.nb), OP.i32Const, r, OP.i32Mul, OP.i32Add];
    if (W === 1) code.push(...row, F.load, ...memarg(0), ...set(facc(r)));
    else for (let v = 0; v < V4; v++) code.push(...row, ...simd(V.load), ...memarg(16 * v), ...set(acc(r, v)));
  }
  code.push(...get(L.c0), ...get(P.k), OP.i32Mul, ...get(L.i0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.a), OP.i32Add, ...set(L.pa));
  code.push(...get(L.c0), ...get(P.n), OP.i32Mul, ...get(L.j0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.b), OP.i32Add, ...set(L.pb));
  code.push(...get(L.rows), ...set(L.q));
  code.push(OP.block, 0x40, ...get(L.q), OP.i32Eqz, OP.brIf, 0, OP.loop, 0x40);
  if (W === 1) code.push(...get(L.pb), F.load, ...memarg(0), ...set(fb));
  else for (let v = 0; v < V4; v++) code.push(...get(L.pb), ...simd(V.load), ...memarg(16 * v), ...set(vb(v)));
  for (let r = 0; r < R; r++) {
    if (W === 1) {
      code.push(...get(facc(r)), ...get(L.pa), F.load, ...memarg(4 * r), ...get(fb), F.mul, F.add, ...set(facc(r)));
      continue;
    }
    code.push(...get(L.pa), ...simd(V.load32Splat), ...memarg(4 * r), ...set(va));
    for (let v = 0; v < V4; v++) code.push(...get(acc(r, v)), ...get(va), ...get(vb(v)), ...simd(V.mul), ...simd(V.add), ...set(acc(r, v)));
  }
  code.push(...get(L.pa), ...get(L.kb), OP.i32Add, ...set(L.pa));
  code.push(...get(L.pb), ...get(L.nb), OP.i32Add, ...set(L.pb));
  code.push(...get(L.q), OP.i32Const, 1, OP.i32Sub, OP.tee, ...leb(L.q), OP.brIf, 0, OP.end, OP.end);
  for (let r = 0; r < R; r++) {
    if (W === 1) code.push(...get(L.po), ...get(facc(r)), F.store, ...memarg(0));
    else for (let v = 0; v < V4; v++) code.push(...get(L.po), ...get(acc(r, v)), ...simd(V.store), ...memarg(16 * v));
    code.push(...get(L.po), ...get(L.nb), OP.i32Add, ...set(L.po));
  }
  return code;
}

/** `body` for local `index` from its value now while `index + step ≤ limit` (or `index < limit` for step 1), adding `step` after each. */
function whileFits(index: number, step: number, limit: number, body: number[]): number[] {
  const test = step === 1 ? [...get(index), ...get(limit), OP.i32GeU] : [...get(index), OP.i32Const, step, OP.i32Add, ...get(limit), OP.i32GtU];
  return [OP.block, 0x40, OP.loop, 0x40, ...test, OP.brIf, 1, ...body, ...get(index), OP.i32Const, step, OP.i32Add, ...set(index), OP.br, 0, OP.end, OP.end];
}

function productCode(): number[] {
  const columns = (R: number) => [OP.i32Const, 0, ...set(L.j0), ...whileFits(L.j0, 8, P.n, blockCode(R, 8)), ...whileFits(L.j0, 4, P.n, blockCode(R, 4)), ...whileFits(L.j0, 1, P.n, blockCode(R, 1))];
  // Chunks of m, so that a chunk of both tapes stays in cache while every block of out passes over it.
  const chunk = [
    // rows = min(chunk, m − c0)
    ...get(P.m), ...get(L.c0), OP.i32Sub, ...set(L.rows),
    ...get(L.rows), ...get(P.chunk), OP.i32GtU, OP.if, 0x40, ...get(P.chunk), ...set(L.rows), OP.end,
    OP.i32Const, 0, ...set(L.i0),
    ...whileFits(L.i0, 4, P.k, columns(4)),
    ...whileFits(L.i0, 1, P.k, columns(1)),
    ...get(L.c0), ...get(L.rows), OP.i32Add, ...set(L.c0),
  ];
  const code = [
    ...get(P.k), OP.i32Const, 4, OP.i32Mul, ...set(L.kb),
    ...get(P.n), OP.i32Const, 4, OP.i32Mul, ...set(L.nb),
    OP.i32Const, 0, ...set(L.c0),
    OP.block, 0x40, OP.loop, 0x40, ...get(L.c0), ...get(P.m), OP.i32GeU, OP.brIf, 1, ...chunk, OP.br, 0, OP.end, OP.end,
    OP.end,
  ];
  const locals = vec([
    [...leb(10), I32],
    [...leb(11), V128],
    [...leb(5), F32T],
  ]);
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

/** What the product kernel's name starts with (as V8's profiler shows it). */
export const PRODUCT_NAME_PREFIX = 'cellProduct.';

let compiled: WebAssembly.Module | null = null;

/** Bytes of the two tapes' rows in one chunk of m: a level-2 cache's share (measured: 2–3× faster than unchunked at 1600 × (139 + 512)). */
const CHUNK_BYTES = 96 * 1024;

/** An episode's weight-gradient product: its two tapes and its output in the kernel's memory. */
export interface RowsProduct {
  /** Rows [m, k]. */
  a: Staged;
  /** Rows [m, n]. */
  b: Staged;
  /** [k, n]. */
  out: Staged;
  /** out ← aᵀ·b. */
  run(): void;
}

export function createRowsProduct(k: number, m: number, n: number): RowsProduct {
  if (!compiled) {
    const type = [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), 0];
    compiled = new WebAssembly.Module(moduleBytes([{ name: 'rowsProduct', type, code: productCode() }], PRODUCT_NAME_PREFIX));
  }
  const { kernels, arrays } = arenaOf(compiled, [m * k, m * n, k * n]);
  const [a, b, out] = arrays;
  const kernel = kernels.rowsProduct;
  const chunk = Math.max(4, Math.floor(CHUNK_BYTES / (4 * (k + n))));
  return {
    a,
    b,
    out,
    run() {
      out.view.fill(0);
      kernel(a.at, b.at, out.at, k, m, n, chunk);
    },
  };
}
