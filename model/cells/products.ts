/**
 * Float32 matrix products of training as WebAssembly SIMD kernels:
 * - `matrixProduct`: out[m×n] = a[m×k]·w[k×n], a step's product with a weight (model/tf-matmul.ts);
 * - `rowsProduct`: out[k×n] = Σ_m a[m, :]ᵀ·b[m, :] over the rows of two tapes (a: the step inputs, b:
 *   ∂L/∂pre-activations, one row per trial and step), an episode's weight gradients;
 * - `columnSums`: the column sums of the b tape, its bias gradients (float32 adds in row order).
 *
 * Each entry is the float32 sum over the inner index in order, every product and every partial sum
 * rounded to float32, starting from zero: what the wasm backend's matMul (XNNPACK's gemm kernels, f32x4
 * multiply then add, no fused multiply–add) computes, bit for bit (test/model/products.test.ts checks
 * both against a plain loop and tf.matMul). The kernels spare the tfjs call, tensor copies and weight
 * packing of each product, and the weight gradients read the tapes' rows as they are (tf.matMul needed
 * them transposed: per-step scattered stores into an array larger than the cache).
 *
 * Blocks of 4 rows of out × 8 columns accumulate in eight f32x4 registers while the inner index runs;
 * narrower edges (rows mod 4, columns mod 8) take 1-row, 4-wide and scalar variants of the same loop.
 * The weight-gradient product runs its m rows in chunks that stay in cache while every block passes
 * over them, keeping its partial sums in out between chunks (float32 either way, so the same bits).
 */
import { arenaOf, type Kernel, type Staged } from './simd.ts';
import { F32T, get, I32, leb, moduleBytes, OP, set, simd, V128, vec } from './wasm-bytes.ts';

const F = { load: 0x2a, store: 0x38, const: 0x43, add: 0x92, mul: 0x94 } as const;
const V = { load: 0x00, load32Splat: 0x09, store: 0x0b, const: 0x0c, add: 0xe4, mul: 0xe6 } as const;
const memarg = (offset: number) => [0, ...leb(offset)];

/**
 * Parameters of both kernels: a, b, out (byte addresses), the rows of out, the inner length, the
 * columns n, and (rows product) the rows of a chunk. Entry (i, q) of a is at (q·rows + i) in the rows
 * product (a is [inner, rows]), at (i·inner + q) in the matrix product; b is [inner, n], out [rows, n].
 */
const P = { a: 0, b: 1, out: 2, rows: 3, inner: 4, n: 5, chunk: 6 } as const;
// i32 locals (pa is a's pointer for row i0; pa1–pa3 rows i0 + 1… in the matrix product), 8 v128
// accumulators, two v128 b's and an a, 4 f32 accumulators and an f32 b.
const L = { i0: 7, j0: 8, pa: 9, pb: 10, q: 11, po: 12, ab: 13, nb: 14, c0: 15, len: 16, pa1: 17, pa2: 18, pa3: 19 } as const;
const paOf = (r: number) => (r === 0 ? L.pa : L.pa1 + r - 1);
const acc = (r: number, v: number) => 20 + 2 * r + v;
const vb = (v: number) => 28 + v;
const va = 30;
const facc = (r: number) => 31 + r;
const fb = 35;

type Mode = 'rows' | 'matrix';

/**
 * One block of R rows of out × W columns (8 or 4 in f32x4 lanes, or 1 scalar) at (i0, j0), the inner
 * index running `len` times from c0. The rows product loads its partial sums from out (chunks after the
 * first add to them); the matrix product starts from zero.
 */
