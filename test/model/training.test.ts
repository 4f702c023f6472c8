import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import type { CellKind } from '../../model/cells/index.ts';
import { Episode } from '../../model/episode.ts';
import { sampleGradients } from './gradient-check.ts';
import { cloneParams, initParams } from '../../model/network.ts';
import { localShardRunner, type ShardRunnerFactory } from '../../model/shards.ts';
import { applyUpdate, initTrainState, networkSpecOf, parseTrainConfig, resolveArm, train, type TrainHooks } from '../../model/train.ts';
import { parseTaskSpec, sampleTrials } from '../../sim/tasks/task-spec.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

/** A small configuration that trains in a second or two. */
const small = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({
    seed: 3,
    iterations: 6,
    batch: 8,
    network: { hidden: 24, outputScale: 0.3 },
    task: { kind: 'mixed', duration: 0.4, delay: [0.05, 0.15] },
    loss: { activity: 0.05, effort: 0.01, weight: 1e-3 },
    checkpointEvery: 0,
    ...over,
  });

function gradientCheck(kind: CellKind, over: Record<string, unknown> = {}, configOver: Record<string, unknown> = {}) {
  const config = small({ network: { kind, hidden: 12, outputScale: 0.5, ...over }, ...configOver });
  const arm = resolveArm(config.arm);
  const task = parseTaskSpec(config.task);
  const trials = sampleTrials(arm, task, 4, createRng(11));
  const setup = { arm, network: networkSpecOf(config), feedback: config.feedback, loss: config.loss, substeps: 1, hiddenNoise: 0 };
  const episode = new Episode(tf, setup, 4, task.steps);
  try {
    const params = initParams(setup.network, createRng(5));
    const grads = Object.fromEntries(Object.entries(episode.run(params, trials, null, 'gradients').grads!).map(([k, v]) => [k, Float64Array.from(v)]));
    const samples = sampleGradients(episode, params, trials, grads);
    // float32 forward pass: compare to 2 % of the gradient's scale.
    for (const { analytic, fd } of samples) expect(Math.abs(analytic - fd)).toBeLessThan(0.02 * Math.max(Math.abs(fd), 1e-3));
    expect(samples.length).toBeGreaterThan(10);
  } finally {
    episode.dispose();
  }
}

describe('backpropagation through time through the arm', () => {
  it('leaky RNN gradients of the full episode loss equal finite differences', () => gradientCheck('rnn'));
  it('GRU gradients of the full episode loss equal finite differences', () => gradientCheck('gru'));
  it('LSTM gradients of the full episode loss equal finite differences', () => gradientCheck('lstm'));
  it('with the hand-speed term, a delayed go cue, a lateral factor and a settling phase weighed by stay, gradients equal finite differences', () =>
    gradientCheck('rnn', {}, {
      task: { kind: 'mixed', duration: 0.4, delay: [0.05, 0.1], cueDelay: 0.05 },
      loss: { activity: 0.05, effort: 0.01, weight: 1e-3, speed: 0.5, speedEpsilon: 0.02, settleTime: 0.05, reactionWindow: 0.03, stay: 3, lateralFactor: 4 },
    }));
  it('relu LSTM and relu leaky RNN gradients equal finite differences', () => {
    gradientCheck('lstm', { activation: 'relu', forgetBias: 0.5 });
    gradientCheck('rnn', { activation: 'relu' });
  });
});

describe('gradient flow back through time', () => {
  it('a GRU whose update gate is shut carries the error signal unchanged: ‖∂L/∂h_0‖ = ‖W_out · ∂L/∂b_out‖', () => {
    const config = small({ network: { kind: 'gru', hidden: 6, outputScale: 0.5 }, loss: { activity: 0, effort: 0.01, weight: 0 } });
    const arm = resolveArm(config.arm);
    const task = parseTaskSpec(config.task);
    const trials = sampleTrials(arm, task, 1, createRng(4));
    const setup = { arm, network: networkSpecOf(config), feedback: config.feedback, loss: config.loss, substeps: 1, hiddenNoise: 0 };
    const episode = new Episode(tf, setup, 1, task.steps);
    try {
      const params = initParams(setup.network, createRng(5));
      const n = 6;
      // z = σ(50) = 1 in float32: h_t = h_{t−1} = 0, so every torque's error reaches h_0 undiminished.
      params.b.data.fill(50, n, 2 * n);
      const plain = episode.run(params, trials, null, 'gradients');
      const gb = Array.from(plain.grads!.bout);
      const gWx = Array.from(plain.grads!.Wx);
      const r = episode.run(params, trials, null, 'gradientFlow');
      expect(Array.from(r.grads!.Wx)).toEqual(gWx);
      expect(r.gradientFlow).toHaveLength(task.steps);
      const w = params.Wout.data;
      let sq = 0;
      for (let j = 0; j < n; j++) sq += (w[j * 2] * gb[0] + w[j * 2 + 1] * gb[1]) ** 2;
      expect(r.gradientFlow![0]).toBeGreaterThan(0);
      expect(Math.abs(r.gradientFlow![0] - Math.sqrt(sq))).toBeLessThan(1e-5 * Math.sqrt(sq));
    } finally {
      episode.dispose();
    }
  });

  it('training logs the pre-clipping norm, whether it was clipped, and the flow every gradientFlowEvery iterations', async () => {
    const config = small({ network: { kind: 'lstm', hidden: 8, outputScale: 0.5 }, iterations: 5, gradientFlowEvery: 2, clip: 0.01 });
    const state = await train(tf, config, initTrainState(config));
    expect(state.log.map((e) => e.gradientFlow !== undefined)).toEqual([true, false, true, false, true]);
    for (const e of state.log) {
      expect(e.clipped).toBe(e.gradNorm > 0.01);
      if (e.gradientFlow) {
        expect(e.gradientFlow).toHaveLength(40);
        for (const v of e.gradientFlow) expect(Number.isFinite(v) && v > 0).toBe(true);
      }
    }
    expect(state.log.some((e) => e.clipped)).toBe(true);
  });
});

