import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import { Episode } from '../../model/episode.ts';
import { initParams } from '../../model/network.ts';
import { networkSpecOf, parseTrainConfig, resolveArm } from '../../model/train.ts';
import { allocTrialBatch, parseTaskSpec, setCenterOutTrial } from '../../sim/tasks/task-spec.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

/**
 * A network whose readout is zero leaves the arm (horizontal, no gravity) at rest at the start, 10 cm
 * from the target straight along the reach: each charged step costs w·(√(0.1² + ε²) − ε) + 0 across.
 */
function positionLoss(loss: Record<string, number>): number {
  const config = parseTrainConfig({
    seed: 1,
    batch: 1,
    network: { hidden: 8 },
    task: { kind: 'center-out', duration: 0.5, delay: [0.1, 0.1], cueDelay: 0.05, catchProbability: 0 },
    loss: { effort: 0, activity: 0, weight: 0, reactionWindow: 0.1, settleTime: 0.1, ...loss },
    checkpointEvery: 0,
  });
  const arm = resolveArm(config.arm);
  const task = parseTaskSpec(config.task);
  const trials = allocTrialBatch(1, task.steps, task.dt);
  setCenterOutTrial(arm, task, trials, 0, 3, 10, false);
  const setup = { arm, network: networkSpecOf(config), feedback: config.feedback, loss: config.loss, substeps: 1, hiddenNoise: 0 };
  const episode = new Episode(tf, setup, 1, task.steps);
  try {
    const params = initParams(setup.network, createRng(2));
    params.Wout.data.fill(0);
    params.bout.data.fill(0);
    return episode.run(params, trials, null, 'forward').loss.position;
  } finally {
    episode.dispose();
  }
}

describe('distance to the target once the hand should have settled (stay)', () => {
  // 50 steps; the network sees go at state 15, may move until 25, must be at the target over 26–35 (10
  // reach states) and at rest there over 36–50 (15 stay states). Each term is a mean over the 50 steps.
  const eps = 0.005;
  const perStep = Math.sqrt(0.1 ** 2 + eps ** 2) - eps;

  it('weighs the reach states by position and the settled states by stay', () => {
    expect(positionLoss({ position: 1, stay: 4, epsilon: eps })).toBeCloseTo(((10 * 1 + 15 * 4) * perStep) / 50, 6);
    expect(positionLoss({ position: 0, stay: 2, epsilon: eps })).toBeCloseTo((15 * 2 * perStep) / 50, 6);
  });

  it('smooths the settled states with stayEpsilon, the reach states with epsilon', () => {
    const stayEps = 0.002;
    const perStayStep = Math.sqrt(0.1 ** 2 + stayEps ** 2) - stayEps;
    expect(positionLoss({ position: 1, stay: 4, epsilon: eps, stayEpsilon: stayEps })).toBeCloseTo((10 * 1 * perStep + 15 * 4 * perStayStep) / 50, 9);
  });

  it('defaults to the position weight', () => {
    expect(positionLoss({ position: 3, epsilon: eps })).toBeCloseTo((25 * 3 * perStep) / 50, 6);
  });
});
