/** Messages between the shard pool and its worker threads (plain data: structured clone; the claim counter is shared memory). */
import type { BackendChoice, BackendName } from '../../model/backend.ts';
import type { EpisodeMode, EpisodeSetup } from '../../model/episode.ts';
import type { Shard } from '../../model/shards.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';
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
  /** The training's weights and shard results (./shard-memory.ts), shared by every thread. */
  memory: ShardMemory;
}

/** A batch whose shards to claim one at a time (./shard-claims.ts) and compute with the shared weights, until none is left. */
export interface ShardRequest {
  kind: 'shards';
  id: number;
  /** The batch's number on the claim counter. */
  batch: number;
  /** The whole batch's trials. */
  trials: TrialBatch;
  shards: readonly Shard[];
  mode: EpisodeMode;
}

export type WorkerRequest = SetupRequest | ShardRequest | { kind: 'release'; id: number };

export type WorkerReply =
  /** `backend`: the one loaded, in the reply to start-up (id −1). */
  | { kind: 'ready'; id: number; backend?: BackendName }
  /** No shard of the batch is left to claim; the results of those this worker took are in shared memory. */
  | { kind: 'done'; id: number }
  | { kind: 'error'; id: number; message: string };