describe('training loop', () => {
  it('keeps tf.memory().numTensors flat over many iterations', async () => {
    const config = small({ iterations: 3 });
    const state = initTrainState(config);
    await train(tf, config, state);
    const before = tf.memory().numTensors;
    await train(tf, { ...config, iterations: 15 }, state);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed and backend give identical weights and losses', async () => {
    const a = await train(tf, small(), initTrainState(small()));
    const b = await train(tf, small(), initTrainState(small()));
    expect(a.log.map((e) => e.loss.total)).toEqual(b.log.map((e) => e.loss.total));
    for (const k of Object.keys(a.params)) expect(Array.from(a.params[k].data)).toEqual(Array.from(b.params[k].data));
    const c = await train(tf, small({ seed: 4 }), initTrainState(small({ seed: 4 })));
    expect(c.log.map((e) => e.loss.total)).not.toEqual(a.log.map((e) => e.loss.total));
  });

  it('a runner that fails to stop does not hide why training stopped (a hook\'s error, the last checkpoint\'s), and fails it when nothing else did', async () => {
    const config = small({ iterations: 2 });
    const local = localShardRunner(tf);
    const failsToStop: ShardRunnerFactory = async (setup, batch, steps) => {
      const runner = await local(setup, batch, steps);
      return { ...runner, dispose: () => runner.dispose().then(() => Promise.reject(new Error('the workers would not stop'))) };
    };
    const run = (hooks: TrainHooks) => train(tf, config, initTrainState(config), hooks, { shards: failsToStop });
    await expect(run({ onIteration: () => { throw new Error('stopped by a hook'); } })).rejects.toThrow('stopped by a hook');
    await expect(run({ onCheckpoint: () => { throw new Error('the disk is full'); } })).rejects.toThrow('the disk is full');
    await expect(run({})).rejects.toThrow('the workers would not stop');
  });

  it('the NaN guard skips a non-finite step, logs it and reduces the learning rate', () => {
    const config = small();
    const state = initTrainState(config);
    const before = cloneParams(state.params);
    const grads = Object.fromEntries(Object.entries(state.params).map(([k, p]) => [k, new Float32Array(p.data.length).fill(0.1)]));
    grads.Wx[7] = NaN;
    const loss = { position: 0.1, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 0.1 };
    const r = applyUpdate(config, state, loss, grads);
    expect(r.event).toMatch(/non-finite gradient/);
    expect(state.lr).toBeCloseTo(config.lr * config.nanLrFactor, 12);
    for (const k of Object.keys(before)) expect(Array.from(state.params[k].data)).toEqual(Array.from(before[k].data));
    const nanLoss = { ...loss, position: NaN, total: NaN };
    expect(applyUpdate(config, state, nanLoss, grads).event).toMatch(/non-finite loss/);
    state.badSteps = config.maxBadSteps - 1;
    expect(() => applyUpdate(config, state, nanLoss, grads)).toThrow(/training diverged/);
  });

  it('a short training run lowers the reaching loss on held-out trials', async () => {
    const config = small({ iterations: 80, batch: 32, lr: 3e-3, task: { kind: 'center-out', duration: 0.4, delay: [0.05, 0.15] } });
    const arm = resolveArm(config.arm);
    const task = parseTaskSpec(config.task);
    const heldOut = sampleTrials(arm, task, 32, createRng(1234));
    const setup = { arm, network: networkSpecOf(config), feedback: config.feedback, loss: config.loss, substeps: 1, hiddenNoise: 0 };
    const episode = new Episode(tf, setup, 32, task.steps);
    const state = initTrainState(config);
    const reaching = () => {
      const l = episode.run(state.params, heldOut, null, 'forward').loss;
      return l.position + l.hold;
    };
    const before = reaching();
    await train(tf, config, state);
    const after = reaching();
    episode.dispose();
    expect(after).toBeLessThan(0.7 * before);
  });
});
