/**
 * Element-wise cell steps as WebAssembly SIMD kernels, two units per instruction (f64x2).
 *
 * The batched float32 steps do their arithmetic in float64 (JavaScript numbers) and round to float32 on
 * every store. A kernel here does the same IEEE operations in the same order on f64x2 lanes: float32
 * loads widened exactly (promote), +, −, ×, ÷ correctly rounded in float64 (wasm has no fused
 * multiply–add in its standard SIMD set), the clamp and relu as pmin/pmax with JavaScript's comparison
 * semantics, and float32 stores rounded to nearest-even (demote). So a kernel writes the same bits as the
 * JavaScript loop it replaces; `test/model/cell-kernels.test.ts` checks this on random steps.
 *
 * A kernel walks `batch` rows of `n` units two pairs at a time (then a pair, then a single unit at the end of a row when n is odd).
 * Each array argument is a byte address in the kernel's memory plus, fixed per kernel, its row stride
 * and block offset in units of n (a gate block k of a [batch, 3n] row starts at k·n).
 * The module is built here from a small instruction list (no toolchain); it is compiled once, and each
 * arena instantiates it over its own memory. Browsers refuse to compile modules over 4 KB synchronously on
 * the main thread, so cells use the kernels for batched steps only (training, in Node or a worker).
 */
import { TANH32 } from './common.ts';
import { F64T, get, I32, leb, moduleBytes, OP, set, simd, sleb, V128, vec } from './wasm-bytes.ts';

/** One array argument of a kernel: its row stride in units of n (0: the same row for every b, e.g. a bias) and the blocks of n units it is read or written at. */
interface ArrayArg {
  stride: number;
  /** Blocks first, first + 1, …: each is one stream of the body, numbered over all arrays in order. */
  first: number;
  blocks: number;
}

/** A v128 value on the wasm stack: the bytes that push it. */
type Expr = number[];

export interface KernelBody {
  /** Unit j of stream s in the current row, widened to float64. */
  load(s: number): Expr;
  /** A float64 scalar argument, the same in every lane. */
  arg(i: number): Expr;
  /** Round `e` to float32 and write it to unit j of stream s. */
  store(s: number, e: Expr): void;
  /** Evaluate `e` once into a local. */
  let(e: Expr): Expr;
  c(v: number): Expr;
  add(a: Expr, b: Expr): Expr;
  sub(a: Expr, b: Expr): Expr;
  mul(a: Expr, b: Expr): Expr;
  div(a: Expr, b: Expr): Expr;
  /** Math.fround(v), as a float64 again. */
  fround(v: Expr): Expr;
  /** JavaScript's v > 0 ? v : 0 (NaN → 0). */
  relu(v: Expr): Expr;
  /** JavaScript's v > 0 ? 1 : 0. */
  step(v: Expr): Expr;
  /** common.ts's tanh32, operation for operation. */
  tanh(v: Expr): Expr;
  /** common.ts's sigmoid32: 0.5 + 0.5·tanh32(0.5·v). */
  sigmoid(v: Expr): Expr;
}

/**
 * A kernel: its name, its array arguments, how many float64 scalars follow them (read as `k.arg(i)`),
 * and its per-unit body. With `scalarsInMemory` the scalars are not arguments but float64s in the
 * kernel's memory from the byte address given after the arrays (a call of fixed arity whatever their
 * number: JavaScript calls with spread arguments cost more than the work here).
 */
export interface KernelSpec {
  name: string;
  arrays: ArrayArg[];
  scalars?: number;
  scalarsInMemory?: boolean;
  body(k: KernelBody): void;
}

const F64 = (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];

// SIMD opcodes (WebAssembly core 2.0, after the 0xfd prefix).
const V = { load32Zero: 0x5c, load64Zero: 0x5d, store32Lane: 0x5a, store64Lane: 0x5b, f64x2Splat: 0x14, f64x2Gt: 0x4a, and: 0x4e, demote: 0x5e, promote: 0x5f, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, pmin: 0xf6, pmax: 0xf7 } as const;

