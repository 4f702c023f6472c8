/**
 * A run's exports on a thread of their own, so that they are written while the calling thread analyses
 * the same run (`reach experiment` with more than one worker). The exporters are the ones `reach export`
 * uses, on the run directory as committed, so the files are the same.
 */
import { Worker } from 'node:worker_threads';
import type { ExportFormat } from '../export/index.ts';
import { workerEntry } from './worker-entry.ts';

/** Exports being written on their own thread. A resource: stop() ends the thread if it has not finished. */
export interface ExportThread {
  /** The files written per format. */
  written: Promise<Record<string, string[]>>;
  stop(): Promise<void>;
}

/** Start writing the exports `jobs` of the run directory `runDir` on a new thread. */
export function exportOnThread(runDir: string, jobs: Array<{ format: ExportFormat; outDir: string }>): ExportThread {
  const worker = new Worker(workerEntry('export-worker'), { workerData: { runDir, jobs } });
  let settled = false;
  const written = new Promise<Record<string, string[]>>((resolve, reject) => {
    worker.once('message', (m: { written?: Record<string, string[]>; error?: string }) => {
      settled = true;
      if (m.error !== undefined) reject(new Error(`export thread: ${m.error}`));
      else resolve(m.written!);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`export thread exited with code ${code} before it answered`));
    });
  });
  return {
    written,
    async stop() {
      if (!settled) {
        settled = true;
        await worker.terminate();
      }
    },
  };
}
