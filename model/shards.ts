/**
 * A training batch cut into shards of a fixed number of trials, so that its gradient can be computed on
 * several threads and still not depend on how many there are or on which thread took which shard:
 * - the shards depend on the batch size alone (SHARD_TRIALS trials each, the last one possibly shorter);
 * - each shard draws its sensory and hidden noise from its own generator, seeded from the training
 *   generator in shard order before any shard runs;
 * - a shard's loss terms are means over the whole batch (model/episode.ts, `meanOver`), so the batch's
 *   loss and gradient are the plain sums of its shards', added in shard order in float64 and rounded to
 *   float32 once, with the L2 weight penalty added once.
 * A shard is the same computation wherever it runs, so the sum is bit-identical for any number of workers.
 * Where shards run is a `ShardRunner`: this thread (`localShardRunner`) or worker threads
 * (experiments/parallel/), which model/ does not know about.
 */
import type * as tfType from '@tensorflow/tfjs';
import { createRng, nextUint32, type Rng } from '../core/random.ts';
import type { TrialBatch } from '../sim/tasks/task-spec.ts';
import { Episode, weightPenalty, type EpisodeMode, type EpisodeSetup, type Gradients } from './episode.ts';
import { emptyLoss, LOSS_NAMES, lossTotal, type LossComponents } from './losses.ts';
import type { NetworkParams } from './network.ts';
import { sliceTrials } from './trial-pieces.ts';

/** Trials per shard. Fixed (not derived from the machine) so that results never depend on the machine. */
export const SHARD_TRIALS = 16;

/** One shard of a batch: trials [start, start + count), noise from a generator seeded with `seed`. */
export interface Shard {
  index: number;
  start: number;
  count: number;
  seed: number;
}

/** The shards of a batch; draws one seed per shard from `rng`, in shard order. */
export function planShards(batch: number, rng: Rng): Shard[] {
  const shards: Shard[] = [];
  for (let start = 0, index = 0; start < batch; start += SHARD_TRIALS, index++) {
    shards.push({ index, start, count: Math.min(SHARD_TRIALS, batch - start), seed: nextUint32(rng) });
  }
  return shards;
}

/** What one shard contributes to its batch (loss terms already scaled as parts of the batch mean; no weight penalty). */
export interface ShardResult {
  index: number;
  loss: LossComponents;
  endpointSum: number;
  endpointCount: number;
  /** ∂(shard's part of the loss)/∂params: copies (the caller's arrays, or new ones). */
  grads: Gradients;
  /** Σ over the shard's trials of ‖∂L/∂h_t‖² per step (gradient-flow iterations only). */
  gradientFlowSquared?: Float64Array;
}

/** A batch's loss, endpoint error and gradient, combined from its shards. */
export interface BatchResult {
  loss: LossComponents;
  endpointError: number;
  grads: Gradients;
  gradientFlow?: number[];
}

/** Episodes for the shards of one batch size, one per shard length, made on first use. Owns tfjs tensors: dispose() it. */
export class ShardEpisodes {
  private readonly episodes = new Map<number, Episode>();

  constructor(
    private readonly tf: typeof tfType,
    private readonly setup: EpisodeSetup,
    private readonly batch: number,
    private readonly steps: number,
  ) {}

  /** Run one shard of `trials` (the whole batch) with `params`; its gradients are copied into `into` if given (arrays of the parameters' sizes), else into new arrays. */
  run(params: NetworkParams, trials: TrialBatch, shard: Shard, mode: EpisodeMode, into?: Gradients): ShardResult {
    // sliceTrials builds the shard's batch with allocTrialBatch, so every batch the episode reads has one
    // object shape (a spread copy had another, and Episode.run's optimized code was thrown away again and again).
    const part = trials.batch === shard.count ? trials : sliceTrials(trials, shard.start, shard.count);
    let episode = this.episodes.get(shard.count);
    if (!episode) {
      episode = new Episode(this.tf, this.setup, shard.count, this.steps, { meanOver: this.batch, weightPenalty: false });
      this.episodes.set(shard.count, episode);
    }
    const r = episode.run(params, part, createRng(shard.seed), mode);
    const grads: Gradients = {};
    for (const [name, g] of Object.entries(r.grads ?? {})) {
      if (into) into[name].set(g);
      grads[name] = into ? into[name] : g.slice();
    }
    return {
      index: shard.index,
      loss: r.loss,
      endpointSum: r.endpointSum,
      endpointCount: r.endpointCount,
      grads,
      ...(r.gradientFlowSquared ? { gradientFlowSquared: r.gradientFlowSquared } : {}),
    };
  }

  dispose(): void {
    for (const e of this.episodes.values()) e.dispose();
    this.episodes.clear();
  }
}

/** Arrays of the parameters' sizes, zeroed. */
function zerosLike(params: NetworkParams): Gradients {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, new Float32Array(p.data.length)]));
}

