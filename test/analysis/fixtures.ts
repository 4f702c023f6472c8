/** Reads the fixture recordings of test/fixtures/ (see its README for provenance and reference values). */
import { fileURLToPath } from 'node:url';
import type { NpyArray } from '../../core/npy.ts';
import { readNpyFile } from '../../experiments/io/files.ts';

/** Read a fixture `.npy` (path relative to test/fixtures/). */
export function readFixture(relative: string): NpyArray {
  return readNpyFile(fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url)));
}

/** |actual − expected| / |expected|. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * Whether `actual` agrees with a reference printed as `printed` (e.g. "0.0085654"): to 1e-6 relative,
 * or, where the printed value carries fewer digits than that, to within half a unit of its last digit.
 */
export function agreesWithPrinted(actual: number, printed: string): boolean {
  const value = Number(printed);
  const decimals = printed.includes('.') ? printed.split('.')[1].length : 0;
  return Math.abs(actual - value) <= Math.max(1e-6 * Math.abs(value), 0.5 * 10 ** -decimals);
}
