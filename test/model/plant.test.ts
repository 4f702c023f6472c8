import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { initBackend } from '../../model/backend.ts';
import { plantStepOp } from '../../model/plant.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { stepArm } from '../../sim/dynamics.ts';

let tf: typeof tfType;
beforeAll(async () => {
  ({ tf } = await initBackend('auto'));
});

const torque = (t: number): [number, number] => [2 * Math.sin(0.1 * t), 1.5 * Math.cos(0.13 * t)];

describe('differentiable plant (tfjs op over sim/ dynamics)', () => {
  it('agrees with the float64 analytic arm to 1e-6 rad over 100 steps of 10 ms', () => {
    const step = plantStepOp(tf, MOTORNET_ARM, 0.01, 1);
    let x = tf.tensor2d([[0.7, 1.4, 0, 0]]);
    const ref = new Float64Array([0.7, 1.4, 0, 0]);
    let worst = 0;
    for (let t = 0; t < 100; t++) {
      const tau = torque(t);
      const u = tf.tensor2d([tau]);
      const next = step(x, u);
      x.dispose();
      u.dispose();
      x = next;
      stepArm(MOTORNET_ARM, ref, tau, 0.01, ref);
      const d = x.dataSync();
      worst = Math.max(worst, Math.abs(d[0] - ref[0]), Math.abs(d[1] - ref[1]));
    }
    x.dispose();
    // The reach must actually move the arm for the comparison to mean something.
    expect(Math.abs(ref[0] - 0.7) + Math.abs(ref[1] - 1.4)).toBeGreaterThan(0.1);
    expect(worst).toBeLessThan(1e-6);
  });

  it('gradients through the tfjs op equal central finite differences of sim/ stepArm', () => {
    const step = plantStepOp(tf, MOTORNET_ARM, 0.01, 1);
    const x0 = [0.6, 1.1, 0.4, -0.8];
    const tau0 = [0.9, -0.5];
    const w = [0.3, -1.2, 0.05, 0.02]; // loss = w · x'
    const g = tf.grads((x: tfType.Tensor, u: tfType.Tensor) => tf.sum(tf.mul(step(x as tfType.Tensor2D, u as tfType.Tensor2D), tf.tensor1d(w))));
    const [gx, gu] = g([tf.tensor2d([x0]), tf.tensor2d([tau0])]);
    const loss = (x: number[], u: number[]) => {
      const out = new Float64Array(4);
      stepArm(MOTORNET_ARM, Float64Array.from(x), u, 0.01, out);
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
    for (let i = 0; i < 4; i++) expect(gxv[i]).toBeCloseTo(fd(x0, i, (p) => loss(p, tau0)), 4);
    for (let i = 0; i < 2; i++) expect(guv[i]).toBeCloseTo(fd(tau0, i, (p) => loss(x0, p)), 4);
  });

  it('rejects a state that is not [batch, 4]', () => {
    const step = plantStepOp(tf, MOTORNET_ARM, 0.01, 1);
    expect(() => step(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[0, 0]]))).toThrow(/\[batch, 4\]/);
  });
});