/**
 * What `combineShards` adds into, allocated once per training: float64 sums and the float32 gradient it
 * returns (so a batch's gradient is valid until the next batch is combined into the same buffers).
 * Fresh arrays of this size every batch cost page faults and a busier garbage collector. A shard runner
 * may add the gradients of the batch's first shards while others still run (`addShardGradients`, in
 * shard order: the same additions in the same order as `combineShards` makes); `added` counts them.
 */
export interface BatchSums {
  sums: Record<string, Float64Array>;
  grads: Gradients;
  added: number;
}

export function createBatchSums(params: NetworkParams): BatchSums {
  return { sums: Object.fromEntries(Object.entries(params).map(([name, p]) => [name, new Float64Array(p.data.length)])), grads: zerosLike(params), added: 0 };
}

/** Empty the sums for a new batch. */
export function resetBatchSums(into: BatchSums): void {
  for (const s of Object.values(into.sums)) s.fill(0);
  into.added = 0;
}

/** Add the gradient of the batch's next shard (number `into.added`) to the sums. */
export function addShardGradients(into: BatchSums, r: ShardResult): void {
  if (r.index !== into.added) throw new Error(`shard sums: expected shard ${into.added}, got ${r.index}`);
  for (const [name, s] of Object.entries(into.sums)) {
    const g = r.grads[name];
    for (let i = 0; i < s.length; i++) s[i] += g[i];
  }
  into.added++;
}

/**
 * Add the shards of a batch in shard order (float64), add the weight penalty once, round the gradient to
 * float32 (into `into`'s arrays, new ones by default). `results` may come in any order; every shard
 * 0…n−1 must be there once. The gradients of the first `into.added` shards are already in the sums.
 */
export function combineShards(setup: Pick<EpisodeSetup, 'network' | 'loss'>, params: NetworkParams, results: readonly ShardResult[], into: BatchSums = createBatchSums(params)): BatchResult {
  const ordered = [...results].sort((a, b) => a.index - b.index);
  ordered.forEach((r, i) => {
    if (r.index !== i) throw new Error(`shard results: expected shard ${i}, got ${r.index}`);
  });
  const loss = emptyLoss();
  let endpointSum = 0;
  let endpointCount = 0;
  if (into.added === 0) resetBatchSums(into);
  let flow: Float64Array | null = ordered.length > 0 && ordered[0].gradientFlowSquared ? new Float64Array(ordered[0].gradientFlowSquared.length) : null;
  for (const r of ordered) {
    for (const k of LOSS_NAMES) loss[k] += r.loss[k];
    endpointSum += r.endpointSum;
    endpointCount += r.endpointCount;
    if (r.index >= into.added) addShardGradients(into, r);
    if (flow && r.gradientFlowSquared) for (let t = 0; t < flow.length; t++) flow[t] += r.gradientFlowSquared[t];
    else flow = null;
  }
  const { sums, grads } = into;
  into.added = 0;
  loss.weight = weightPenalty(setup.network, setup.loss, params, sums);
  loss.total = lossTotal(loss);
  // Each float64 sum rounded to float32 (to nearest, ties to even), as Float32Array.from would.
  for (const [name, s] of Object.entries(sums)) grads[name].set(s);
  return {
    loss,
    endpointError: endpointCount ? endpointSum / endpointCount : NaN,
    grads,
    ...(flow ? { gradientFlow: Array.from(flow, Math.sqrt) } : {}),
  };
}

/** Computes the shards of a batch somewhere: in this thread, or on worker threads. */
export interface ShardRunner {
  /** Threads that compute shards. */
  readonly workers: number;
  /**
   * The results of every shard (in any order; their gradients are valid until the next call). Given
   * `sums`, the runner may reset them and add the first shards' gradients (`addShardGradients`) as they
   * finish, for `combineShards` to add the rest.
   */
  run(params: NetworkParams, trials: TrialBatch, shards: readonly Shard[], mode: EpisodeMode, sums?: BatchSums): Promise<ShardResult[]>;
  dispose(): Promise<void>;
}

/** Makes the shard runner of a training (episode setup, whole batch size, steps per trial). */
export type ShardRunnerFactory = (setup: EpisodeSetup, batch: number, steps: number) => Promise<ShardRunner>;

/** Shards computed one after another in this thread (each shard's gradient in arrays of its own, reused by the next batch). */
export function localShardRunner(tf: typeof tfType): ShardRunnerFactory {
  return (setup, batch, steps) => {
    const episodes = new ShardEpisodes(tf, setup, batch, steps);
    const slots: Gradients[] = [];
    return Promise.resolve({
      workers: 1,
      run: (params, trials, shards, mode) => Promise.resolve(shards.map((s) => episodes.run(params, trials, s, mode, (slots[s.index] ??= zerosLike(params))))),
      dispose: () => Promise.resolve(episodes.dispose()),
    });
  };
}
