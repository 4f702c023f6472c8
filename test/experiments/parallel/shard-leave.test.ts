/**
 * A real shard pool (this thread and one worker) whose pace (experiments/parallel/shard-pace.ts) is
 * injected before every batch, so that a thread leaves shards to another on every batch rather than only
 * when the cores happen to run more than 1.5× apart: the thread that left sleeps and asks again until
 * the shard is claimed, or until the thread it waits for is overdue. Which thread computes a shard does
 * not change its result, so the weights are those of one thread.
 */
import type * as tfType from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../../model/backend.ts';
import { initTrainState, parseTrainConfig, train, type TrainState } from '../../../model/train.ts';
import { pooledShardRunner, startShardPool } from '../../../experiments/parallel/shard-pool.ts';
import { createPace, endShardPace, paceClock, startShardPace } from '../../../experiments/parallel/shard-pace.ts';

let tf: typeof tfType;
let backend: BackendName;
beforeAll(async () => {
  ({ tf, backend } = await initBackend('auto'));
});

/** Batches of `batch` trials (16: one shard; 40: shards of 16, 16 and 8), all 'gradients' (the only batches a thread leaves shards in). */
const config = (batch: number) =>
  parseTrainConfig({
    seed: 11,
    iterations: 4,
    batch,
    network: { kind: 'rnn', hidden: 16, outputScale: 0.3 },
    task: { kind: 'mixed', duration: 0.3, delay: [0.05, 0.1] },
    checkpointEvery: 0,
    gradientFlowEvery: 0,
  });

const bytes = (s: TrainState) => Object.entries(s.params).map(([k, p]) => [k, Buffer.from(p.data.buffer).toString('base64')]);

/** A pace whose slot k was timed at `msPerTrial[k]`, with the slots in `busy` computing a shard started at `now`. */
function paceWith(msPerTrial: number[], busy: number[], now: number): Float64Array {
  const pace = createPace(msPerTrial.length);
  msPerTrial.forEach((ms, slot) => {
    startShardPace(pace, slot, 0);
    endShardPace(pace, slot, 1, ms);
  });
  for (const slot of busy) startShardPace(pace, slot, now);
  return pace;
}

/** Train `c` on a pool of this thread and one worker whose pace is `inject()`'s before every batch; `after()` runs after each batch, before the next injection. */
async function trainOnPool(c: ReturnType<typeof config>, inject: () => Float64Array, after: () => void): Promise<TrainState> {
  const pool = await startShardPool(tf, backend, 2, undefined, inject);
  try {
    const onIteration = () => {
      after();
      inject();
    };
    return await train(tf, c, initTrainState(c), { onIteration }, { shards: pooledShardRunner(tf, pool) });
  } finally {
    await pool.dispose();
  }
}

describe('a shard pool whose threads leave shards to faster ones', () => {
  it('a thread that looks 10× slower than a busy worker leaves it the batch\'s shard and asks again until the worker took it: it computes nothing, same weights as one thread', async () => {
    const c = config(16);
    // Slot 0 (this thread) 10 s a trial, slot 1 (the worker) 1 s and busy with a shard since the batch's
    // start (in truth it is idle, blocked on the claim counter): 16 s to go, far from overdue.
    const pace = createPace(2);
    let injected = pace;
    const inject = () => {
      injected = paceWith([10_000, 1_000], [1], paceClock());
      pace.set(injected);
      return pace;
    };
    // Per batch: this thread's start and pace as injected (it timed no shard), the worker's start cleared (it finished one).
    const left: boolean[] = [];
    const after = () => left.push(Number.isNaN(pace[0]) && pace[1] === injected[1] && Number.isNaN(pace[2]));
    const pooled = await trainOnPool(c, inject, after);
    expect(left).toEqual([true, true, true, true]);
    expect(bytes(pooled)).toEqual(bytes(await train(tf, c, initTrainState(c))));
  });

  it('the last shard left to a thread busy with a shard that never ends (stalled or dead) is taken once that thread is overdue, twice its 80 ms: every batch finishes, same weights as one thread', async () => {
    const c = config(40);
    // Slots 0 and 1 (this thread, the worker) 50 ms a trial; slot 2, a thread that is not there, 5 ms a
    // trial and busy with a shard since the batch's start, which never ends: both real threads leave it
    // the last shard (of three) until 2 × 16 × 5 ms have passed (a batch takes 20-40 ms here).
    const pace = createPace(3);
    let busySince = NaN;
    const inject = () => {
      busySince = paceClock();
      pace.set(paceWith([50, 50, 5], [2], busySince));
      return pace;
    };
    const ends: number[] = [];
    const pooled = await trainOnPool(c, inject, () => ends.push(paceClock() - busySince));
    expect(ends).toHaveLength(4);
    for (const ms of ends) expect(ms).toBeGreaterThan(2 * 16 * 5);
    expect(bytes(pooled)).toEqual(bytes(await train(tf, c, initTrainState(c))));
  });
});
