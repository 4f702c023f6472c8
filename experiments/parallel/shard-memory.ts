/**
 * The weights and the shard results of one training in shared memory, seen by every thread of a shard
 * pool: the calling thread writes the weights there before each batch, and each thread writes the
 * gradient and the losses of every shard it computes into that shard's slot, then flags the shard
 * finished. So a batch costs no copies of weights or gradients through messages (on this machine a
 * structured clone of a 70 kB array took 0.7–1.5 ms and a transfer 0.08–0.4 ms, fresh memory each
 * time, against a few µs to write it into shared memory), and the calling thread sees each shard of
 * another thread as soon as it is done, not when that thread's last shard is.
 * Parameters lie one after another in `paramShapes` order, as float32 (their own type, so the bits are
 * the same); losses and endpoint sums as float64 (their own type too).
 */
import { shapeSize } from '../../core/npy.ts';
import type { Gradients } from '../../model/episode.ts';
import { emptyLoss, LOSS_NAMES } from '../../model/losses.ts';
import type { NetworkParams } from '../../model/network.ts';
import type { EpisodeMode } from '../../model/episode.ts';
import type { Shard, ShardResult } from '../../model/shards.ts';
import { allocTrialBatch, type TrialBatch } from '../../sim/tasks/task-spec.ts';

/** The shared buffers of one training: plain data, posted to every worker. */
export interface ShardMemory {
  /** Parameter names and shapes, in layout order. */
  shapes: Record<string, number[]>;
  /** The weights of the current batch. */
  params: SharedArrayBuffer;
  /** One slot of gradients per shard of a batch, in shard order. */
  grads: SharedArrayBuffer;
  /** Per shard: its loss terms, total, endpoint sum and count, then its gradient flow (one per step), float64. */
  outcomes: SharedArrayBuffer;
  /** Per shard (int32): the number of the batch whose shard it last finished. */
  finished: SharedArrayBuffer;
  /** Steps per trial (the gradient flow's length). */
  steps: number;
  /** Trials per batch. */
  batch: number;
  /** The open batch: its number, shard count and mode (int32), then dt, its shards and its trials (`writeRequest`). */
  request: SharedArrayBuffer;
}

const floats = (shapes: Record<string, number[]>) => Object.values(shapes).reduce((n, shape) => n + shapeSize(shape), 0);

/** Float64 values of one shard's outcome: the loss terms, total, endpoint sum and count, then the gradient flow. */
const SCALARS = LOSS_NAMES.length + 3;
const outcomeSize = (steps: number) => SCALARS + steps;

/** Byte offsets of the request's parts: 4 int32 header, dt and 4 float64 per shard, then each trial array of allocTrialBatch 8-byte aligned. */
function requestLayout(batch: number, steps: number, shards: number) {
  const plan = 16;
  let at = plan + 8 * (1 + 4 * shards);
  const arrays: Array<[string, number]> = [];
  for (const [key, value] of Object.entries(allocTrialBatch(batch, steps, 0))) {
    if (!ArrayBuffer.isView(value)) continue;
    arrays.push([key, at]);
    at += Math.ceil(value.byteLength / 8) * 8;
  }
  return { plan, arrays, bytes: at };
}

/** Shared memory for parameters of `shapes` and `shards` shards of a batch of `batch` trials of `steps` steps. */
export function createShardMemory(shapes: Record<string, number[]>, shards: number, steps: number, batch: number): ShardMemory {
  const n = floats(shapes);
  return {
    shapes,
    params: new SharedArrayBuffer(4 * n),
    grads: new SharedArrayBuffer(4 * n * shards),
    outcomes: new SharedArrayBuffer(8 * outcomeSize(steps) * shards),
    finished: new SharedArrayBuffer(4 * shards),
    steps,
    batch,
    request: new SharedArrayBuffer(requestLayout(batch, steps, shards).bytes),
  };
}

/** Views by name of the parameter block at `offset` floats into `buffer`. */
function views(shapes: Record<string, number[]>, buffer: SharedArrayBuffer, offset: number): NetworkParams {
  const out: NetworkParams = {};
  let at = offset;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shapeSize(shape);
    out[name] = { shape: [...shape], data: new Float32Array(buffer, 4 * at, size) };
    at += size;
  }
  return out;
}

/** The shared weights, as parameters (views: they change when the calling thread writes the next batch's). */
export function sharedParams(memory: ShardMemory): NetworkParams {
  return views(memory.shapes, memory.params, 0);
}

/** The gradient slot of each shard, in shard order (views). */
export function shardGradients(memory: ShardMemory): Gradients[] {
  const n = floats(memory.shapes);
  const slots = memory.grads.byteLength / (4 * n);
  return Array.from({ length: slots }, (_, i) => Object.fromEntries(Object.entries(views(memory.shapes, memory.grads, i * n)).map(([name, p]) => [name, p.data])));
}

/** Copy `params` into the shared weights `into` (as sharedParams gives them). */
export function writeParams(into: NetworkParams, params: NetworkParams): void {
  for (const [name, p] of Object.entries(into)) {
    const src = params[name]?.data;
    if (!src || src.length !== p.data.length) throw new Error(`shared weights: parameter ${name} has ${src?.length ?? 'no'} values, expected ${p.data.length}`);
    p.data.set(src);
  }
}

