import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { handPosition } from '../../sim/dynamics.ts';
import { DEFAULT_FEEDBACK, noiseless, OBSERVATION_SIZE } from '../../sim/tasks/observation.ts';
import { ReachEnv } from '../../sim/tasks/reach-env.ts';
import { centerOutConditions, centerOutStart, centerOutTargets, parseTaskSpec, sampleTrials } from '../../sim/tasks/task-spec.ts';

const arm = MOTORNET_ARM;

describe('center-out and random reaching tasks', () => {
  const task = parseTaskSpec({ kind: 'center-out' });

  it('has 8 targets 10 cm from the start, 45° apart, each reachable within the joint limits', () => {
    const [sx, sy] = centerOutStart(arm, task);
    const targets = centerOutTargets(arm, task);
    expect(targets).toHaveLength(8);
    targets.forEach(([x, y], k) => {
      expect(Math.hypot(x - sx, y - sy)).toBeCloseTo(0.1, 12);
      expect(Math.atan2(y - sy, x - sx)).toBeCloseTo(Math.atan2(Math.sin((k * Math.PI) / 4), Math.cos((k * Math.PI) / 4)), 12);
    });
  });

  it('random reaches start and end inside the joint limits, at rest, with go inside the delay range', () => {
    const random = parseTaskSpec({ kind: 'random', catchProbability: 0.25 });
    const b = sampleTrials(arm, random, 400, createRng(1));
    let catches = 0;
    for (let i = 0; i < b.batch; i++) {
      const [q1, q2, w1, w2] = b.x0.subarray(i * 4, i * 4 + 4);
      expect(q1).toBeGreaterThanOrEqual(arm.qMin[0] + random.limitMargin);
      expect(q1).toBeLessThanOrEqual(arm.qMax[0] - random.limitMargin);
      expect(q2).toBeGreaterThanOrEqual(arm.qMin[1] + random.limitMargin);
      expect(q2).toBeLessThanOrEqual(arm.qMax[1] - random.limitMargin);
      expect([w1, w2]).toEqual([0, 0]);
      expect(handPosition(arm, q1, q2)).toEqual([b.start[i * 2], b.start[i * 2 + 1]]);
      if (b.isCatch[i]) {
        catches++;
        expect(b.goStep[i]).toBe(random.steps);
      } else {
        expect(b.goStep[i] * random.dt).toBeGreaterThanOrEqual(random.delay[0] - 1e-9);
        expect(b.goStep[i] * random.dt).toBeLessThanOrEqual(random.delay[1] + 1e-9);
      }
    }
    // Binomial(400, 0.25): mean 100, sd 8.7.
    expect(Math.abs(catches - 100)).toBeLessThan(35);
  });

  it('rejects a delay that outlasts the trial', () => {
    expect(() => parseTaskSpec({ steps: 20, delay: [0.1, 0.3] })).toThrow(/longest delay must end before the trial/);
  });
});

describe('ReachEnv (Gymnasium contract)', () => {
  const task = parseTaskSpec({ kind: 'center-out', steps: 50 });

  it('reset returns an observation of the declared size; step truncates after task.steps', () => {
    const env = new ReachEnv({ arm, task, feedback: DEFAULT_FEEDBACK });
    try {
      const { observation } = env.reset({ seed: 3, options: { condition: 2, goTime: 0.2 } });
      expect(observation).toHaveLength(OBSERVATION_SIZE);
      expect(env.observationSpace.shape).toEqual([OBSERVATION_SIZE]);
      let r = env.step([0, 0]);
      let steps = 1;
      while (!r.truncated) {
        r = env.step([0, 0]);
        steps++;
      }
      expect(steps).toBe(task.steps);
      expect(r.terminated).toBe(false);
      expect(() => env.step([Number.NaN, 0])).toThrow(/two finite torques/);
    } finally {
      env.dispose();
    }
  });

  it('with zero torque the arm stays at rest and the reward is minus the distance to the current goal', () => {
    for (const engine of ['matter', 'analytic'] as const) {
      const env = new ReachEnv({ arm, task, feedback: noiseless(DEFAULT_FEEDBACK), engine });
      try {
        const { info, observation } = env.reset({ seed: 1, options: { condition: 0, goTime: 0.1 } });
        const start = info.hand;
        expect(observation[2]).toBe(1);
        for (let t = 1; t <= 20; t++) {
          const r = env.step([0, 0]);
          expect(Math.hypot(r.info.hand[0] - start[0], r.info.hand[1] - start[1])).toBeLessThan(1e-9);
          // The goal is the start through the state reached as go appears (step 10), then the target 10 cm away.
          expect(r.reward).toBeCloseTo(t <= 10 ? 0 : -0.1, 9);
          expect(r.observation[2]).toBe(t < 10 ? 1 : 0);
        }
      } finally {
        env.dispose();
      }
    }
  });

  it('positive shoulder torque moves the hand the way q1 rotates it; the same seed replays the same observations', () => {
    const run = () => {
      const env = new ReachEnv({ arm, task, feedback: DEFAULT_FEEDBACK });
      const { info } = env.reset({ seed: 9, options: { trials: centerOutConditions(arm, task, 0.2), index: 4 } });
      const obs: number[] = [];
      let last = info;
      for (let t = 0; t < 10; t++) {
        const r = env.step([1, 0]);
        obs.push(...r.observation);
        last = r.info;
      }
      env.dispose();
      return { obs, q1: last.state[0], q10: info.state[0] };
    };
    const a = run();
    expect(a.q1).toBeGreaterThan(a.q10);
    expect(run().obs).toEqual(a.obs);
  });
});
