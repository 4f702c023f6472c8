/** The export formats by name (apart from the exporters, so the CLI can list them without loading them). */
export const EXPORT_FORMATS = ['npy', 'csv', 'nwb'] as const;
/** An export format: one .npy per array, CSV tables, or one NWB (HDF5) file. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
