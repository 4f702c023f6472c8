/**
 * The worker threads of a shard pool (./shard-pool.ts, ./shard-worker.ts), started on their own so that
 * `reach train` can start them first thing, before this thread loads the training's modules and its own
 * tfjs: the workers load theirs meanwhile. A light module (node built-ins and types only).
 */
import { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendName } from '../../model/backend.ts';
import type { ShardWorkerData, WorkerReply } from './shard-protocol.ts';
import { mark } from './timeline.ts';
import { workerEntry } from './worker-entry.ts';

/** A shard worker and its requests awaiting replies, by id (−1: start-up). */
export interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
}

/**
 * Shard worker threads that are loading their tfjs backend: started ahead of the pool that will use
 * them, so that they load while this thread loads its own (`reach train`). A resource: `startShardPool`
 * takes them over; dispose() ends them if no pool did (a second dispose does nothing).
 */
export interface ShardWorkers {
  readonly count: number;
  dispose(): Promise<void>;
}

/** What the pool sees of spawned workers. */
export interface SpawnedWorkers extends ShardWorkers {
  workers: PoolWorker[];
  /** Each worker's backend, once it has loaded. */
  started: Promise<BackendName[]>;
  broken(): Error | null;
}

/** Options of `spawnShardWorkers`. */
export interface SpawnShardWorkersOptions {
  /** Script of the workers. Default: ./shard-worker.ts (compiled); tests give one that fails. */
  script?: URL;
}

/** Start `count` shard workers now, each loading the tfjs backend `backend` (a choice: the pool checks it is the one this thread got). */
export function spawnShardWorkers(backend: BackendChoice, count: number, opts: SpawnShardWorkersOptions = {}): ShardWorkers {
  const entry = opts.script ?? workerEntry('shard-worker');
  let broken: Error | null = null;
  const workers: PoolWorker[] = Array.from({ length: count }, () => ({ worker: new Worker(entry, { workerData: { backend } satisfies ShardWorkerData }), pending: new Map() }));
  mark(`start ${count} shard workers`);
  const started = Promise.all(
    workers.map(
      (w, k) =>
        new Promise<BackendName>((resolve, reject) => {
          const name = `shard worker ${k + 1} of ${count}`;
          w.pending.set(-1, { resolve: (r) => (r.kind === 'ready' && r.backend ? resolve(r.backend) : reject(new Error('shard worker started without naming its backend'))), reject });
          w.worker.on('message', (reply: WorkerReply) => {
            const p = w.pending.get(reply.id);
            // A failure while serving batches from shared memory (no request awaits it) breaks the pool.
            if (!p) return reply.kind === 'error' ? fail(new Error(`${name}: ${reply.message}`)) : undefined;
            w.pending.delete(reply.id);
            if (reply.kind === 'error') p.reject(new Error(`${name}: ${reply.message}`));
            else p.resolve(reply);
          });
          const fail = (err: Error) => {
            broken ??= err;
            for (const p of w.pending.values()) p.reject(err);
            w.pending.clear();
          };
          w.worker.on('error', (err) => fail(new Error(`${name} crashed: ${err.message}`, { cause: err })));
          w.worker.on('exit', (code) => fail(new Error(`${name} exited (code ${code})`)));
        }),
    ),
  );
  // A failure is reported by the pool that awaits them, not as an unhandled rejection before it does.
  started.catch(() => undefined);
  const spawned: SpawnedWorkers = {
    count,
    workers,
    started,
    broken: () => broken,
    async dispose() {
      broken ??= new Error('shard pool disposed');
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
  return spawned;
}
