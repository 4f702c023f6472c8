/** The main thread's side of the reference worker: the newest request wins, older replies are dropped. */
import type { Checkpoint } from '../model/checkpoint.ts';
import type { References } from './reference.ts';
import type { ReferenceReply, ReferenceRequest } from './reference-worker.ts';

/** Owns the worker, started by the first request: call `dispose()` when done. */
export class ReferenceClient {
  private worker: Worker | null = null;
  private latest = 0;
  private onReply: ((refs: References | null, error: string | null) => void) | null = null;

  private start(): Worker {
    const worker = new Worker(new URL('./reference-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<ReferenceReply>) => {
      if (e.data.id !== this.latest || !this.onReply) return;
      if ('error' in e.data) this.onReply(null, e.data.error);
      else this.onReply(e.data.references, null);
    };
    worker.onerror = (e) => this.onReply?.(null, e.message || 'the reference worker failed');
    return worker;
  }

  /** Compute references for `checkpoint` with go at `goStep`; `done` is called once, unless a newer request supersedes this one. */
  request(checkpoint: Checkpoint, goStep: number, done: (refs: References | null, error: string | null) => void): void {
    this.latest++;
    this.onReply = done;
    // The optimizer state is not needed to run the controller: not copied to the worker.
    const msg: ReferenceRequest = { id: this.latest, checkpoint: { ...checkpoint, resume: undefined }, goStep };
    this.worker ??= this.start();
    this.worker.postMessage(msg);
  }

  dispose(): void {
    this.worker?.terminate();
  }
}
