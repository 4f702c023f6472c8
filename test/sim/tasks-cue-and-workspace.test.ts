import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { handPosition } from '../../sim/dynamics.ts';
import { DEFAULT_FEEDBACK } from '../../sim/tasks/observation.ts';
import { ReachEnv } from '../../sim/tasks/reach-env.ts';
import { centerOutConditions, parseTaskSpec, phaseAt, randomPosture, sampleTrials } from '../../sim/tasks/task-spec.ts';

const arm = MOTORNET_ARM;

/** Kolmogorov–Smirnov distance of the samples from the uniform distribution on [lo, hi]. */
function ksUniform(samples: number[], lo: number, hi: number): number {
  const x = samples.map((v) => (v - lo) / (hi - lo)).sort((a, b) => a - b);
  let d = 0;
  x.forEach((v, i) => (d = Math.max(d, Math.abs(v - i / x.length), Math.abs(v - (i + 1) / x.length))));
  return d;
}

describe('random reaches cover the workspace evenly', () => {
  // The hand is at distance r from the shoulder with r² = l1² + l2² + 2·l1·l2·cos q2, and the area between
  // the circles of radii r and r + dr grows with d(r²): over a uniformly covered workspace r² is uniform on
  // [r²(q2max), r²(q2min)], and the direction of the hand is uniform too for a fixed elbow angle.
  const n = 4000;
  const [l1, l2] = arm.l;
  const r2 = (q2: number) => l1 * l1 + l2 * l2 + 2 * l1 * l2 * Math.cos(q2);
  const draw = (randomSpace: 'joints' | 'hand') => {
    const task = parseTaskSpec({ kind: 'random', randomSpace });
    const rng = createRng(7);
    const qs = Array.from({ length: n }, () => randomPosture(arm, task, rng));
    const lo = arm.qMin[1] + task.limitMargin;
    const hi = arm.qMax[1] - task.limitMargin;
    return { qs, r2min: r2(hi), r2max: r2(lo) };
  };
  // Critical KS distance at α = 0.001 for n samples: 1.95/√n ≈ 0.031.
  const critical = 1.95 / Math.sqrt(n);

  it("hand-space sampling: the squared hand distance from the shoulder is uniform (KS), the shoulder angle too", () => {
    const { qs, r2min, r2max } = draw('hand');
    const hand = qs.map(([q1, q2]) => handPosition(arm, q1, q2));
    expect(ksUniform(hand.map(([x, y]) => x * x + y * y), r2min, r2max)).toBeLessThan(critical);
    const task = parseTaskSpec({ kind: 'random' });
    expect(ksUniform(qs.map(([q1]) => q1), arm.qMin[0] + task.limitMargin, arm.qMax[0] - task.limitMargin)).toBeLessThan(critical);
  });

  it('joint-space sampling (MotorNet) crowds the hand toward the extended arm, by the closed-form KS distance', () => {
    const { qs, r2min, r2max } = draw('joints');
    const measured = ksUniform(qs.map(([q1, q2]) => { const [x, y] = handPosition(arm, q1, q2); return x * x + y * y; }), r2min, r2max);
    // With q2 uniform on [a, b], the fraction x of the r² range nearest r²max is reached at
    // q2 = arccos(cos a − x·(cos a − cos b)), with probability (q2 − a)/(b − a).
    const task = parseTaskSpec({ kind: 'random' });
    const a = arm.qMin[1] + task.limitMargin;
    const b = arm.qMax[1] - task.limitMargin;
    let expected = 0;
    for (let i = 0; i <= 10000; i++) {
      const x = i / 10000;
      expected = Math.max(expected, Math.abs((Math.acos(Math.cos(a) - x * (Math.cos(a) - Math.cos(b))) - a) / (b - a) - x));
    }
    expect(expected).toBeGreaterThan(3 * critical);
    expect(Math.abs(measured - expected)).toBeLessThan(critical);
  });
});

describe('the go cue reaches the network after the task cue delay', () => {
  const task = parseTaskSpec({ kind: 'mixed', duration: 1, delay: [0.2, 0.4], cueDelay: 0.15, catchProbability: 0.2 });

  it('each trial sees the cue 15 steps after go; catch trials never', () => {
    const b = sampleTrials(arm, task, 200, createRng(3));
    for (let i = 0; i < b.batch; i++) {
      expect(b.cueStep[i]).toBe(b.isCatch[i] ? task.steps : b.goStep[i] + 15);
    }
    const c = centerOutConditions(arm, task, 0.3);
    expect(Array.from(c.cueStep)).toEqual(Array(8).fill(45));
  });

  it('the hold cue the network observes turns off at the cue step, while the task reports go at the go step', () => {
    const env = new ReachEnv({ arm, task, feedback: DEFAULT_FEEDBACK, engine: 'analytic' });
    try {
      let { observation, info } = env.reset({ seed: 1, options: { condition: 2, goTime: 0.3 } });
      const seen: number[] = [];
      const reported: boolean[] = [];
      for (let t = 0; t < 60; t++) {
        seen.push(observation[2]);
        reported.push(info.hold);
        ({ observation, info } = env.step([0, 0]));
      }
      expect(seen.findIndex((h) => h === 0)).toBe(45);
      expect(reported.findIndex((h) => !h)).toBe(30);
    } finally {
      env.dispose();
    }
  });

  it('phases count from the cue step: hold through it, free for the reaction window, reach, then stay after settling', () => {
    const phases = Array.from({ length: 12 }, (_, s) => phaseAt(s, 3, 2, 4));
    expect(phases).toEqual(['hold', 'hold', 'hold', 'hold', 'free', 'free', 'reach', 'reach', 'reach', 'reach', 'stay', 'stay']);
    expect(phaseAt(1000, 3, 2)).toBe('reach');
  });

  it('rejects a cue delay that is not whole control steps, or that the longest delay pushes past the trial end', () => {
    expect(() => parseTaskSpec({ cueDelay: 0.015 })).toThrow(/cueDelay/);
    expect(() => parseTaskSpec({ duration: 0.5, delay: [0.2, 0.4], cueDelay: 0.1 })).toThrow(/cueDelay/);
  });
});
