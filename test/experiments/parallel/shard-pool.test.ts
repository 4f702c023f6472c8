import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng } from '../../../core/random.ts';
import { initBackend, type BackendName } from '../../../model/backend.ts';
import type { CellKind } from '../../../model/cells/index.ts';
import { Episode } from '../../../model/episode.ts';
import { initParams } from '../../../model/network.ts';
import { addShardGradients, combineShards, createBatchSums, planShards, resetBatchSums, ShardEpisodes } from '../../../model/shards.ts';
import { episodeSetupOf, initTrainState, parseTrainConfig, train, type TrainState } from '../../../model/train.ts';
import { DEFAULT_FEEDBACK, noiseless } from '../../../sim/tasks/observation.ts';
import { parseTaskSpec, sampleTrials } from '../../../sim/tasks/task-spec.ts';
import { pooledShardRunner, shardRunnerFor, spawnShardWorkers, startShardPool, type ShardPool } from '../../../experiments/parallel/shard-pool.ts';

let tf: typeof tfType;
let backend: BackendName;
const pools: Record<number, ShardPool> = {};
beforeAll(async () => {
  ({ tf, backend } = await initBackend('auto'));
  [pools[2], pools[3]] = await Promise.all([startShardPool(tf, backend, 2), startShardPool(tf, backend, 3)]);
});
afterAll(async () => {
  await Promise.all(Object.values(pools).map((p) => p.dispose()));
});

/** 40 trials: shards of 16, 16 and 8, so three workers each take one and two workers share unevenly. */
const config = (kind: CellKind) =>
  parseTrainConfig({
    seed: 7,
    iterations: 3,
    batch: 40,
    network: { kind, hidden: 16, outputScale: 0.3 },
    task: { kind: 'mixed', duration: 0.3, delay: [0.05, 0.1] },
    checkpointEvery: 0,
    gradientFlowEvery: 2,
  });

async function trained(kind: CellKind, workers: 1 | 2 | 3): Promise<TrainState> {
  const c = config(kind);
  return train(tf, c, initTrainState(c), {}, { shards: pooledShardRunner(tf, workers === 1 ? null : pools[workers]) });
}

const bytes = (s: TrainState) => Object.entries(s.params).map(([k, p]) => [k, Buffer.from(p.data.buffer).toString('base64')]);

/** An RNN's setup, task, initial weights and a 40-trial shard runner (dispose the runner). */
function rnnShards() {
  const c = config('rnn');
  const setup = episodeSetupOf(c);
  const task = parseTaskSpec(c.task);
  return { setup, task, params: initParams(setup.network, createRng(4)), shards: new ShardEpisodes(tf, setup, 40, task.steps) };
}

