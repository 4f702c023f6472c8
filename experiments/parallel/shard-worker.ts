/**
 * A worker thread that computes shards of training batches (model/shards.ts) for experiments/parallel/
 * shard-pool.ts. It reads each batch (trials, shards, mode) from shared memory, claims its shards one at
 * a time from the pool's shared counter until none is left or it leaves the last ones to faster threads
 * (./shard-pace.ts), writes each one's result to shared memory and wakes the calling thread. Between
 * batches it blocks on the counter (Atomics.wait), so the next batch's opening wakes it at once, with no
 * message through its event loop; after PARK_MS without a batch it goes back to its event loop (where
 * setup, release and termination arrive), flagged parked, and the pool posts it a 'serve' message for
 * the next batch. It loads its own tfjs backend (the one the main
 * thread uses, so that a shard is the same computation wherever it runs) and keeps the episodes of the
 * current training.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.ts';
import type { Gradients } from '../../model/episode.ts';
import type { NetworkParams } from '../../model/network.ts';
import { ShardEpisodes } from '../../model/shards.ts';
import { batchRequest, finishOutcome, readRequest, shardGradients, shardOutcomes, sharedParams, type BatchRequest, type ShardOutcomes } from './shard-memory.ts';
import { computeShards } from './shard-pace.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { mark } from './timeline.ts';

/** How long a worker blocks for the next batch before it goes back to its event loop (ms). */
const PARK_MS = 50;

const port = parentPort!;
const data = workerData as ShardWorkerData;
const me = `shard ${threadId}`;
mark('loaded', me);

interface Training {
  episodes: ShardEpisodes;
  claims: Int32Array;
  parked: Int32Array;
  slot: number;
  /** Every thread's pace (./shard-pace.ts); this worker's is at slot + 1. */
  pace: Float64Array;
  params: NetworkParams;
  slots: Gradients[];
  outcomes: ShardOutcomes;
  request: BatchRequest;
  /** The last batch this worker claimed from. */
  served: number;
}

/** Claim and compute the shards of every batch opened while this worker is awake; return when parked. */
function serve(t: Training): void {
  for (;;) {
    const r = readRequest(t.request);
    if (r && r.number !== t.served) {
      t.served = r.number;
      computeShards(t.claims, t.pace, t.slot + 1, r.number, r.shards, r.mode, (i) => {
        mark(`shard ${i}`, me);
        finishOutcome(t.outcomes, r.number, t.episodes.run(t.params, t.request.trials, r.shards[i], r.mode, t.slots[r.shards[i].index]));
      });
      mark('done', me);
    }
    const word = Atomics.load(t.claims, 0);
    const next = readRequest(t.request);
    if (next && next.number !== t.served) continue;
    if (Atomics.wait(t.claims, 0, word, PARK_MS) !== 'timed-out') continue;
    Atomics.store(t.parked, t.slot, 1);
    // A batch opened just before the flag was set: take it back unless the pool already did (then a 'serve' message is on its way).
    if (Atomics.load(t.claims, 0) === word || Atomics.compareExchange(t.parked, t.slot, 1, 0) !== 1) return;
  }
}

try {
  const { tf, backend } = await initBackend(data.backend);
  mark(`backend ${backend}`, me);
  let current: Training | null = null;
  port.on('message', (req: WorkerRequest) => {
    try {
      if (req.kind === 'serve') {
        if (!current) throw new Error('shards before setup');
        serve(current);
        return;
      }
      current?.episodes.dispose();
      current =
        req.kind === 'setup'
          ? {
              episodes: new ShardEpisodes(tf, req.setup, req.batch, req.steps),
              claims: req.claims,
              parked: req.parked,
              slot: req.slot,
              pace: req.pace,
              params: sharedParams(req.memory),
              slots: shardGradients(req.memory),
              outcomes: shardOutcomes(req.memory),
              request: batchRequest(req.memory),
              served: 0,
            }
          : null;
      if (current) Atomics.store(current.parked, current.slot, 1);
      port.postMessage({ kind: 'ready', id: req.id } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ kind: 'error', id: req.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready', id: -1, backend } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ kind: 'error', id: -1, message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
}
