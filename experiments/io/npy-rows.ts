/**
 * A `.npy` file read a block of rows at a time (rows = indices of the first axis), through a file
 * handle and byte offsets: memory holds the block asked for, never the whole array, so a reader's cost
 * does not grow with the length of a run. The header codec is core/npy.ts.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeNpyHeader, npyHeaderLength, NpyError, shapeSize, type NpyArray, type NpyDtype } from '../../core/npy.ts';

/** Bytes read per system call when hashing or copying. */
export const CHUNK_BYTES = 1 << 20;

/** An open `.npy` file (a resource: call `close()`). */
export interface NpyRows {
  path: string;
  dtype: NpyDtype;
  shape: number[];
  /** Elements per row (per index of the first axis); the element count for a 0-d array. */
  rowSize: number;
  /** Rows [start, start + count) as one row-major array (shape [count, ...shape.slice(1)]). */
  read(start: number, count: number): NpyArray['data'];
  /** Every element. */
  readAll(): NpyArray['data'];
  close(): void;
}

/** Read exactly `length` bytes at `position` of `fd` into a fresh buffer (throws if the file is shorter). */
function readAt(fd: number, position: number, length: number, path: string): Uint8Array {
  const buf = new Uint8Array(length);
  for (let off = 0; off < length; ) {
    const n = readSync(fd, buf, off, length - off, position + off);
    if (n === 0) throw new Error(`${path}: file ended at byte ${position + off}, ${length - off} bytes short (was it changed while being read?)`);
    off += n;
  }
  return buf;
}

/** SHA-256 (hex) of an open file's bytes, read in chunks of `CHUNK_BYTES`. */
export function sha256OfFd(fd: number): string {
  const hash = createHash('sha256');
  const buf = new Uint8Array(CHUNK_BYTES);
  for (let position = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, position);
    if (n === 0) break;
    hash.update(buf.subarray(0, n));
    position += n;
  }
  return hash.digest('hex');
}

/**
 * Open `path` for reading by rows. With `verify`, the file's SHA-256 is computed first in one streaming
 * pass over the same handle and passed to `verify`, which throws to refuse the file; rows read later come
 * from that same handle, so a file replaced meanwhile (renamed over) cannot slip in. Errors name the file.
 */
export function openNpyRows(path: string, verify?: (sha256: string) => void): NpyRows {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    if (verify) verify(sha256OfFd(fd));
    const size = fstatSync(fd).size;
    const prefix = readAt(fd, 0, Math.min(size, 12), path);
    let header;
    try {
      const length = npyHeaderLength(prefix);
      header = decodeNpyHeader(readAt(fd, 0, Math.min(size, length), path), size);
    } catch (err) {
      if (err instanceof NpyError) throw new NpyError(`${path}: ${err.message}`);
      throw err;
    }
    const { dtype, shape, dataOffset } = header;
    const item = dtype === 'float64' ? 8 : 4;
    const rowSize = shapeSize(shape.slice(1));
    const rows = shape.length === 0 ? 1 : shape[0];
    const view = (bytes: Uint8Array) =>
      dtype === 'float32' ? new Float32Array(bytes.buffer) : dtype === 'float64' ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer);
    const read = (start: number, count: number) => {
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
        throw new Error(`${path}: rows [${start}, ${start + count}) are outside the array's ${rows} rows`);
      }
      return view(readAt(fd, dataOffset + start * rowSize * item, count * rowSize * item, path));
    };
    return {
      path,
      dtype,
      shape,
      rowSize,
      read,
      readAll: () => view(readAt(fd, dataOffset, shapeSize(shape) * item, path)),
      close: () => closeSync(fd),
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
