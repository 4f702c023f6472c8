/**
 * The worker thread of ./export-thread.ts: reads the run directory, writes each export in turn and
 * answers with the files written, or with the error that stopped it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exportRun, type ExportFormat } from '../export/index.ts';
import { readRunDir } from '../run-dir.ts';
import { mark } from './timeline.ts';

const { runDir, jobs } = workerData as { runDir: string; jobs: Array<{ format: ExportFormat; outDir: string }> };

mark('loaded', 'export');
try {
  const run = readRunDir(runDir);
  mark('run read', 'export');
  const written: Record<string, string[]> = {};
  for (const j of jobs) {
    written[j.format] = await exportRun(run, j.format, j.outDir);
    mark(`${j.format} written`, 'export');
  }
  parentPort!.postMessage({ written });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).stack ?? String(err) });
}
