/**
 * Training shards on worker threads: a pool of workers (experiments/parallel/shard-worker.ts), each with
 * its own tfjs backend, takes the shards of a batch one at a time, the next shard going to whichever
 * worker is free. Results are combined by model/shards.ts in shard order, so the weights do not depend
 * on the number of workers or on which worker took which shard. A pool outlives one training (the
 * benchmark trains several networks on one pool); `shardRunnerFor` makes one for a single training.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../../model/backend.ts';
import type { EpisodeSetup } from '../../model/episode.ts';
import { localShardRunner, SHARD_TRIALS, shardTrials, type ShardResult, type ShardRunner, type ShardRunnerFactory } from '../../model/shards.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { workerEntry } from './worker-entry.ts';

/** Default worker count: the cores this process may use. */
export const defaultWorkers = () => availableParallelism();

/** Check a `--workers` value: a whole number ≥ 1. */
export function checkWorkers(workers: number, what = '--workers'): number {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`${what} must be a whole number ≥ 1, got ${workers}`);
  return workers;
}

/** Worker threads computing shards. A resource: dispose() it. */
export interface ShardPool {
  readonly threads: number;
  /** A runner for one training on this pool (its dispose() frees the training's episodes, not the pool). */
  runner(setup: EpisodeSetup, batch: number, steps: number): Promise<ShardRunner>;
  dispose(): Promise<void>;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
}

/** Start `threads` shard workers on `backend` (the one this thread uses). */
export async function startShardPool(backend: BackendName, threads: number): Promise<ShardPool> {
  checkWorkers(threads, 'threads');
  const entry = workerEntry('shard-worker');
  let nextId = 0;
  let broken: Error | null = null;
  const workers: PoolWorker[] = Array.from({ length: threads }, () => ({ worker: new Worker(entry, { workerData: { backend } satisfies ShardWorkerData }), pending: new Map() }));
  const started = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.pending.set(-1, { resolve: () => resolve(), reject });
        w.worker.on('message', (reply: WorkerReply) => {
          const p = w.pending.get(reply.id);
          if (!p) return;
          w.pending.delete(reply.id);
          if (reply.kind === 'error') p.reject(new Error(`shard worker: ${reply.message}`));
          else p.resolve(reply);
        });
        const fail = (err: Error) => {
          broken ??= err;
          for (const p of w.pending.values()) p.reject(err);
          w.pending.clear();
        };
        w.worker.on('error', (err) => fail(new Error(`shard worker crashed: ${err.message}`, { cause: err })));
        w.worker.on('exit', (code) => fail(new Error(`shard worker exited (code ${code})`)));
      }),
  );
  const dispose = async () => {
    broken ??= new Error('shard pool disposed');
    await Promise.all(workers.map((w) => w.worker.terminate()));
  };
  try {
    await Promise.all(started);
  } catch (err) {
    await dispose();
    throw err;
  }

  const call = (w: PoolWorker, req: WorkerRequest): Promise<WorkerReply> => {
    if (broken) return Promise.reject(broken);
    return new Promise((resolve, reject) => {
      w.pending.set(req.id, { resolve, reject });
      w.worker.postMessage(req);
    });
  };
  const everyWorker = (make: (id: number) => WorkerRequest) => Promise.all(workers.map((w) => call(w, make(nextId++))));

  return {
    threads,
    async runner(setup, batch, steps) {
      await everyWorker((id) => ({ kind: 'setup', id, setup, batch, steps }));
      return {
        workers: threads,
        async run(params, trials, shards, mode) {
          const queue = [...shards];
          const results: ShardResult[] = [];
          // Each worker takes the next shard as soon as it is free; it holds one more in its queue, so
          // that it does not wait for this thread (busy, or not scheduled on a loaded machine) in between.
          const drain = async (w: PoolWorker) => {
            for (let shard = queue.shift(); shard; shard = queue.shift()) {
              const reply = await call(w, { kind: 'shard', id: nextId++, params, trials: shardTrials(trials, shard), shard, mode });
              if (reply.kind === 'result') results.push(reply.result);
            }
          };
          await Promise.all([...workers, ...workers].map(drain));
          return results;
        },
        async dispose() {
          if (!broken) await everyWorker((id) => ({ kind: 'release', id }));
        },
      };
    },
    dispose,
  };
}

/**
 * Where one training's shards run: in this thread for one worker (or a batch of one shard), else on a
 * pool of `workers` threads (at most one per shard) started for it and stopped with it.
 */
export function shardRunnerFor(tf: typeof tfType, backend: BackendName, workers: number): ShardRunnerFactory {
  checkWorkers(workers);
  const local = localShardRunner(tf);
  return async (setup, batch, steps) => {
    const threads = Math.min(workers, Math.ceil(batch / SHARD_TRIALS));
    if (threads <= 1) return local(setup, batch, steps);
    const pool = await startShardPool(backend, threads);
    const runner = await pool.runner(setup, batch, steps).catch(async (err: unknown) => {
      await pool.dispose();
      throw err;
    });
    return { ...runner, dispose: () => pool.dispose() };
  };
}

/** Shards of every training on an existing pool (this thread when the pool has one thread). */
export function pooledShardRunner(tf: typeof tfType, pool: ShardPool | null): ShardRunnerFactory {
  return pool && pool.threads > 1 ? (setup, batch, steps) => pool.runner(setup, batch, steps) : localShardRunner(tf);
}
