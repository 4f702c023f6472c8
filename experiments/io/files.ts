/** File helpers shared by every command: atomic writes and `.npy` files on disk. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Write JSON (2-space indented, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Write a `.npy` file atomically. */
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
