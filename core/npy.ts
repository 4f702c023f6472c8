/**
 * NumPy `.npy` codec (format versions 1.0, 2.0 and 3.0; little-endian float32, float64 and int32 in
 * C order), as specified in numpy/lib/format.py. Pure bytes in and out: no file system here.
 */

export type NpyDtype = 'float32' | 'float64' | 'int32';

/** A decoded array: row-major data plus its shape. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4' };
const FROM_DESCR: Record<string, NpyDtype> = { '<f4': 'float32', '<f8': 'float64', '<i4': 'int32' };

/** Thrown for any malformed or unsupported `.npy` content; the message names what is wrong. */
export class NpyError extends Error {
  override name = 'NpyError';
}

function dtypeOf(data: NpyArray['data']): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * A shape for messages: `[40, 140, 128]`; beyond 8 dimensions the middle is elided and the count given,
 * so that an absurd shape cannot flood the terminal (`[1, 1, 1, …, 1, 1] (20000 dimensions)`).
 */
export function formatShape(shape: readonly number[]): string {
  if (shape.length <= 8) return `[${shape.join(', ')}]`;
  return `[${shape.slice(0, 3).join(', ')}, …, ${shape.slice(-2).join(', ')}] (${shape.length} dimensions)`;
}

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encode `data`, the flat C-order values of an array of shape `shape`, as a version 1.0 `.npy` file (2.0 when the header needs more than 65535 bytes). */
export function encodeNpy(data: Float32Array | Float64Array | Int32Array, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new NpyError(`invalid shape ${formatShape(shape)}`);
  }
  if (shapeSize(shape) !== data.length) {
    throw new NpyError(`shape ${formatShape(shape)} holds ${shapeSize(shape)} elements but data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtypeOf(data)]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let preamble = 10;
  if (header.length + 1 + preamble > 65535) {
    version = 2;
    preamble = 12;
  }
  const total = preamble + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(preamble + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(body, preamble + header.length);
  return out;
}

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  // Trimming instead of one anchored regex: a lazy `(.*?)` between `\s*` runs backtracks cubically on a
  // long whitespace header with no closing brace (37 s for 1000 spaces).
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw new NpyError(`header is not a Python dict literal: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const body = trimmed.slice(1, -1);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(body);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(body);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(body);
  if (!descr || !fortran || !shape) {
    throw new NpyError(`header lacks one of 'descr', 'fortran_order', 'shape': ${JSON.stringify(text.trim())}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const parsed = dims.map((d) => {
    if (!/^\d+L?$/.test(d)) throw new NpyError(`shape entry '${d}' is not a non-negative integer`);
    return parseInt(d, 10);
  });
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: parsed };
}

/** Where a `.npy` file's data section starts, and what it holds. */
export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the first element (preamble + header). */
  dataOffset: number;
}

/**
 * Length in bytes of a `.npy` file's preamble and header, from its first bytes (12 suffice; a shorter
 * `prefix` must be the whole file). Checks the magic string and the format version.
 */
export function npyHeaderLength(prefix: Uint8Array): number {
  if (prefix.length < 10) throw new NpyError(`file too short for a .npy header (${prefix.length} bytes)`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (prefix[i] !== MAGIC[i]) throw new NpyError('missing the \\x93NUMPY magic string: not a .npy file');
  }
  const major = prefix[6];
  if (major < 1 || major > 3) throw new NpyError(`unsupported .npy format version ${major}.${prefix[7]}`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const preamble = major === 1 ? 10 : 12;
  if (prefix.length < preamble) throw new NpyError('file too short for its header length field');
  return preamble + (major === 1 ? view.getUint16(8, true) : view.getUint32(8, true));
}

/**
 * Decode the header of a `.npy` file of `fileLength` bytes from its first bytes (at least
 * `npyHeaderLength` of them), and check that the data section is exactly as long as the shape needs, so
 * that a reader may then fetch any range of elements. Rejects what `decodeNpy` rejects.
 */
export function decodeNpyHeader(bytes: Uint8Array, fileLength: number): NpyHeader {
  const dataOffset = npyHeaderLength(bytes);
  const preamble = bytes[6] === 1 ? 10 : 12;
  if (dataOffset > fileLength || dataOffset > bytes.length) {
    throw new NpyError(`header length ${dataOffset - preamble} runs past the end of the file (${fileLength} bytes)`);
  }
  const headerBytes = bytes.subarray(preamble, dataOffset);
  const text = bytes[6] === 3 ? utf8(headerBytes) : latin1(headerBytes);
  const { descr, fortran, shape } = parseHeader(text);
  if (fortran) throw new NpyError('Fortran-order arrays are not supported; save with C order (np.ascontiguousarray)');
  const dtype = FROM_DESCR[descr];
  if (!dtype) {
    throw new NpyError(`unsupported dtype '${descr}': expected little-endian float32 (<f4), float64 (<f8) or int32 (<i4)`);
  }
  const needed = shapeSize(shape) * (dtype === 'float64' ? 8 : 4);
  const available = fileLength - dataOffset;
  if (available !== needed) {
    throw new NpyError(
      `data section has ${available} bytes but shape ${formatShape(shape)} of ${dtype} needs ${needed}` + (available < needed ? ' (truncated file?)' : ''),
    );
  }
  return { dtype, shape, dataOffset };
}

/** Decode a `.npy` file. Big-endian, Fortran-order, object and other dtypes are rejected with a reason. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const { dtype, shape, dataOffset } = decodeNpyHeader(bytes, bytes.length);
  // A fresh copy: Node's Buffer.slice is a view into a shared pool, so `.buffer` would not be ours.
  const copy = new Uint8Array(bytes.subarray(dataOffset)).buffer;
  const data = dtype === 'float32' ? new Float32Array(copy) : dtype === 'float64' ? new Float64Array(copy) : new Int32Array(copy);
  return { dtype, shape, data };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function utf8(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new NpyError('version 3.0 header is not valid UTF-8');
  }
}
