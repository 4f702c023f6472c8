/** Options shared by every exporter. */
export interface ExportOptions {
  /** Called before each file or block is written, with a short message (the CLI prints it on stderr). */
  progress?: (message: string) => void;
}
