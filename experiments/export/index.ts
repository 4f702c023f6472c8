/** The exporters behind `reach export`, by format name. */
import type { RunData } from '../run-dir.ts';
import { exportCsv } from './csv.ts';
import { exportNpy } from './npy.ts';
import { exportNwb, type NwbExportOptions } from './nwb.ts';

export { exportCsv, readCsvExport } from './csv.ts';
export { exportNpy } from './npy.ts';
export { exportNwb, NWB_VERSION } from './nwb.ts';

export const EXPORT_FORMATS = ['npy', 'csv', 'nwb'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Export `run` in one format into `outDir` (created if needed); returns the paths written. */
export async function exportRun(run: RunData, format: ExportFormat, outDir: string, options: NwbExportOptions = {}): Promise<string[]> {
  switch (format) {
    case 'npy':
      return exportNpy(run, outDir, options);
    case 'csv':
      return exportCsv(run, outDir, options);
    case 'nwb':
      return exportNwb(run, outDir, options);
  }
}
