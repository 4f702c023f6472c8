import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { createRng } from '../../core/random.ts';
import { initBackend } from '../../model/backend.ts';
import type { CellKind } from '../../model/cells/index.ts';
import { Episode } from '../../model/episode.ts';
import { sampleGradients } from './gradient-check.ts';
import { initParams, readout } from '../../model/network.ts';
import { plantStepOp } from '../../model/plant.ts';
import { episodeSetupOf, networkSpecOf, parseTrainConfig } from '../../model/train.ts';
import { stepBody } from '../../sim/body-step.ts';
import { getBodyPreset, restBodyState } from '../../sim/body.ts';
import { parseTaskSpec, sampleTrials } from '../../sim/tasks/task-spec.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

const arm26 = getBodyPreset('arm26');

/**
 * A small arm26 configuration whose episodes move the shoulder by a few degrees but keep the arm off the joint
 * stops (a stop is a kink that finite differences straddle: readout weights 5× larger drive the arm
 * into them and the check fails there, as it should).
 */
const small = (kind: CellKind) =>
  parseTrainConfig({
    seed: 3,
    arm: 'arm26',
    batch: 4,
    network: { kind, hidden: 12, outputScale: 0.3 },
    task: { kind: 'mixed', duration: 0.3, delay: [0.05, 0.1] },
    loss: { activity: 0.05, effort: 0.05, weight: 1e-3 },
    checkpointEvery: 0,
  });

/**
 * Largest |analytic − finite difference| relative to max(|fd|, 1e-3) over sampled weights of every
 * parameter, the largest range of a trial's shoulder angle (rad) and the closest approach to a stop (rad).
 */
function gradientCheck(kind: CellKind): { worst: number; checked: number; shoulderRange: number; margin: number } {
  const config = small(kind);
  const setup = { ...episodeSetupOf(config), hiddenNoise: 0 };
  const task = parseTaskSpec(config.task);
  const trials = sampleTrials(setup.arm, task, 4, createRng(11));
  const episode = new Episode(tf, setup, 4, task.steps);
  try {
    const params = initParams(setup.network, createRng(5));
    const base = episode.run(params, trials, null, 'gradients');
    const grads = Object.fromEntries(Object.entries(base.grads!).map(([k, v]) => [k, Float64Array.from(v)]));
    const samples = sampleGradients(episode, params, trials, grads);
    const worst = Math.max(...samples.map(({ analytic, fd }) => Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-3)));
    const checked = samples.length;
    // The check means something only if the muscles moved the arm (and kept it off the stops).
    const S = (episode as unknown as { S: Float64Array[] }).S;
    const sk = arm26.skeleton;
    let shoulderRange = 0;
    let margin = Infinity;
    for (let b = 0; b < 4; b++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const x of S) {
        lo = Math.min(lo, x[b * 10]);
        hi = Math.max(hi, x[b * 10]);
        for (let j = 0; j < 2; j++) margin = Math.min(margin, x[b * 10 + j] - sk.qMin[j], sk.qMax[j] - x[b * 10 + j]);
      }
      shoulderRange = Math.max(shoulderRange, hi - lo);
    }
    return { worst, checked, shoulderRange, margin };
  } finally {
    episode.dispose();
  }
}

describe('training through the six-muscle arm (arm26)', () => {
  it('a controller for arm26 has one output per muscle and sees muscle lengths and velocities plus vision', () => {
    const spec = networkSpecOf(small('rnn'));
    expect(spec.outputs).toBe(6);
    // target (2) + hold (1) + 6 lengths + 6 velocities + hand position and velocity (4).
    expect(spec.inputs).toBe(19);
    expect(spec.outputRange).toEqual([0.001, 1]);
  });

  it('the bounded readout keeps excitations strictly inside [0.001, 1] for any hidden state', () => {
    const spec = networkSpecOf(small('rnn'));
    const params = initParams(spec, createRng(1));
    const h = Float32Array.from({ length: 12 * 3 }, (_, i) => (i % 3 === 0 ? 1e4 : i % 3 === 1 ? -1e4 : 0));
    params.Wout.data.fill(1);
    const u = new Float64Array(18);
    readout(spec, params, h, 3, u);
    for (const v of u) {
      expect(v).toBeGreaterThanOrEqual(0.001);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  for (const kind of ['rnn', 'gru', 'lstm'] as const) {
    it(`${kind.toUpperCase()} gradients of the full episode loss through the muscles equal finite differences`, () => {
      const r = gradientCheck(kind);
      expect(r.checked).toBeGreaterThan(10);
      expect(r.shoulderRange).toBeGreaterThan(0.02);
      expect(r.margin).toBeGreaterThan(0.05);
      // float32 forward pass: within 2 % of the gradient's scale.
      expect(r.worst).toBeLessThan(0.02);
      console.log(`${kind}: ${r.checked} weights, worst relative error ${r.worst.toExponential(2)}, shoulder moved up to ${r.shoulderRange.toFixed(3)} rad, ≥ ${r.margin.toFixed(3)} rad from the stops`);
    });
  }

  it('plant op gradients (state and excitations) equal central finite differences of sim/ stepBody', () => {
    const step = plantStepOp(tf, arm26, 0.01, 2);
    const x0 = Array.from(restBodyState(arm26, [0.8, 1.5], [0.3, -0.4]));
    for (let m = 0; m < 6; m++) x0[4 + m] = 0.05 + 0.07 * m;
    const u0 = [0.3, 0.05, 0.6, 0.2, 0.45, 0.1];
    const w = [0.3, -1.2, 0.05, 0.02, 0.1, -0.2, 0.3, 0.05, -0.1, 0.2];
    const g = tf.grads((x: tfType.Tensor, u: tfType.Tensor) => tf.sum(tf.mul(step(x as tfType.Tensor2D, u as tfType.Tensor2D), tf.tensor1d(w))));
    const [gx, gu] = g([tf.tensor2d([x0]), tf.tensor2d([u0])]);
    const loss = (x: number[], u: number[]) => {
      const out = new Float64Array(10);
      stepBody(arm26, Float64Array.from(x), u, 0.01, out, { substeps: 2 });
      return out.reduce((s, v, i) => s + v * w[i], 0);
    };
    const h = 1e-6;
    const fd = (v: number[], i: number, f: (p: number[]) => number) => {
      const a = [...v];
      const b = [...v];
      a[i] += h;
      b[i] -= h;
      return (f(a) - f(b)) / (2 * h);
    };
    const gxv = gx.dataSync();
    const guv = gu.dataSync();
    for (let i = 0; i < 10; i++) expect(gxv[i]).toBeCloseTo(fd(x0, i, (p) => loss(p, u0)), 3);
    for (let i = 0; i < 6; i++) expect(guv[i]).toBeCloseTo(fd(u0, i, (p) => loss(x0, p)), 3);
  });
});
