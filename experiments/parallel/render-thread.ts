/**
 * A thread for rendering report figures: it loads Vega as soon as it starts, and `renderFigures` hands
 * it every figure, so the thread that analyses never loads Vega and the figures that need no fixed
 * points are drawn while the search still runs (`reach experiment` with more than one worker). The
 * renderer is the same, so the SVG text is the same as when drawn on the calling thread. A resource:
 * dispose() it.
 */
import { Worker } from 'node:worker_threads';
import type { VegaLiteSpec } from '../report/render.ts';
import { workerEntry } from './worker-entry.ts';

export interface RenderThread {
  /** SVG text of each spec, in order. */
  render(specs: VegaLiteSpec[]): Promise<string[]>;
  /** End the thread (once: later calls wait for the same end). */
  dispose(): Promise<void>;
}

/** Start the thread now: it loads Vega in the background until the first request. */
export function startRenderThread(): RenderThread {
  const worker = new Worker(workerEntry('render-worker'));
  const waiting = new Map<number, { resolve: (svgs: string[]) => void; reject: (err: Error) => void }>();
  let failed: Error | null = null;
  const failAll = (err: Error) => {
    failed = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; svgs?: string[]; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`render thread: ${m.error}`));
    else w?.resolve(m.svgs!);
  });
  worker.on('error', failAll);
  const onExit = (code: number) => failAll(new Error(`render thread exited with code ${code}`));
  worker.on('exit', onExit);
  let next = 0;
  let stopped: Promise<void> | null = null;
  return {
    render(specs) {
      if (failed) return Promise.reject(failed);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, specs });
      });
    },
    dispose() {
      if (!stopped) {
        worker.removeListener('exit', onExit);
        // Requests still waiting, and any made later, would otherwise wait for a thread that is gone.
        failAll(new Error('render thread disposed'));
        stopped = worker.terminate().then(() => {});
      }
      return stopped;
    },
  };
}
