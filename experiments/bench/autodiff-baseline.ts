/**
 * The yardstick of the training benchmark: the same training step written the plain tfjs way, so that
 * every bench output carries its own reference on a noisy machine. A leaky tanh RNN (weights as
 * tf.variable) drives the torque arm through `plantStepOp` (sim/'s RK4 step as a tfjs op with a custom
 * gradient), sees target, hold cue, joint state and hand position/velocity (computed with tf ops), is
 * charged the smoothed L1 hand-to-target distance (in x, y) after go and a reaction window, effort and
 * activity, and learns by tf autodiff and tf.train.adam (optimizer.minimize). The hand's position and
 * velocity are computed once per step (the next step's observation and this step's loss). Same sizes as
 * the project's step (hidden units, batch, steps, 11 inputs, 2 torques); no sensory delays or feedback
 * noise (they would only add ops); the hidden noise is a tf.randomNormal per step.
 */
import type * as tfType from '@tensorflow/tfjs';
import { createRng, type Rng } from '../../core/random.ts';
import { plantStepOp } from '../../model/plant.ts';
import type { ArmParams } from '../../sim/arm-params.ts';
import { OBSERVATION_SIZE } from '../../sim/tasks/observation.ts';
import { sampleTrials, type TaskSpec } from '../../sim/tasks/task-spec.ts';

export interface AutodiffBaselineOptions {
  arm: ArmParams;
  task: TaskSpec;
  /** Hidden units. */
  hidden: number;
  batch: number;
  /** Time constant of the leaky units (s). Default 0.05. */
  tau?: number;
  /** Std of the hidden noise (activity units). Default 0.01. */
  hiddenNoise?: number;
  seed: number;
}

/** A plain tfjs BPTT training loop. A resource: dispose() it. */
export interface AutodiffBaseline {
  /** One training iteration (sample trials, forward, autodiff backward, Adam); returns its loss. */
  iteration(): number;
  dispose(): void;
}

export function autodiffBaseline(tf: typeof tfType, o: AutodiffBaselineOptions): AutodiffBaseline {
  const { arm, task, hidden: n, batch: B } = o;
  const ni = OBSERVATION_SIZE;
  const T = task.steps;
  const dt = task.dt;
  const alpha = dt / (o.tau ?? 0.05);
  const noiseStd = o.hiddenNoise ?? 0.01;
  const rng: Rng = createRng(o.seed);
  const Wx = tf.variable(tf.randomNormal([ni + n, n], 0, 1 / Math.sqrt(ni + n), 'float32', o.seed));
  const b = tf.variable(tf.zeros([n]));
  const Wout = tf.variable(tf.randomNormal([n, 2], 0, 0.1 / Math.sqrt(n), 'float32', o.seed + 1));
  const bout = tf.variable(tf.zeros([2]));
  const optimizer = tf.train.adam(3e-3);
  const plant = plantStepOp(tf, arm, dt);
  const [l1, l2] = arm.l;
  let noiseSeed = o.seed;
  // The reaction window after go in which position is not charged (as model/losses.ts, 0.15 s).
  const reactionSteps = Math.round(0.15 / dt);

  const hand = (x: tfType.Tensor2D) => {
    const [q1, q2, w1, w2] = tf.split(x, 4, 1);
    const a12 = tf.add(q1, q2);
    const w12 = tf.add(w1, w2);
    const c1 = tf.cos(q1);
    const s1 = tf.sin(q1);
    const c12 = tf.cos(a12);
    const s12 = tf.sin(a12);
    const hx = tf.add(tf.mul(c1, l1), tf.mul(c12, l2));
    const hy = tf.add(tf.mul(s1, l1), tf.mul(s12, l2));
    const vx = tf.neg(tf.add(tf.mul(tf.mul(s1, l1), w1), tf.mul(tf.mul(s12, l2), w12)));
    const vy = tf.add(tf.mul(tf.mul(c1, l1), w1), tf.mul(tf.mul(c12, l2), w12));
    return { pos: tf.concat([hx, hy], 1), vel: tf.concat([vx, vy], 1) };
  };

  return {
    iteration() {
      const trials = sampleTrials(arm, task, B, rng);
      return tf.tidy(() => {
        const target = tf.tensor2d(Float32Array.from(trials.target), [B, 2]);
        const x0 = tf.tensor2d(Float32Array.from(trials.x0), [B, 4]);
        const go = Array.from(trials.goStep);
        const holdCue = Array.from({ length: T }, (_, t) => tf.tensor2d(go.map((g) => (t < g ? 1 : 0)), [B, 1]));
        const reach = Array.from({ length: T }, (_, t) => tf.tensor2d(go.map((g) => (t + 1 > g + reactionSteps ? 1 : 0)), [B, 1]));
        const cost = optimizer.minimize(() => {
          let x: tfType.Tensor2D = x0;
          let seen = hand(x0);
          let h: tfType.Tensor2D = tf.zeros([B, n]);
          let loss: tfType.Scalar = tf.scalar(0);
          for (let t = 0; t < T; t++) {
            const obs = tf.concat([target, holdCue[t], x, seen.pos, seen.vel], 1);
            const pre = tf.add(tf.add(tf.matMul(tf.concat([obs, h], 1), Wx), b), tf.randomNormal([B, n], 0, noiseStd, 'float32', noiseSeed++));
            h = tf.add(tf.mul(h, 1 - alpha), tf.mul(tf.tanh(pre), alpha));
            const u = tf.add<tfType.Tensor2D>(tf.matMul(h, Wout), bout);
            x = plant(x, u);
            seen = hand(x);
            const d = tf.sub(seen.pos, target);
            const dist = tf.sum(tf.sub(tf.sqrt(tf.add(tf.square(d), 0.005 ** 2)), 0.005), 1, true);
            const terms = tf.addN([tf.sum(tf.mul(dist, reach[t])), tf.mul(tf.sum(tf.square(u)), 5e-4), tf.mul(tf.mean(tf.square(h)), 1e-2 * B)]);
            loss = tf.add(loss, terms);
          }
          return tf.div<tfType.Scalar>(loss, B * T);
        }, true);
        return cost!.dataSync()[0];
      });
    },
    dispose() {
      for (const v of [Wx, b, Wout, bout]) v.dispose();
      optimizer.dispose();
    },
  };
}
