/**
 * Training shards on several threads: the calling thread and a pool of workers (experiments/parallel/
 * shard-worker.ts), each worker with its own tfjs backend. A batch's shards are dealt out in contiguous,
 * nearly equal shares, one per thread (the calling thread, which also samples trials and applies the
 * update, takes the last and smallest); each worker gets its share in one message, so the weights are
 * copied once per worker and batch, and the calling thread computes its own share meanwhile instead of
 * waiting. Results are combined by model/shards.ts in shard order, so the weights do not depend on the
 * number of threads or on which took which shard. A pool outlives one training (the benchmark trains
 * several networks on one pool); `shardRunnerFor` makes one for a single training.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../../model/backend.ts';
import type { EpisodeSetup } from '../../model/episode.ts';
import { localShardRunner, SHARD_TRIALS, ShardEpisodes, shardTrials, type Shard, type ShardResult, type ShardRunner, type ShardRunnerFactory } from '../../model/shards.ts';
import type { ShardWorkerData, WorkerReply, WorkerRequest } from './shard-protocol.ts';
import { workerEntry } from './worker-entry.ts';

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

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
}

/** `shards` cut into `threads` contiguous shares in shard order, sizes differing by at most one, larger ones first. */
export function dealShards<T>(shards: readonly T[], threads: number): T[][] {
  const base = Math.floor(shards.length / threads);
  const extra = shards.length % threads;
  const shares: T[][] = [];
  for (let i = 0, start = 0; i < threads; i++) {
    const size = base + (i < extra ? 1 : 0);
    shares.push(shards.slice(start, start + size));
    start += size;
  }
  return shares;
}

/** Compute shards on this thread and `threads` − 1 workers, all on `backend` (the one `tf`, this thread's, uses). */
export async function startShardPool(tf: typeof tfType, backend: BackendName, threads: number): Promise<ShardPool> {
  checkWorkers(threads, 'threads');
  const entry = workerEntry('shard-worker');
  let nextId = 0;
  let broken: Error | null = null;
  const workers: PoolWorker[] = Array.from({ length: threads - 1 }, () => ({ worker: new Worker(entry, { workerData: { backend } satisfies ShardWorkerData }), pending: new Map() }));
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
      const here = new ShardEpisodes(tf, setup, batch, steps);
      return {
        workers: threads,
        async run(params, trials, shards, mode) {
          const shares = dealShards(shards, threads);
          const mine = shares.pop() ?? [];
          const post = (w: PoolWorker, share: Shard[]) =>
            share.length === 0 ? Promise.resolve([]) : call(w, { kind: 'shards', id: nextId++, params, parts: share.map((shard) => ({ shard, trials: shardTrials(trials, shard) })), mode }).then((r) => (r.kind === 'results' ? r.results : []));
          // Posted before this thread computes its own share, so the workers start at once.
          const theirs = Promise.all(workers.map((w, i) => post(w, shares[i])));
          theirs.catch(() => undefined); // a failure is reported by the await below, not as an unhandled rejection
          const results: ShardResult[] = mine.map((shard) => here.run(params, trials, shard, mode));
          for (const r of await theirs) results.push(...r);
          return results;
        },
        async dispose() {
          here.dispose();
          if (!broken) await everyWorker((id) => ({ kind: 'release', id }));
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
export function shardRunnerFor(tf: typeof tfType, backend: BackendName, workers: number): ShardRunnerFactory {
  checkWorkers(workers);
  const local = localShardRunner(tf);
  return async (setup, batch, steps) => {
    const threads = Math.min(workers, Math.ceil(batch / SHARD_TRIALS));
    if (threads <= 1) return local(setup, batch, steps);
    const pool = await startShardPool(tf, backend, threads);
    const runner = await pool.runner(setup, batch, steps).catch(async (err: unknown) => {
      await pool.dispose();
      throw err;
    });
    return {
      ...runner,
      dispose: async () => {
        await runner.dispose();
        await pool.dispose();
      },
    };
  };
}

/** Shards of every training on an existing pool (this thread alone when the pool has one thread). */
export function pooledShardRunner(tf: typeof tfType, pool: ShardPool | null): ShardRunnerFactory {
  return pool && pool.threads > 1 ? (setup, batch, steps) => pool.runner(setup, batch, steps) : localShardRunner(tf);
}
