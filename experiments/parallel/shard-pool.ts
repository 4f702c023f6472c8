/**
 * Training shards on several threads: the calling thread and a pool of workers (experiments/parallel/
 * shard-worker.ts), each worker with its own tfjs backend. The calling thread writes a batch's weights,
 * trials and shards to shared memory (./shard-memory.ts) and opens it on a shared counter
 * (./shard-claims.ts), which wakes the workers blocked on it (a worker idle for longer is sent a
 * message); then every thread, the calling one included, claims the batch's shards one at a time and
 * computes them, until none is left or it leaves the last ones to faster threads (./shard-pace.ts). So a
 * thread slowed down (by another process on its core, or a late start) takes fewer shards instead of
 * holding up the batch, and the calling thread, which also samples
 * the trials and applies the update, never waits for a shard it could have computed. Each shard's
 * result goes to its slot of shared memory; the calling thread adds the gradients of the first shards
 * as they finish, and blocks (Atomics.wait, which Node's main thread may do) for the workers' last ones,
 * woken by the worker that finishes one. No message goes either way in a batch while the workers keep
 * up. Results are combined by model/shards.ts in shard order, so the weights do not depend on the
 * number of threads or on which took which shard. A pool outlives one training (the benchmark trains
 * several networks on one pool); `shardRunnerFor` makes one for a single training.
 */
import { availableParallelism } from 'node:os';
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../../model/backend.ts';
import type { EpisodeSetup } from '../../model/episode.ts';
import { addShardGradients, localShardRunner, resetBatchSums, SHARD_TRIALS, ShardEpisodes, type ShardResult, type ShardRunner, type ShardRunnerFactory } from '../../model/shards.ts';
import { paramShapes } from '../../model/network.ts';
import { createClaims, finishedShards, openBatch } from './shard-claims.ts';
import { computeShards, createPace } from './shard-pace.ts';
import { batchRequest, createShardMemory, readOutcome, shardGradients, shardOutcomes, sharedParams, writeParams, writeRequest } from './shard-memory.ts';
import type { WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { spawnShardWorkers, type PoolWorker, type ShardWorkers, type SpawnedWorkers } from './shard-workers.ts';
import { mark } from './timeline.ts';

export { spawnShardWorkers, type ShardWorkers } from './shard-workers.ts';

/** Longest the calling thread blocks at a time waiting for workers' shards (ms) before it lets events in. */
const WAIT_MS = 20;

/** Default worker count: the cores this process may use. */
export const defaultWorkers = () => availableParallelism();

/** Check a `--workers` value: a whole number ≥ 1. */
export function checkWorkers(workers: number, what = '--workers'): number {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`${what} must be a whole number ≥ 1, got ${workers}`);
  return workers;
}

/** Threads computing shards: the calling thread and `threads` − 1 workers. A resource: dispose() it. */
export interface ShardPool {
  /** Threads that compute shards, the calling thread included. */
  readonly threads: number;
  /** A runner for one training on this pool (its dispose() frees the training's episodes, not the pool). */
  runner(setup: EpisodeSetup, batch: number, steps: number): Promise<ShardRunner>;
  dispose(): Promise<void>;
}

/** Threads a training of `batch` trials uses with `workers` (at most one per shard). */
export function shardThreads(workers: number, batch: number): number {
  return Math.min(checkWorkers(workers), Math.ceil(batch / SHARD_TRIALS));
}

/**
 * Compute shards on this thread and `threads` − 1 workers, all on `backend` (the one `tf`, this thread's,
 * uses): `spawned` workers if given (their count must be `threads` − 1), else new ones. `paceOf` makes
 * each training's pace (./shard-pace.ts; default a fresh one): tests give one that makes a thread look
 * faster, slower or busy, to run the paths where a thread leaves shards to another.
 */
