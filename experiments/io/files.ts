/** File helpers shared by every command: atomic writes and `.npy` files on disk. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeNpy, encodeNpy, NpyError, type NpyArray } from '../../core/npy.ts';

let counter = 0;

/** Write a file atomically: to a temp file in the same folder, then rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${counter++}.tmp`;
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
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
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
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
