/**
 * `.npy` export: every array of a run, byte for byte as the run stored it, plus a manifest.json with
 * each array's shape, dtype, unit and axis names, and the trial records (trials.json).
 */
import { join } from 'node:path';
import { copyFileAtomic, writeJsonAtomic } from '../io/files.ts';
import { listedSha256, type RunMeta } from '../run-dir.ts';
import type { ExportOptions } from './types.ts';

export const NPY_EXPORT_FORMAT = 'reach-export-npy';

/**
 * Write the run's arrays as `.npy` into `outDir`, each file streamed in 1 MB chunks (memory does not grow
 * with the run); returns the paths written (manifest.json last).
 */
export function exportNpy(run: RunMeta, outDir: string, options: ExportOptions = {}): string[] {
  const written: string[] = [];
  for (const entry of run.manifest.arrays) {
    options.progress?.(`npy: ${entry.file}`);
    // The run's own bytes, not a re-encoding: a file written by NumPy (v2/v3 header, other padding) stays
    // identical. Copied in chunks, and refused unless its SHA-256 is the manifest's.
    const path = join(outDir, entry.file);
    copyFileAtomic(join(run.dir, entry.file), path, listedSha256(run.dir, entry.file, entry.sha256));
    written.push(path);
  }
  const trialsPath = join(outDir, 'trials.json');
  writeJsonAtomic(trialsPath, run.trials);
  written.push(trialsPath);
  const manifestPath = join(outDir, 'manifest.json');
  writeJsonAtomic(manifestPath, {
    format: NPY_EXPORT_FORMAT,
    version: 1,
    source: run.dir,
    dt: run.dt,
    trials: 'trials.json',
    arrays: run.manifest.arrays,
  });
  written.push(manifestPath);
  return written;
}
