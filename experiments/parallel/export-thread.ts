/**
 * A run's exports on a thread of their own, so that they are written while the calling thread analyses
 * the same run (`reach experiment` with more than one worker). The exporters are the ones `reach export`
 * uses, on the run directory as committed, so the files are the same.
 */
import { Worker } from 'node:worker_threads';
import type { ExportFormat } from '../export/index.ts';
import { workerEntry } from './worker-entry.ts';

/** Write the exports `jobs` of the run directory `runDir` on a new thread; resolves to the files written per format. */
export function exportOnThread(runDir: string, jobs: Array<{ format: ExportFormat; outDir: string }>): Promise<Record<string, string[]>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry('export-worker'), { workerData: { runDir, jobs } });
    let settled = false;
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
}
