import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import { Episode } from '../../model/episode.ts';
import { sampleGradients } from './gradient-check.ts';
import { initParams } from '../../model/network.ts';
import { episodeSetupOf, parseTrainConfig } from '../../model/train.ts';
import { allocTrialBatch, parseTaskSpec, sampleTrials, setCenterOutTrial } from '../../sim/tasks/task-spec.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

const config = (loss: Record<string, unknown>, task: Record<string, unknown> = {}) =>
  parseTrainConfig({
    seed: 1,
    arm: 'arm26',
    batch: 1,
    network: { kind: 'rnn', hidden: 8, tau: 0.05 },
    task: { kind: 'center-out', duration: 0.5, delay: [0.1, 0.1], cueDelay: 0.05, catchProbability: 0, ...task },
    loss: { effort: 0, activity: 0, weight: 0, ...loss },
    checkpointEvery: 0,
  });

/**
 * A leaky RNN with no input or recurrent weights and bias β relaxes from 0 toward tanh β: after m steps
 * every unit is h_m = tanh β·(1 − (1 − α)^m), α = dt/τ = 0.2. With every readout weight c, each of the 6
 * outputs' drive is 8·c·h_m, whatever the arm does.
 */
function effortComponent(holdDrive: number, isCatch: boolean, beta: number, c: number): number {
  const cfg = config({ holdDrive });
  const setup = { ...episodeSetupOf(cfg), hiddenNoise: 0 };
  const task = parseTaskSpec(cfg.task);
  const trials = allocTrialBatch(1, task.steps, task.dt);
  setCenterOutTrial(setup.arm, task, trials, 0, 2, 10, isCatch);
  const episode = new Episode(tf, setup, 1, task.steps);
  try {
    const params = initParams(setup.network, createRng(2));
    params.Wx.data.fill(0);
    params.b.data.fill(beta);
    params.Wout.data.fill(c);
    return episode.run(params, trials, null, 'forward').loss.effort;
  } finally {
    episode.dispose();
  }
}

/** w/T · Σ_{m=1}^{last} 6·(8·c·h_m)²: the closed form of the hold drive over the hidden states h_1…h_last. */
function closedForm(w: number, last: number, beta: number, c: number, T = 50): number {
  let s = 0;
  for (let m = 1; m <= last; m++) s += 6 * (8 * c * Math.tanh(beta) * (1 - 0.8 ** m)) ** 2;
  return (w * s) / T;
}

describe('hold drive: the squared readout drive W_out·h while the hand must stay at the start', () => {
  // 50 steps of 10 ms; go at step 10, seen by the network 50 ms later (state 15): states 1…15 hold.
  it('charges the 15 holding states of a reach, as the closed form of a relaxing leaky RNN gives', () => {
    expect(effortComponent(2, false, 0.5, 0.3)).toBeCloseTo(closedForm(2, 15, 0.5, 0.3), 5);
    expect(effortComponent(0.5, false, -1, 0.1)).toBeCloseTo(closedForm(0.5, 15, -1, 0.1), 5);
  });

  it('charges every state of a catch trial (no go cue: hold throughout)', () => {
    expect(effortComponent(1, true, 0.5, 0.3)).toBeCloseTo(closedForm(1, 50, 0.5, 0.3), 5);
  });

  it('is off by default', () => {
    expect(effortComponent(0, false, 0.5, 0.3)).toBe(0);
    expect(config({}).loss.holdDrive).toBe(0);
  });

  it('GRU gradients through the muscles with the hold drive equal finite differences', () => {
    const cfg = parseTrainConfig({
      seed: 3,
      arm: 'arm26',
      batch: 4,
      network: { kind: 'gru', hidden: 12, outputScale: 0.3 },
      task: { kind: 'mixed', duration: 0.3, delay: [0.05, 0.1], cueDelay: 0.03 },
      loss: { activity: 0.05, effort: 0, weight: 1e-3, holdDrive: 5 },
      checkpointEvery: 0,
    });
    const setup = { ...episodeSetupOf(cfg), hiddenNoise: 0 };
    const task = parseTaskSpec(cfg.task);
    const trials = sampleTrials(setup.arm, task, 4, createRng(11));
    const episode = new Episode(tf, setup, 4, task.steps);
    try {
      const params = initParams(setup.network, createRng(5));
      const base = episode.run(params, trials, null, 'gradients');
      // The term matters: without it the loss is smaller.
      expect(base.loss.effort).toBeGreaterThan(0);
      const grads = Object.fromEntries(Object.entries(base.grads!).map(([k, v]) => [k, Float64Array.from(v)]));
      // float32 forward pass: within 2 %, or 2e-4 where the gradient is small (the term's gradients reach ~0.5
      // here; finite differences of the float32 loss are noisy at ~1e-5).
      for (const { analytic, fd } of sampleGradients(episode, params, trials, grads)) expect(Math.abs(analytic - fd)).toBeLessThan(0.02 * Math.max(Math.abs(fd), 1e-2));
    } finally {
      episode.dispose();
    }
  });
});