function blockCode(mode: Mode, R: number, W: 8 | 4 | 1): number[] {
  const V4 = W / 4;
  const code: number[] = [];
  // po: out row i0, column j0; out row i0 + r is r·n entries further.
  code.push(...get(L.i0), ...get(P.n), OP.i32Mul, ...get(L.j0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.out), OP.i32Add, ...set(L.po));
  for (let r = 0; r < R; r++) {
    const row = [...get(L.po), ...get(L.nb), OP.i32Const, r, OP.i32Mul, OP.i32Add];
    if (mode === 'matrix') {
      if (W === 1) code.push(F.const, 0, 0, 0, 0, ...set(facc(r)));
      else for (let v = 0; v < V4; v++) code.push(...simd(V.const), ...new Array<number>(16).fill(0), ...set(acc(r, v)));
    } else if (W === 1) code.push(...row, F.load, ...memarg(0), ...set(facc(r)));
    else for (let v = 0; v < V4; v++) code.push(...row, ...simd(V.load), ...memarg(16 * v), ...set(acc(r, v)));
  }
  if (mode === 'rows') code.push(...get(L.c0), ...get(P.rows), OP.i32Mul, ...get(L.i0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.a), OP.i32Add, ...set(L.pa));
  else for (let r = 0; r < R; r++) code.push(...get(L.i0), OP.i32Const, r, OP.i32Add, ...get(P.inner), OP.i32Mul, OP.i32Const, 4, OP.i32Mul, ...get(P.a), OP.i32Add, ...set(paOf(r)));
  code.push(...get(L.c0), ...get(P.n), OP.i32Mul, ...get(L.j0), OP.i32Add, OP.i32Const, 4, OP.i32Mul, ...get(P.b), OP.i32Add, ...set(L.pb));
  code.push(...get(L.len), ...set(L.q));
  code.push(OP.block, 0x40, ...get(L.q), OP.i32Eqz, OP.brIf, 0, OP.loop, 0x40);
  if (W === 1) code.push(...get(L.pb), F.load, ...memarg(0), ...set(fb));
  else for (let v = 0; v < V4; v++) code.push(...get(L.pb), ...simd(V.load), ...memarg(16 * v), ...set(vb(v)));
  for (let r = 0; r < R; r++) {
    const aAt = mode === 'rows' ? [...get(L.pa), ...(W === 1 ? [F.load] : simd(V.load32Splat)), ...memarg(4 * r)] : [...get(paOf(r)), ...(W === 1 ? [F.load] : simd(V.load32Splat)), ...memarg(0)];
    if (W === 1) {
      code.push(...get(facc(r)), ...aAt, ...get(fb), F.mul, F.add, ...set(facc(r)));
      continue;
    }
    code.push(...aAt, ...set(va));
    for (let v = 0; v < V4; v++) code.push(...get(acc(r, v)), ...get(va), ...get(vb(v)), ...simd(V.mul), ...simd(V.add), ...set(acc(r, v)));
  }
  if (mode === 'rows') code.push(...get(L.pa), ...get(L.ab), OP.i32Add, ...set(L.pa));
  else for (let r = 0; r < R; r++) code.push(...get(paOf(r)), OP.i32Const, 4, OP.i32Add, ...set(paOf(r)));
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

function productCode(mode: Mode): number[] {
  const columns = (R: number) => [OP.i32Const, 0, ...set(L.j0), ...whileFits(L.j0, 8, P.n, blockCode(mode, R, 8)), ...whileFits(L.j0, 4, P.n, blockCode(mode, R, 4)), ...whileFits(L.j0, 1, P.n, blockCode(mode, R, 1))];
  const blocks = [OP.i32Const, 0, ...set(L.i0), ...whileFits(L.i0, 4, P.rows, columns(4)), ...whileFits(L.i0, 1, P.rows, columns(1))];
  const code = [...get(P.rows), OP.i32Const, 4, OP.i32Mul, ...set(L.ab), ...get(P.n), OP.i32Const, 4, OP.i32Mul, ...set(L.nb), OP.i32Const, 0, ...set(L.c0)];
  if (mode === 'matrix') code.push(...get(P.inner), ...set(L.len), ...blocks);
  else {
    // Chunk by chunk: len = min(chunk, inner − c0).
    const chunk = [
      ...[...get(P.inner), ...get(L.c0), OP.i32Sub, ...set(L.len)],
      ...[...get(L.len), ...get(P.chunk), OP.i32GtU, OP.if, 0x40, ...get(P.chunk), ...set(L.len), OP.end],
      ...blocks,
      ...[...get(L.c0), ...get(L.len), OP.i32Add, ...set(L.c0)],
    ];
    code.push(OP.block, 0x40, OP.loop, 0x40, ...get(L.c0), ...get(P.inner), OP.i32GeU, OP.brIf, 1, ...chunk, OP.br, 0, OP.end, OP.end);
  }
  code.push(OP.end);
  const locals = vec([
    [...leb(13), I32],
    [...leb(11), V128],
    [...leb(5), F32T],
  ]);
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

/**
 * columnSums(b, out, rows, n): out[j] ← (…(out[j] + b[0, j]) + …) + b[rows − 1, j], float32 sums in row
 * order (an f32x4 add rounds each lane as Math.fround(x + y) does), four columns per instruction and a
 * scalar edge, row by row: one pass over b, out staying in cache. Same type as the products (the last
 * three parameters unused).
 */
function columnSumsCode(): number[] {
  const p = { b: 0, out: 1, rows: 2, n: 3 };
  const l = { q: 7, pb: 8, j: 9, nb: 10 };
  const at = (base: number) => [...get(base), ...get(l.j), OP.i32Add];
  const row = [
    ...[OP.i32Const, 0, ...set(l.j)],
    ...whileFits(l.j, 16, l.nb, [...at(p.out), ...at(p.out), ...simd(V.load), ...memarg(0), ...at(l.pb), ...simd(V.load), ...memarg(0), ...simd(V.add), ...simd(V.store), ...memarg(0)]),
    ...whileFits(l.j, 4, l.nb, [...at(p.out), ...at(p.out), F.load, ...memarg(0), ...at(l.pb), F.load, ...memarg(0), F.add, F.store, ...memarg(0)]),
    ...[...get(l.pb), ...get(l.nb), OP.i32Add, ...set(l.pb)],
  ];
  const code = [
    ...[...get(p.n), OP.i32Const, 4, OP.i32Mul, ...set(l.nb), ...get(p.b), ...set(l.pb), ...get(p.rows), ...set(l.q)],
    ...[OP.block, 0x40, OP.loop, 0x40, ...get(l.q), OP.i32Eqz, OP.brIf, 1, ...row, ...get(l.q), OP.i32Const, 1, OP.i32Sub, ...set(l.q), OP.br, 0, OP.end, OP.end],
    OP.end,
  ];
  const fn = [...vec([[...leb(4), I32]]), ...code];
  return [...leb(fn.length), ...fn];
}

/** What the product kernels' names start with (as V8's profiler shows them). */
const PRODUCT_NAME_PREFIX = 'cellProduct.';
/** The weight-gradient kernel's name in profiles. */
export const ROWS_PRODUCT_NAME = `${PRODUCT_NAME_PREFIX}rowsProduct`;

let compiled: WebAssembly.Module | null = null;

/** The compiled module of the product kernels (once). */
export function productModule(): WebAssembly.Module {
  if (!compiled) {
    const type = [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), 0];
    compiled = new WebAssembly.Module(
      moduleBytes(
        [...(['rows', 'matrix'] as const).map((mode) => ({ name: `${mode}Product`, type, code: productCode(mode) })), { name: 'columnSums', type, code: columnSumsCode() }],
        PRODUCT_NAME_PREFIX,
      ),
    );
  }
  return compiled;
}

/** Bytes of the two tapes' rows in one chunk of m: a level-2 cache's share. */
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
  /** Add the column sums of b ([m, n], rows in order, float32) to `into` ([n]): an episode's bias gradients. */
  addColumnSums(into: Float32Array): void;
}

