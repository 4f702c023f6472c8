/** The exporters behind `reach export`, by format name. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isNonEmptyDir, stageDir, withOutputLock } from '../io/out-dir.ts';
import type { RunMeta } from '../run-dir.ts';
import type { ExportFormat } from './formats.ts';
import { exportCsv } from './csv.ts';
import { exportNpy } from './npy.ts';
import { exportNwb, NWB_FILE, type NwbExportOptions } from './nwb.ts';

export { exportCsv, readCsvExport } from './csv.ts';
export { exportNpy } from './npy.ts';
export { exportNwb, NWB_VERSION } from './nwb.ts';

export { EXPORT_FORMATS, type ExportFormat } from './formats.ts';

/** Whether `dir` holds an export this program wrote (so that a new export may replace it whole). */
function isExportDir(dir: string): boolean {
  if (existsSync(join(dir, NWB_FILE))) return true;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    return typeof manifest.format === 'string' && manifest.format.startsWith('reach-export-');
  } catch {
    return false;
  }
}

/**
 * Export `run` (a run read whole, or only its manifest, trials and config: the exporters stream the
 * arrays from its files) in one format into `outDir`, holding its lock; returns the paths written. The export is
 * written in a temporary sibling that replaces `outDir` whole when complete, so files of an earlier
 * export (perhaps of another run) never mix with new ones, and a killed export leaves the earlier one
 * intact. `outDir` must be new, empty or an earlier export.
 */
export async function exportRun(run: RunMeta, format: ExportFormat, outDir: string, options: NwbExportOptions = {}): Promise<string[]> {
  return withOutputLock(outDir, async () => {
    if (isNonEmptyDir(outDir) && !isExportDir(outDir)) {
      throw new Error(`${outDir} holds files that are not an export written by reach (${readdirSync(outDir).slice(0, 3).join(', ')}…); choose a new or empty --out`);
    }
    const staged = stageDir(outDir, { force: true });
    try {
      const written = await writeExport(run, format, staged.tmp, options);
      staged.commit();
      return written.map((p) => join(staged.out, relative(staged.tmp, p)));
    } catch (err) {
      staged.abandon();
      throw err;
    }
  });
}

function writeExport(run: RunMeta, format: ExportFormat, outDir: string, options: NwbExportOptions): string[] | Promise<string[]> {
  switch (format) {
    case 'npy':
      return exportNpy(run, outDir, options);
    case 'csv':
      return exportCsv(run, outDir, options);
    case 'nwb':
      return exportNwb(run, outDir, options);
  }
}
