/**
 * `motor-cortex-rnn/io`: `.npy` arrays, run directories and exports (npy, CSV, NWB), for Node.
 *
 * A run directory holds one `.npy` file per recorded array (each with its unit and axes in the
 * manifest) plus the trials and config; `readRunDir` loads it, `exportRun` converts it to the formats
 * other labs' tools read. `encodeNpy`/`decodeNpy` work on bytes and run anywhere; the rest uses the file
 * system.
 *
 * @packageDocumentation
 */
export { encodeNpy, decodeNpy, NpyError, type NpyArray, type NpyDtype } from '../core/npy.ts';
export { readNpyFile, writeNpyFile } from '../experiments/io/files.ts';
export {
  readRunDir,
  writeRunDir,
  openRunDir,
  getRunArray,
  RUN_FORMAT_VERSION,
  type RunArray,
  type RunContents,
  type RunData,
  type RunManifest,
  type RunMeta,
  type TrialRecord,
  type RunTypedArray,
  type RunArrayEntry,
} from '../experiments/run-dir.ts';
export type { ExportOptions } from '../experiments/export/types.ts';
export type { NwbExportOptions } from '../experiments/export/nwb.ts';
export { exportRun, exportNpy, exportCsv, exportNwb, readCsvExport, EXPORT_FORMATS, NWB_VERSION, type ExportFormat } from '../experiments/export/index.ts';
export { loadCheckpointFile } from '../experiments/training.ts';
export { PACKAGE_VERSION, DEFAULT_CHECKPOINT } from '../experiments/package-info.ts';