describe('data-parallel training on worker threads', () => {
  for (const kind of ['rnn', 'gru', 'lstm'] as const) {
    it(`${kind}: weights, losses and gradient flow are bit-identical on 1, 2 and 3 workers`, async () => {
      const [one, two, three] = [await trained(kind, 1), await trained(kind, 2), await trained(kind, 3)];
      expect(one.iteration).toBe(3);
      expect(bytes(two)).toEqual(bytes(one));
      expect(bytes(three)).toEqual(bytes(one));
      const logOf = (s: TrainState) => s.log.map((e) => ({ loss: e.loss, endpointError: e.endpointError, gradNorm: e.gradNorm, gradientFlow: e.gradientFlow }));
      expect(logOf(two)).toEqual(logOf(one));
      expect(logOf(three)).toEqual(logOf(one));
      expect(one.log[0].gradientFlow).toHaveLength(30);
    });
  }

  it('a training started on its own pool of workers gives the same weights', async () => {
    const c = config('rnn');
    const own = await train(tf, c, initTrainState(c), {}, { shards: shardRunnerFor(tf, backend, 2) });
    expect(bytes(own)).toEqual(bytes(await trained('rnn', 1)));
  });

  it('a training whose batches come further apart than a worker blocks for the next (so it is woken by a message) gives the same weights', async () => {
    const c = config('rnn');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const own = await train(tf, c, initTrainState(c), { onIteration: () => void Atomics.wait(pause, 0, 0, 120) }, { shards: pooledShardRunner(tf, pools[3]) });
    expect(bytes(own)).toEqual(bytes(await trained('rnn', 1)));
  });

  it('a training on workers started before this thread loaded tfjs (as reach train does) gives the same weights', async () => {
    const c = config('rnn');
    const early = spawnShardWorkers('auto', 1);
    try {
      const own = await train(tf, c, initTrainState(c), {}, { shards: shardRunnerFor(tf, backend, 2, early) });
      expect(bytes(own)).toEqual(bytes(await trained('rnn', 1)));
    } finally {
      await early.dispose();
    }
  });

  it('workers that loaded another tfjs backend than this thread are refused (a shard must be the same computation everywhere)', async () => {
    const other = backend === 'cpu' ? 'wasm' : 'cpu';
    await expect(startShardPool(tf, backend, 2, spawnShardWorkers(other, 1))).rejects.toThrow(`a shard worker loaded the tfjs backend ${other}, this thread ${backend}`);
  });

  it('a batch combined into the buffers of the one before gets the same bits as into fresh ones (the sums start from zero)', () => {
    const { setup, task, params, shards } = rnnShards();
    try {
      const batch = (seed: number) => {
        const trials = sampleTrials(setup.arm, task, 40, createRng(seed));
        return planShards(40, createRng(seed + 1)).map((s) => shards.run(params, trials, s, 'gradients'));
      };
      const [first, second] = [batch(3), batch(5)];
      const buffers = createBatchSums(params);
      combineShards(setup, params, first, buffers);
      const reused = combineShards(setup, params, second, buffers);
      const fresh = combineShards(setup, params, second);
      expect(reused.loss).toEqual(fresh.loss);
      for (const [name, g] of Object.entries(fresh.grads)) expect(Buffer.from(reused.grads[name].buffer).equals(Buffer.from(g.buffer))).toBe(true);
    } finally {
      shards.dispose();
    }
  });

  it('the first shards\' gradients added while the others run (as the pool does) give the same bits as adding all at the end', () => {
    const { setup, task, params, shards } = rnnShards();
    try {
      const trials = sampleTrials(setup.arm, task, 40, createRng(3));
      const results = planShards(40, createRng(4)).map((s) => shards.run(params, trials, s, 'gradientFlow'));
      const early = createBatchSums(params);
      combineShards(setup, params, results, early); // a previous batch in the same sums
      resetBatchSums(early);
      addShardGradients(early, results[0]);
      addShardGradients(early, results[1]);
      expect(() => addShardGradients(early, results[0])).toThrow('expected shard 2, got 0');
      const combined = combineShards(setup, params, [results[2], results[0], results[1]], early);
      const fresh = combineShards(setup, params, results);
      expect(combined.loss).toEqual(fresh.loss);
      expect(combined.gradientFlow).toEqual(fresh.gradientFlow);
      for (const [name, g] of Object.entries(fresh.grads)) expect(Buffer.from(combined.grads[name].buffer).equals(Buffer.from(g.buffer))).toBe(true);
      expect(early.added).toBe(0);
    } finally {
      shards.dispose();
    }
  });

  it('the shard gradients add up to the gradient of the whole batch (noise-free, float32 rounding apart)', () => {
    const c = parseTrainConfig({ ...config('gru'), feedback: noiseless(DEFAULT_FEEDBACK), hiddenNoise: 0 });
    const setup = episodeSetupOf(c);
    const task = parseTaskSpec(c.task);
    const trials = sampleTrials(setup.arm, task, 40, createRng(3));
    const params = initParams(setup.network, createRng(4));
    const whole = new Episode(tf, setup, 40, task.steps);
    const shards = new ShardEpisodes(tf, setup, 40, task.steps);
    try {
      const ref = whole.run(params, trials, null, 'gradientFlow');
      const plan = planShards(40, createRng(5));
      expect(plan.map((s) => s.count)).toEqual([16, 16, 8]);
      const sum = combineShards(setup, params, plan.map((s) => shards.run(params, trials, s, 'gradientFlow')));
      expect(sum.loss.total).toBeCloseTo(ref.loss.total, 6);
      expect(sum.loss.weight).toBe(ref.loss.weight);
      expect(sum.endpointError).toBeCloseTo(ref.endpointError, 9);
      for (const [name, g] of Object.entries(ref.grads!)) {
        const scale = Math.max(...Array.from(g, Math.abs));
        for (let i = 0; i < g.length; i++) expect(Math.abs(sum.grads[name][i] - g[i])).toBeLessThan(1e-4 * scale);
      }
      for (let t = 0; t < ref.gradientFlow!.length; t++) expect(sum.gradientFlow![t]).toBeCloseTo(ref.gradientFlow![t], 5);
    } finally {
      whole.dispose();
      shards.dispose();
    }
  });
});