/** The code of one kernel function: params (the arrays' byte addresses, the scalars, batch, n), then locals. */
function kernelCode(spec: KernelSpec): number[] {
  const na = spec.arrays.length;
  const streams = spec.arrays.flatMap(({ stride, first, blocks }, arg) => Array.from({ length: blocks }, (_, i) => ({ arg, stride, block: first + i })));
  const ns = streams.length;
  const nf = spec.scalars ?? 0;
  const pBatch = na + (spec.scalarsInMemory ? 1 : nf);
  const pN = pBatch + 1;
  // i32 locals: row counter, byte offset of the unit pair within a row, row bytes, one row pointer per stream.
  const lb = pN + 1;
  const ljb = lb + 1;
  const lnb = lb + 2;
  const lrow = (s: number) => lb + 3 + s;
  const nI32 = 3 + ns;
  let nV128 = 0;
  const v128 = () => lb + nI32 + nV128++;
  const scalarLocals = Array.from({ length: nf }, () => v128());
  const consts = new Map<number, number>();
  const constLocal = (v: number) => {
    let l = consts.get(v);
    if (l === undefined) consts.set(v, (l = v128()));
    return l;
  };

  // The body's statements (each a `let` or a `store`), for one unit or a pair of units `offset` bytes on from unit j.
  const bodyCode = (pair: boolean, offset = 0): number[][] => {
    const statements: number[][] = [];
    const memarg = [0, ...leb(offset)];
    const addr = (s: number) => [...get(lrow(s)), ...get(ljb), OP.i32Add];
    const bin = (op: number) => (a: Expr, b: Expr) => [...a, ...b, ...simd(op)];
    const add = bin(V.add);
    const mul = bin(V.mul);
    const c = (v: number) => get(constLocal(v));
    const k: KernelBody = {
      load: (s) => [...addr(s), ...simd(pair ? V.load64Zero : V.load32Zero), ...memarg, ...simd(V.promote)],
      store: (s, e) => {
        statements.push([...addr(s), ...e, ...simd(V.demote), ...simd(pair ? V.store64Lane : V.store32Lane), ...memarg, 0]);
      },
      let: (e) => {
        const l = v128();
        statements.push([...e, ...set(l)]);
        return get(l);
      },
      arg: (i) => get(scalarLocals[i]),
      c,
      add,
      sub: bin(V.sub),
      mul,
      div: bin(V.div),
      fround: (v) => [...v, ...simd(V.demote), ...simd(V.promote)],
      relu: (v) => [...c(0), ...v, ...simd(V.pmax)],
      step: (v) => [...v, ...c(0), ...simd(V.f64x2Gt), ...c(1), ...simd(V.and)],
      tanh: (v) => {
        const T = TANH32;
        // v > C ? C : v < −C ? −C : v: pmin(v, C) = C < v ? C : v, then pmax(x, −C) = x < −C ? −C : x (NaN stays).
        const x = k.let([...v, ...c(T.clamp), ...simd(V.pmin), ...c(-T.clamp), ...simd(V.pmax)]);
        const x2 = k.let(mul(x, x));
        // Horner from the innermost term out, as tanh32 writes it: c₁ + x²(c₃ + x²(… + x²·c₁₃)).
        const horner = (cs: number[]) => cs.slice(0, -1).reduceRight((acc, ci) => add(c(ci), mul(x2, acc)), c(cs[cs.length - 1]));
        const p = mul(x, horner([T.t1, T.t3, T.t5, T.t7, T.t9, T.t11, T.t13]));
        const q = horner([T.u0, T.u2, T.u4, T.u6]);
        return k.let(bin(V.div)(p, q));
      },
      sigmoid: (v) => add(c(0.5), mul(c(0.5), k.tanh(mul(c(0.5), v)))),
    };
    spec.body(k);
    return statements;
  };

  // Two pairs per pass, their statements alternating: each pair's chain of dependent operations (a
  // tanh is ~20 in a row) runs beside the other's instead of after it. Each lane's operations and the
  // order of the stores to any one unit are unchanged.
  const first = bodyCode(true);
  const second = bodyCode(true, 8);
  const quadBody = first.flatMap((st, i) => [...st, ...second[i]]);
  const pairBody = bodyCode(true).flat();
  const oneBody = bodyCode(false).flat();
  const code: number[] = [];
  const F64_LOAD = 0x2b;
  scalarLocals.forEach((l, i) => code.push(...(spec.scalarsInMemory ? [...get(na), F64_LOAD, 3, ...leb(8 * i)] : get(na + i)), ...simd(V.f64x2Splat), ...set(l)));
  for (const [v, l] of consts) code.push(...F64(v), ...simd(V.f64x2Splat), ...set(l));
  code.push(...get(pN), OP.i32Const, 4, OP.i32Mul, ...set(lnb));
  streams.forEach(({ arg, block }, s) => code.push(...get(arg), ...get(lnb), OP.i32Const, ...sleb(block), OP.i32Mul, OP.i32Add, ...set(lrow(s))));
  code.push(OP.i32Const, 0, ...set(lb));
  code.push(OP.block, 0x40, OP.loop, 0x40);
  code.push(...get(lb), ...get(pBatch), OP.i32GeU, OP.brIf, 1);
  code.push(OP.i32Const, 0, ...set(ljb));
  code.push(OP.block, 0x40, OP.loop, 0x40);
  code.push(...get(ljb), OP.i32Const, 16, OP.i32Add, ...get(lnb), OP.i32GtU, OP.brIf, 1);
  code.push(...quadBody);
  code.push(...get(ljb), OP.i32Const, 16, OP.i32Add, ...set(ljb), OP.br, 0, OP.end, OP.end);
  code.push(...get(ljb), OP.i32Const, 8, OP.i32Add, ...get(lnb), OP.i32LeU, OP.if, 0x40, ...pairBody, ...get(ljb), OP.i32Const, 8, OP.i32Add, ...set(ljb), OP.end);
  code.push(...get(ljb), ...get(lnb), OP.i32LtU, OP.if, 0x40, ...oneBody, OP.end);
  streams.forEach(({ stride }, s) => {
    if (stride) code.push(...get(lrow(s)), ...get(lnb), OP.i32Const, ...sleb(stride), OP.i32Mul, OP.i32Add, ...set(lrow(s)));
  });
  code.push(...get(lb), OP.i32Const, 1, OP.i32Add, ...set(lb), OP.br, 0, OP.end, OP.end, OP.end);
  const locals = vec([
    [...leb(nI32), I32],
    [...leb(nV128), V128],
  ]);
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

/** What the kernels' function names start with (as V8's profiler shows them). */
export const KERNEL_NAME_PREFIX = 'cellKernel.';

/** A wasm module of the kernels, importing its memory as m.mem. */
function kernelModule(specs: KernelSpec[]): Uint8Array<ArrayBuffer> {
  const scalarParams = (s: KernelSpec) => (s.scalarsInMemory ? [[I32]] : Array.from({ length: s.scalars ?? 0 }, () => [F64T]));
  // Function names (custom 'name' section), so profiles tell the kernels from tfjs's wasm.
  return moduleBytes(
    specs.map((s) => ({ name: s.name, type: [0x60, ...vec([...s.arrays.map(() => [I32]), ...scalarParams(s), [I32], [I32]]), 0], code: kernelCode(s) })),
    KERNEL_NAME_PREFIX,
  );
}

/** An array argument of `stride` units of n per row, read or written at `blocks` blocks of n from block `first` on (unit j of block k at k·n + j of the row; stride 0: one row for every b, e.g. a bias). */
export const array = (stride: number, blocks = 1, first = 0): ArrayArg => ({ stride, first, blocks });

/**
 * A cell's kernels for each activation (tanh, relu) with and without hidden noise, and their backward
 * steps, under the names the cells call them by.
 */
export function activationKernels(forward: (name: string, relu: boolean, noisy: boolean) => KernelSpec, backward: (name: string, relu: boolean) => KernelSpec): KernelSpec[] {
  return [forward('tanh', false, false), forward('tanhNoisy', false, true), forward('relu', true, false), forward('reluNoisy', true, true), backward('tanhBackward', false), backward('reluBackward', true)];
}

const compiled = new WeakMap<KernelSpec[], WebAssembly.Module>();

/** A kernel's exported function: the arrays' byte addresses, the scalars (or their address), then batch and n. */
export type Kernel = (...args: number[]) => void;

/** A float32 array in a kernel's memory and its byte address there. */
export interface Staged {
  view: Float32Array;
  at: number;
}

/** The compiled module of the kernels of `specs` (once per list). */
export function kernelModuleOf(specs: KernelSpec[]): WebAssembly.Module {
  let module = compiled.get(specs);
  if (!module) compiled.set(specs, (module = new WebAssembly.Module(kernelModule(specs))));
  return module;
}

/**
 * The kernels of `specs` (compiled once per list) bound to a memory of their own that holds float32
 * arrays of the given lengths (16-byte aligned, views made once: the memory never grows).
 */
export function createKernelArena(specs: KernelSpec[], lengths: number[]): { kernels: Record<string, Kernel>; arrays: Staged[] } {
  return arenaOf(kernelModuleOf(specs), lengths);
}

/** An instance of `module` (kernels importing their memory as m.mem) over a memory of its own holding float32 arrays of the given lengths (16-byte aligned, views made once: the memory never grows). */
export function arenaOf(module: WebAssembly.Module, lengths: number[]): { kernels: Record<string, Kernel>; arrays: Staged[] } {
  const { kernels, arrays } = sharedArena([module], lengths);
  return { kernels: kernels[0], arrays };
}

/**
 * {@link arenaOf} for several modules over one memory: kernels of different modules read and write the
 * same arrays (a cell's backward step writes its rows straight into the weight-gradient product's tape).
 */
export function sharedArena(modules: WebAssembly.Module[], lengths: number[]): { kernels: Array<Record<string, Kernel>>; arrays: Staged[] } {
  const starts: number[] = [];
  let bytes = 0;
  for (const length of lengths) {
    starts.push(bytes);
    bytes += 16 * Math.ceil((4 * length) / 16);
  }
  // No kernel reads past an array: the cell kernels' f64 pairs stop where fewer than two units are left (a single load takes the last one), and the products' f32x4 loads stay inside their operands.
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const kernels = modules.map((module) => new WebAssembly.Instance(module, { m: { mem: memory } }).exports as unknown as Record<string, Kernel>);
  const arrays = lengths.map((length, i) => ({ view: new Float32Array(memory.buffer, starts[i], length), at: starts[i] }));
  return { kernels, arrays };
}
