/**
 * A worker thread that computes shards of training batches (model/shards.ts) for experiments/parallel/
 * shard-pool.ts: for each batch it claims shards one at a time from the pool's shared counter until none
 * is left, and replies with those it computed. It loads its own tfjs backend (the one the main thread
 * uses, so that a shard is the same computation wherever it runs) and keeps the episodes of the current training.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.ts';
import { ShardEpisodes, type ShardResult } from '../../model/shards.ts';
import { claimShard } from './shard-claims.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { mark } from './timeline.ts';

const port = parentPort!;
const data = workerData as ShardWorkerData;
const me = `shard ${threadId}`;
mark('loaded', me);

try {
  const { tf, backend } = await initBackend(data.backend);
  mark(`backend ${backend}`, me);
  let episodes: ShardEpisodes | null = null;
  let claims: Int32Array | null = null;
  port.on('message', (req: WorkerRequest) => {
    try {
      if (req.kind === 'shards') {
        const ep = episodes;
        if (!ep || !claims) throw new Error('shards before setup');
        const results: ShardResult[] = [];
        for (let i; (i = claimShard(claims, req.batch, req.shards.length)) >= 0; ) {
          mark(`shard ${i}`, me);
          results.push(ep.run(req.params, req.trials, req.shards[i], req.mode));
        }
        mark('done', me);
        const buffers = results.flatMap((r) => Object.values(r.grads).map((g) => g.buffer as ArrayBuffer));
        port.postMessage({ kind: 'results', id: req.id, results } satisfies WorkerReply, buffers);
        return;
      }
      episodes?.dispose();
      episodes = req.kind === 'setup' ? new ShardEpisodes(tf, req.setup, req.batch, req.steps) : null;
      claims = req.kind === 'setup' ? req.claims : null;
      port.postMessage({ kind: 'ready', id: req.id } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ kind: 'error', id: req.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready', id: -1, backend } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ kind: 'error', id: -1, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
}
