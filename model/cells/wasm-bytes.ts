/** The few pieces of the WebAssembly binary format that this folder's hand-built kernel modules are written with. */

/** Unsigned LEB128. */
export function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

/** Signed LEB128. */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** A 0xfd-prefixed (SIMD) instruction. */
export const simd = (op: number) => [0xfd, ...leb(op)];
export const get = (l: number) => [0x20, ...leb(l)];
export const set = (l: number) => [0x21, ...leb(l)];
export const str = (s: string) => [...leb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
export const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
export const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];

/** Value types. */
export const I32 = 0x7f;
export const F32T = 0x7d;
export const F64T = 0x7c;
export const V128 = 0x7b;

/** The control and i32 instructions the kernels use. */
export const OP = { block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, tee: 0x22, i32Const: 0x41, i32Eqz: 0x45, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c } as const;

/** A module of `functions` (type, code and exported name each), importing its memory as m.mem, with `namePrefix` before each name in its 'name' section (what profilers show). */
export function moduleBytes(functions: Array<{ name: string; type: number[]; code: number[] }>, namePrefix: string): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => f.type);
  const imports = vec([[...str('m'), ...str('mem'), 0x02, 0x00, 0x01]]);
  const funcs = vec(functions.map((_, i) => leb(i)));
  const exports = vec(functions.map((f, i) => [...str(f.name), 0x00, ...leb(i)]));
  const code = vec(functions.map((f) => f.code));
  const nameMap = vec(functions.map((f, i) => [...leb(i), ...str(`${namePrefix}${f.name}`)]));
  const names = [...str('name'), 1, ...leb(nameMap.length), ...nameMap];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, vec(types)), ...section(2, imports), ...section(3, funcs), ...section(7, exports), ...section(10, code), ...section(0, names)]);
}
