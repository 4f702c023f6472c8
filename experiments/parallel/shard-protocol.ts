/** Messages between the shard pool and its worker threads (plain data: structured clone). */
import type { BackendName } from '../../model/backend.ts';
import type { EpisodeMode, EpisodeSetup } from '../../model/episode.ts';
import type { NetworkParams } from '../../model/network.ts';
import type { Shard, ShardResult } from '../../model/shards.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';

/** What a shard worker starts with. */
export interface ShardWorkerData {
  backend: BackendName;
}

/** The training whose shards come next (replaces the previous one's episodes). */
export interface SetupRequest {
  kind: 'setup';
  id: number;
  setup: EpisodeSetup;
  /** Trials of a whole batch (loss means run over it). */
  batch: number;
  steps: number;
}

/** One shard to compute: `trials` holds that shard's trials alone. */
export interface ShardRequest {
  kind: 'shard';
  id: number;
  params: NetworkParams;
  trials: TrialBatch;
  shard: Shard;
  mode: EpisodeMode;
}

export type WorkerRequest = SetupRequest | ShardRequest | { kind: 'release'; id: number };

export type WorkerReply =
  | { kind: 'ready'; id: number }
  | { kind: 'result'; id: number; result: ShardResult }
  | { kind: 'error'; id: number; message: string };
