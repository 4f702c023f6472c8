/** The exporters behind `reach export`, by format name. */
import type { RunData } from '../run-dir.ts';
import type { ExportFormat } from './formats.ts';
import { exportCsv } from './csv.ts';
import { exportNpy } from './npy.ts';
import { exportNwb, type NwbExportOptions } from './nwb.ts';

export { exportCsv, readCsvExport } from './csv.ts';
export { exportNpy } from './npy.ts';
export { exportNwb, NWB_VERSION } from './nwb.ts';

export { EXPORT_FORMATS, type ExportFormat } from './formats.ts';

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