export async function startShardPool(
  tf: typeof tfType,
  backend: BackendName,
  threads: number,
  spawned?: ShardWorkers,
  paceOf: (threads: number) => Float64Array = createPace,
): Promise<ShardPool> {
  checkWorkers(threads, 'threads');
  const own = (spawned ?? spawnShardWorkers(backend, threads - 1)) as SpawnedWorkers;
  if (own.count !== threads - 1) throw new Error(`a shard pool of ${threads} threads needs ${threads - 1} workers, got ${own.count}`);
  const { workers } = own;
  const dispose = () => own.dispose();
  let nextId = 0;
  try {
    const backends = await own.started;
    const other = backends.find((b) => b !== backend);
    if (other) throw new Error(`a shard worker loaded the tfjs backend ${other}, this thread ${backend}: shards must run on one backend`);
  } catch (err) {
    await dispose();
    throw err;
  }

  const call = (w: PoolWorker, req: WorkerRequest): Promise<WorkerReply> => {
    const broken = own.broken();
    if (broken) return Promise.reject(broken);
    return new Promise((resolve, reject) => {
      w.pending.set(req.id, { resolve, reject });
      w.worker.postMessage(req);
    });
  };
  const everyWorker = (make: (id: number) => WorkerRequest) => Promise.all(workers.map((w) => call(w, make(nextId++))));
  const claims = createClaims();
  const parked = new Int32Array(new SharedArrayBuffer(4 * workers.length));
  let batches = 0;

  return {
    threads,
    async runner(setup, batch, steps) {
      const memory = createShardMemory(paramShapes(setup.network), Math.ceil(batch / SHARD_TRIALS), steps, batch);
      const shared = sharedParams(memory);
      const slots = shardGradients(memory);
      const outcomes = shardOutcomes(memory);
      const request = batchRequest(memory);
      const pace = paceOf(threads);
      await Promise.all(workers.map((w, slot) => call(w, { kind: 'setup', id: nextId++, setup, batch, steps, claims, memory, parked, slot, pace })));
      const here = new ShardEpisodes(tf, setup, batch, steps);
      return {
        workers: threads,
        async run(params, trials, shards, mode, sums) {
          // A worker's failure in a batch this thread finished alone is reported at the next batch.
          const broken = own.broken();
          if (broken) throw broken;
          const n = shards.length;
          if (n > slots.length) throw new Error(`a batch of ${n} shards on a shard pool set up for ${slots.length}`);
          const number = ++batches;
          writeParams(shared, params);
          writeRequest(request, number, trials, shards, mode);
          openBatch(claims, number, n);
          // Workers blocked on the counter woke with the opening; those back in their event loop need a message.
          workers.forEach((w, slot) => {
            if (Atomics.compareExchange(parked, slot, 1, 0) === 1) w.worker.postMessage({ kind: 'serve', id: nextId++ } satisfies WorkerRequest);
          });
          mark('post');
          const results = new Array<ShardResult | null>(n).fill(null);
          let missing = n;
          if (sums) resetBatchSums(sums);
          // Take the shards other threads finished, and add the gradients of the finished first shards while others still run.
          const collect = () => {
            for (let i = 0; i < n; i++) {
              if (results[i]) continue;
              // A forward pass makes no gradients: the slot still holds an earlier batch's.
              results[i] = readOutcome(outcomes, number, i, mode === 'forward' ? {} : slots[i], mode === 'gradientFlow');
              if (results[i]) missing--;
            }
            if (sums) while (sums.added < n && results[sums.added]) addShardGradients(sums, results[sums.added]!);
          };
          const run = (i: number) => {
            mark(`shard ${i}`);
            results[i] = here.run(params, trials, shards[i], mode, slots[shards[i].index]);
            missing--;
          };
          computeShards(claims, pace, 0, number, shards, mode, run, collect);
          mark('done');
          // Wait here (Node's main thread may block) for the workers' last shards, woken by their finishShard; now and
          // then yield to the event loop, where a worker's error or exit arrives.
          for (;;) {
            const seen = finishedShards(claims);
            collect();
            if (missing === 0) break;
            if (Atomics.wait(claims, 1, seen, WAIT_MS) === 'timed-out') {
              await new Promise((resolve) => setImmediate(resolve));
              const broken = own.broken();
              if (broken) throw broken;
            }
          }
          mark('results');
          return results as ShardResult[];
        },
        async dispose() {
          here.dispose();
          if (!own.broken()) await everyWorker((id) => ({ kind: 'release', id }));
        },
      };
    },
    dispose,
  };
}

/**
 * Where one training's shards run: in this thread for one worker (or a batch of one shard), else on this
 * thread and `workers` − 1 worker threads (at most one thread per shard) started for it and stopped with it.
 */
export function shardRunnerFor(tf: typeof tfType, backend: BackendName, workers: number, spawned?: ShardWorkers): ShardRunnerFactory {
  checkWorkers(workers);
  const local = localShardRunner(tf);
  return async (setup, batch, steps) => {
    const threads = shardThreads(workers, batch);
    if (threads <= 1) return local(setup, batch, steps);
    const pool = await startShardPool(tf, backend, threads, spawned?.count === threads - 1 ? spawned : undefined);
    const runner = await pool.runner(setup, batch, steps).catch(async (err: unknown) => {
      await pool.dispose();
      throw err;
    });
    return {
      ...runner,
      dispose: async () => {
        // The workers are stopped first: releasing their episodes would only wait (up to a worker's 50 ms
        // block on the counter) for an answer from threads about to end; then this thread's episodes go.
        await pool.dispose();
        await runner.dispose();
      },
    };
  };
}

/** Shards of every training on an existing pool (this thread alone when the pool has one thread). */
export function pooledShardRunner(tf: typeof tfType, pool: ShardPool | null): ShardRunnerFactory {
  return pool && pool.threads > 1 ? (setup, batch, steps) => pool.runner(setup, batch, steps) : localShardRunner(tf);
}
