/** File helpers shared by every command: atomic writes and `.npy` files on disk. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeNpy, encodeNpy, NpyError, type NpyArray } from '../../core/npy.ts';

let counter = 0;

/**
 * Create a directory and its missing parents, one level at a time: Node's recursive mkdir never returns
 * under /proc (it retries ENOENT forever), and an error here names the level that could not be made.
 */
export function ensureDir(path: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new Error(`cannot use ${path} as a directory: ${abs} is a file`);
    return;
  }
  const parent = dirname(abs);
  if (parent !== abs) ensureDir(parent);
  try {
    mkdirSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(abs).isDirectory()) return;
    throw new Error(`cannot create directory ${abs}: ${code ?? (err as Error).message}`, { cause: err });
  }
}

/** A temp name beside `path` that io/out-dir.ts recognises (and removes once this process is gone). */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${counter++}.tmp`;
}

/** Write a file atomically: to a temp file in the same folder, then rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A text file written piece by piece, in bounded memory, that appears under its name only when closed. */
export interface StreamWriter {
  /** Append text (buffered; flushed to disk every ~1 MB). */
  write(text: string): void;
  /** Flush, rename into place and return the SHA-256 (hex) of the file. */
  close(): string;
  /** Remove the partial file. */
  abort(): void;
}

/** Start writing `path` as a stream: to a temp file beside it, renamed over `path` on close. */
export function createStreamWriter(path: string, flushAt = 1 << 20): StreamWriter {
  ensureDir(dirname(path));
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  let pending: string[] = [];
  let size = 0;
  let open = true;
  const flush = () => {
    if (pending.length === 0) return;
    const chunk = Buffer.from(pending.join(''), 'utf8');
    hash.update(chunk);
    for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
    pending = [];
    size = 0;
  };
  return {
    write(text) {
      pending.push(text);
      size += text.length;
      if (size >= flushAt) flush();
    },
    close() {
      flush();
      closeSync(fd);
      open = false;
      renameSync(tmp, path);
      return hash.digest('hex');
    },
    abort() {
      if (open) closeSync(fd);
      open = false;
      rmSync(tmp, { force: true });
    },
  };
}

/**
 * Copy `src` to `dest` atomically in chunks of 1 MB (memory does not grow with the file), hashing the
 * bytes as they pass; `verify` gets the SHA-256 (hex) of what was copied and throws to refuse it, in
 * which case nothing appears at `dest`.
 */
export function copyFileAtomic(src: string, dest: string, verify?: (sha256: string) => void): void {
  ensureDir(dirname(dest));
  const tmp = tempPathFor(dest);
  let input: number | undefined;
  let output: number | undefined;
  try {
    input = openSync(src, 'r');
    output = openSync(tmp, 'w');
    const hash = createHash('sha256');
    const buf = new Uint8Array(1 << 20);
    for (let n = readSync(input, buf); n > 0; n = readSync(input, buf)) {
      hash.update(buf.subarray(0, n));
      for (let off = 0; off < n; ) off += writeSync(output, buf, off, n - off);
    }
    closeSync(output);
    output = undefined;
    verify?.(hash.digest('hex'));
    renameSync(tmp, dest);
  } catch (err) {
    if (output !== undefined) closeSync(output);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    if (input !== undefined) closeSync(input);
  }
}

/** Write JSON (2-space indented, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Write `data` (flat, C order) as a `.npy` file of shape `shape`, atomically (a temporary sibling renamed into place). */
export function writeNpyFile(path: string, data: Float32Array | Float64Array | Int32Array, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

/** Read a `.npy` file; errors name the file. */
export function readNpyFile(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    return decodeNpy(bytes);
  } catch (err) {
    if (err instanceof NpyError) throw new NpyError(`${path}: ${err.message}`);
    throw err;
  }
}

/** Read and parse a JSON file; errors name the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
