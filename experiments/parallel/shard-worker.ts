/**
 * A worker thread that computes shards of training batches (model/shards.ts) for experiments/parallel/
 * shard-pool.ts: for each batch it claims shards one at a time from the pool's shared counter until none
 * is left, writes each one's result to shared memory and wakes the calling thread, and replies when done. It loads its own tfjs backend (the one the main thread
 * uses, so that a shard is the same computation wherever it runs) and keeps the episodes of the current training.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.ts';
import type { Gradients } from '../../model/episode.ts';
import type { NetworkParams } from '../../model/network.ts';
import { ShardEpisodes } from '../../model/shards.ts';
import { claimShard, finishShard } from './shard-claims.ts';
import { finishOutcome, shardGradients, shardOutcomes, sharedParams, type ShardOutcomes } from './shard-memory.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { mark } from './timeline.ts';

const port = parentPort!;
const data = workerData as ShardWorkerData;
const me = `shard ${threadId}`;
mark('loaded', me);

try {
  const { tf, backend } = await initBackend(data.backend);
  mark(`backend ${backend}`, me);
  /** The current training's episodes, claim counter, shared weights and gradient slots. */
  let current: { episodes: ShardEpisodes; claims: Int32Array; params: NetworkParams; slots: Gradients[]; outcomes: ShardOutcomes } | null = null;
  port.on('message', (req: WorkerRequest) => {
    try {
      if (req.kind === 'shards') {
        if (!current) throw new Error('shards before setup');
        const { episodes, claims, params, slots, outcomes } = current;
        for (let i; (i = claimShard(claims, req.batch, req.shards.length)) >= 0; ) {
          mark(`shard ${i}`, me);
          finishOutcome(outcomes, req.batch, episodes.run(params, req.trials, req.shards[i], req.mode, slots[req.shards[i].index]));
          finishShard(claims);
        }
        mark('done', me);
        port.postMessage({ kind: 'done', id: req.id } satisfies WorkerReply);
        return;
      }
      current?.episodes.dispose();
      current = req.kind === 'setup' ? { episodes: new ShardEpisodes(tf, req.setup, req.batch, req.steps), claims: req.claims, params: sharedParams(req.memory), slots: shardGradients(req.memory), outcomes: shardOutcomes(req.memory) } : null;
      port.postMessage({ kind: 'ready', id: req.id } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ kind: 'error', id: req.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready', id: -1, backend } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ kind: 'error', id: -1, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
}
