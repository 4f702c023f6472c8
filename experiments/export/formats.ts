/** The export formats by name (apart from the exporters, so the CLI can list them without loading them). */
export const EXPORT_FORMATS = ['npy', 'csv', 'nwb'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
