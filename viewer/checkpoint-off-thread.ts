/**
 * Loading a bundled checkpoint in a short-lived worker (viewer/checkpoint-worker.ts): the main thread
 * only receives the validated result (a structured clone of plain data and Float32Arrays). This module
 * imports no model code, so it can run before the page's other modules evaluate.
 */
import type { Checkpoint } from '../model/checkpoint.ts';
import type { CheckpointReply, CheckpointRequest } from './checkpoint-worker.ts';

/** Fetch and validate the checkpoint at `url` off the main thread; `name` labels it in messages. */
export function fetchCheckpointOffThread(url: string, name: string): Promise<Checkpoint> {
  const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<Checkpoint>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<CheckpointReply>) => {
      if ('error' in e.data) reject(new Error(e.data.error));
      else resolve(e.data.checkpoint);
    };
    worker.onerror = (e) => reject(new Error(e.message || `the worker loading ${name} failed`));
    // The worker's own URL is under assets/: resolve the checkpoint's against the page.
    const msg: CheckpointRequest = { url: new URL(url, document.baseURI).href, name };
    worker.postMessage(msg);
  }).finally(() => worker.terminate());
}
