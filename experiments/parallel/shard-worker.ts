/**
 * A worker thread that computes shards of training batches (model/shards.ts) for experiments/parallel/
 * shard-pool.ts. It loads its own tfjs backend (the one the main thread uses, so that a shard is the same
 * computation wherever it runs), keeps the episodes of the current training, and answers each request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.ts';
import { ShardEpisodes } from '../../model/shards.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';

const port = parentPort!;
const data = workerData as ShardWorkerData;

try {
  const { tf } = await initBackend(data.backend);
  let episodes: ShardEpisodes | null = null;
  port.on('message', (req: WorkerRequest) => {
    try {
      if (req.kind === 'shard') {
        if (!episodes) throw new Error('shard before setup');
        const result = episodes.run(req.params, req.trials, req.shard, req.mode);
        port.postMessage({ kind: 'result', id: req.id, result } satisfies WorkerReply, Object.values(result.grads).map((g) => g.buffer as ArrayBuffer));
        return;
      }
      episodes?.dispose();
      episodes = req.kind === 'setup' ? new ShardEpisodes(tf, req.setup, req.batch, req.steps) : null;
      port.postMessage({ kind: 'ready', id: req.id } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ kind: 'error', id: req.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready', id: -1 } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ kind: 'error', id: -1, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
}