export function createRowsProduct(k: number, m: number, n: number): RowsProduct {
  const { kernels, arrays } = arenaOf(productModule(), rowsProductLengths(k, m, n));
  return rowsProductOver(kernels, arrays, k, m, n);
}

/** Lengths of a rows product's arrays (a, b, out and the column sums), for an arena shared with other kernels. */
export function rowsProductLengths(k: number, m: number, n: number): number[] {
  return [m * k, m * n, k * n, n];
}

/** A rows product over arrays of `rowsProductLengths` in a memory where `kernels` (the product module's) run. */
export function rowsProductOver(kernels: Record<string, Kernel>, [a, b, out, sums]: Staged[], k: number, m: number, n: number): RowsProduct {
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
    addColumnSums(into) {
      sums.view.set(into);
      kernels.columnSums(b.at, sums.at, m, n, 0, 0, 0);
      into.set(sums.view);
    },
  };
}

/**
 * The matrix-product kernel over a memory of its own that grows as needed (the caller keeps its own
 * addresses, as byte offsets, and re-reads `memory.buffer` after `reserve`).
 */
export interface MatrixProducts {
  memory: WebAssembly.Memory;
  /** out[m×n] ← a[m×k]·w[k×n] for byte addresses in `memory`. */
  run(a: number, w: number, out: number, m: number, k: number, n: number): void;
  /** Make the memory at least `bytes` long (growing it detaches the views of its old buffer). */
  reserve(bytes: number): void;
}

export function createMatrixProducts(): MatrixProducts {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(productModule(), { m: { mem: memory } });
  const kernel = (instance.exports as unknown as Record<string, Kernel>).matrixProduct;
  return {
    memory,
    run: (a, w, out, m, k, n) => kernel(a, w, out, m, k, n, 0),
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
  };
}