/** A thread's views of the shards' outcomes and finished flags. */
export interface ShardOutcomes {
  values: Float64Array;
  finished: Int32Array;
  steps: number;
}

export function shardOutcomes(memory: ShardMemory): ShardOutcomes {
  return { values: new Float64Array(memory.outcomes), finished: new Int32Array(memory.finished), steps: memory.steps };
}

/** Write shard `r.index`'s outcome (all but its gradient, which the shard wrote into its slot), then flag it finished in batch `batch`. */
export function finishOutcome(o: ShardOutcomes, batch: number, r: ShardResult): void {
  const at = r.index * outcomeSize(o.steps);
  LOSS_NAMES.forEach((k, i) => (o.values[at + i] = r.loss[k]));
  o.values[at + LOSS_NAMES.length] = r.loss.total;
  o.values[at + LOSS_NAMES.length + 1] = r.endpointSum;
  o.values[at + LOSS_NAMES.length + 2] = r.endpointCount;
  if (r.gradientFlowSquared) o.values.set(r.gradientFlowSquared, at + SCALARS);
  // A sequentially consistent store after the plain writes: a thread that loads this flag sees them.
  Atomics.store(o.finished, r.index, batch);
}

/**
 * Shard `index`'s result if it is flagged finished in batch `batch` (else null), its gradient being
 * `grads` (its slot); `flow`: whether the shards computed the gradient flow.
 */
export function readOutcome(o: ShardOutcomes, batch: number, index: number, grads: Gradients, flow: boolean): ShardResult | null {
  if (Atomics.load(o.finished, index) !== batch) return null;
  const at = index * outcomeSize(o.steps);
  const v = o.values;
  const loss = emptyLoss();
  LOSS_NAMES.forEach((k, i) => (loss[k] = v[at + i]));
  loss.total = v[at + LOSS_NAMES.length];
  return {
    index,
    loss,
    endpointSum: v[at + LOSS_NAMES.length + 1],
    endpointCount: v[at + LOSS_NAMES.length + 2],
    grads,
    ...(flow ? { gradientFlowSquared: v.slice(at + SCALARS, at + SCALARS + o.steps) } : {}),
  };
}

/** A thread's views of the open batch's request: header [number, shards, mode], dt and shards, trials. */
export interface BatchRequest {
  header: Int32Array;
  plan: Float64Array;
  /** The batch's trials (views; `dt` is set by `readRequest`). */
  trials: TrialBatch;
}

export function batchRequest(memory: ShardMemory): BatchRequest {
  const shards = memory.finished.byteLength / 4;
  const layout = requestLayout(memory.batch, memory.steps, shards);
  // allocTrialBatch's object with its arrays swapped for views of the shared memory: the same object shape.
  const trials = allocTrialBatch(memory.batch, memory.steps, 0) as unknown as Record<string, unknown>;
  for (const [key, at] of layout.arrays) {
    const own = trials[key] as Float64Array | Int32Array | Uint8Array;
    trials[key] = new (own.constructor as Float64ArrayConstructor)(memory.request, at, own.length);
  }
  return { header: new Int32Array(memory.request, 0, 4), plan: new Float64Array(memory.request, layout.plan, 1 + 4 * shards), trials: trials as unknown as TrialBatch };
}

const MODES: readonly EpisodeMode[] = ['gradients', 'gradientFlow'];

/**
 * Write batch `number` (> 0): its trials, shards and mode; then open it for claims. The number is
 * cleared first and written last, so a reader that sees the same number before and after its reads
 * (`readRequest`) read one batch's request whole.
 */
export function writeRequest(r: BatchRequest, number: number, trials: TrialBatch, shards: readonly Shard[], mode: EpisodeMode): void {
  if (trials.batch !== r.trials.batch || trials.steps !== r.trials.steps) throw new Error(`shard pool: a batch of ${trials.batch} × ${trials.steps} steps, set up for ${r.trials.batch} × ${r.trials.steps}`);
  Atomics.store(r.header, 0, 0);
  Atomics.store(r.header, 1, shards.length);
  Atomics.store(r.header, 2, MODES.indexOf(mode));
  r.plan[0] = trials.dt;
  shards.forEach((s, i) => r.plan.set([s.index, s.start, s.count, s.seed], 1 + 4 * i));
  const into = r.trials as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(trials)) if (ArrayBuffer.isView(value)) (into[key] as Float64Array).set(value as Float64Array);
  Atomics.store(r.header, 0, number);
}

/** The request of the batch written last (its number, shards and mode; its trials are `r.trials`), or null while one is being written. */
export function readRequest(r: BatchRequest): { number: number; shards: Shard[]; mode: EpisodeMode } | null {
  const number = Atomics.load(r.header, 0);
  if (number === 0) return null;
  const n = Atomics.load(r.header, 1);
  const mode = MODES[Atomics.load(r.header, 2)];
  r.trials.dt = r.plan[0];
  const shards = Array.from({ length: n }, (_, i) => {
    const [index, start, count, seed] = r.plan.subarray(1 + 4 * i, 5 + 4 * i);
    return { index, start, count, seed };
  });
  return Atomics.load(r.header, 0) === number ? { number, shards, mode } : null;
}
