/** Messages between the shard pool and its worker threads (plain data: structured clone; the claim counter is shared memory). */
import type { BackendChoice, BackendName } from '../../model/backend.ts';
import type { EpisodeSetup } from '../../model/episode.ts';
import type { ShardMemory } from './shard-memory.ts';

/** What a shard worker starts with. */
export interface ShardWorkerData {
  /** The backend to load (the pool checks that the one loaded is the calling thread's). */
  backend: BackendChoice;
}

/** The training whose shards come next (replaces the previous one's episodes). */
export interface SetupRequest {
  kind: 'setup';
  id: number;
  setup: EpisodeSetup;
  /** Trials of a whole batch (loss means run over it). */
  batch: number;
  steps: number;
  /** The pool's claim counter (./shard-claims.ts), shared by every thread. */
  claims: Int32Array;
  /** The training's weights, batch requests and shard results (./shard-memory.ts), shared by every thread. */
  memory: ShardMemory;
  /** One int32 per worker, 1 while that worker waits for messages (not blocked on the claim counter), and this worker's index in it. */
  parked: Int32Array;
  slot: number;
  /** Each thread's pace on this training's shards (./shard-pace.ts; this worker's is slot + 1). */
  pace: Float64Array;
}

/** Serve batches from shared memory (./shard-memory.ts `readRequest`): posted when the worker was parked in its event loop. */
export interface ServeRequest {
  kind: 'serve';
  id: number;
}

export type WorkerRequest = SetupRequest | ServeRequest | { kind: 'release'; id: number };

export type WorkerReply =
  /** `backend`: the one loaded, in the reply to start-up (id −1). */
  | { kind: 'ready'; id: number; backend?: BackendName }
  | { kind: 'error'; id: number; message: string };
