import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { createController } from '../../model/controller-step.ts';
import { beginTrial, intervene, planInterventions } from '../../model/interventions/apply.ts';
import { selectTrials } from '../../model/interventions/schedule.ts';
import { parseInterventionSpec } from '../../model/interventions/spec.ts';
import { initParams, networkSpecSchema } from '../../model/network.ts';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { FEEDBACK_OFFSET, OBSERVATION_SIZE } from '../../sim/tasks/observation.ts';
import { centerOutConditions, parseTaskSpec } from '../../sim/tasks/task-spec.ts';

const arm = MOTORNET_ARM;
const spec = networkSpecSchema.parse({ hidden: 16, inputs: OBSERVATION_SIZE, outputScale: 0.05 });
const params = initParams(spec, createRng(3));
const task = parseTaskSpec({ kind: 'center-out', duration: 0.5, dt: 0.01 });
const feedback = { proprioceptionDelay: 0.02, visionDelay: 0.05 };

function run(specJson: unknown, repeats = 2) {
  const trials = centerOutConditions(arm, task, 0.2, repeats);
  const plan = planInterventions(parseInterventionSpec(specJson), trials.batch, spec.hidden);
  return { trials, rec: runClosedLoop(arm, spec, params, trials, { engine: 'analytic', feedback, interventions: plan }, 1) };
}

describe('intervention schedules', () => {
  it('hit exactly the trials and steps they name', () => {
    const { trials, rec } = run({
      interventions: [
        { kind: 'silence', units: [0], trials: { kind: 'list', trials: [1, 5, 12] }, window: { from: 'go', start: 0.1, end: 0.15 } },
        { kind: 'silence', units: [1], trials: { kind: 'range', first: 4, last: 9 }, exceptTrials: { kind: 'list', trials: [6] }, window: { from: 'start', start: 0.03 } },
      ],
    });
    const { batch: B, steps: T } = trials;
    const mask = rec.interventions!.mask;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        // Go at 0.2 s = step 20: the first window is steps 30…34 of trials 1, 5 and 12; the second steps 3… of trials 4, 5, 7, 8, 9.
        const first = [1, 5, 12].includes(b) && t >= 30 && t < 35;
        const second = [4, 5, 7, 8, 9].includes(b) && t >= 3;
        expect(mask[(b * T + t) * 2]).toBe(first ? 1 : 0);
        expect(mask[(b * T + t) * 2 + 1]).toBe(second ? 1 : 0);
      }
    }
  });

  it('a seeded fraction names round(fraction × N) distinct trials, the same for the same seed, inside its range', () => {
    const a = selectTrials({ kind: 'fraction', fraction: 0.3, seed: 7, within: [10, 49] }, 100);
    expect(a).toHaveLength(12);
    expect(new Set(a).size).toBe(12);
    expect(a.every((t) => t >= 10 && t <= 49)).toBe(true);
    expect(selectTrials({ kind: 'fraction', fraction: 0.3, seed: 7, within: [10, 49] }, 100)).toEqual(a);
    expect(selectTrials({ kind: 'fraction', fraction: 0.3, seed: 8, within: [10, 49] }, 100)).not.toEqual(a);
  });

  it('catch-like trials fall one in each block of `every` trials', () => {
    const c = selectTrials({ kind: 'catch', every: 5, seed: 2, within: [20, 69] }, 100);
    expect(c).toHaveLength(10);
    c.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(20 + 5 * i);
      expect(t).toBeLessThan(25 + 5 * i);
    });
  });

  it('a movement-onset window opens when the hand first reaches the onset speed after go, and never on a catch trial', () => {
    const { trials, rec } = run({ interventions: [{ kind: 'current', units: [2], amount: 0, window: { from: 'onset', start: 0, end: 0.05 } }], onsetSpeed: 0.02 }, 1);
    const T = trials.steps;
    for (let b = 0; b < trials.batch; b++) {
      const onset = rec.interventions!.onsetStep[b];
      let first = -1;
      for (let t = trials.goStep[b]; t < T && first < 0; t++) {
        const o = (b * T + t) * 2;
        if (Math.hypot(rec.handVelocity[o], rec.handVelocity[o + 1]) >= 0.02) first = t;
      }
      expect(onset).toBe(first);
      for (let t = 0; t < T; t++) expect(rec.interventions!.mask[b * T + t]).toBe(first >= 0 && t >= first && t < first + 5 ? 1 : 0);
    }
  });
});

describe('interventions on the network', () => {
  it('a clamped unit holds its value while the clamp is on, and moves again after', () => {
    const { trials, rec } = run({ interventions: [{ kind: 'clamp', units: [3, 7], value: 0.5, window: { from: 'start', start: 0.1, end: 0.3 } }] }, 1);
    const { batch: B, steps: T } = trials;
    const n = spec.hidden;
    for (let b = 0; b < B; b++) {
      for (const u of [3, 7]) {
        for (let t = 10; t < 30; t++) expect(rec.hidden[(b * T + t) * n + u]).toBe(0.5);
        // Free again: the leaky unit relaxes away from the clamped value.
        expect(Math.abs(rec.hidden[(b * T + 35) * n + u] - 0.5)).toBeGreaterThan(1e-3);
      }
    }
  });

  it('removing the recurrent weights leaves the first step unchanged and changes the second', () => {
    const none = run({ interventions: [] }, 1).rec;
    const cut = run({ interventions: [{ kind: 'recurrent-scale', scale: 0 }] }, 1).rec;
    const n = spec.hidden;
    // From h = 0 the recurrent weights contribute nothing to the first step.
    for (let j = 0; j < n; j++) expect(cut.hidden[j]).toBe(none.hidden[j]);
    let diff = 0;
    for (let j = 0; j < n; j++) diff += Math.abs(cut.hidden[n + j] - none.hidden[n + j]);
    expect(diff).toBeGreaterThan(1e-4);
  });
});

describe('feedback interventions', () => {
  function transformed(intervention: unknown, obs: number[]): Float32Array {
    const plan = planInterventions(parseInterventionSpec({ interventions: [intervention] }), 1, spec.hidden);
    const controller = createController(spec, params);
    controller.input.set(obs);
    const tr = beginTrial(plan, { trial: 0, dt: 0.01, steps: 10, goStep: 5, start: [0.1, 0.4] }, { controller, observation: controller.input, handVelocity: [0, 0], setHandForce: () => {} });
    intervene(tr, 'before-cell', 0);
    return controller.input;
  }
  const V = FEEDBACK_OFFSET + 4;

  it('a rotated visual feedback rotates hand position about the start and hand velocity by the angle, counter-clockwise', () => {
    const obs = new Array<number>(OBSERVATION_SIZE).fill(0);
    obs[V] = 0.1 + 0.1; // 10 cm right of the start
    obs[V + 1] = 0.4;
    obs[V + 2] = 0;
    obs[V + 3] = 0.5;
    const out = transformed({ kind: 'rotate-feedback', angle: Math.PI / 6 }, obs);
    // (0.1, 0) rotated by 30°: (0.1·cos 30°, 0.1·sin 30°) = (0.0866, 0.05); (0, 0.5) → (−0.25, 0.433).
    expect(out[V]).toBeCloseTo(0.1 + 0.0866025, 6);
    expect(out[V + 1]).toBeCloseTo(0.4 + 0.05, 6);
    expect(out[V + 2]).toBeCloseTo(-0.25, 6);
    expect(out[V + 3]).toBeCloseTo(0.4330127, 6);
    // Proprioception is untouched.
    for (let i = FEEDBACK_OFFSET; i < V; i++) expect(out[i]).toBe(0);
  });

  it('scaling a modality by 0 removes it from the input, shifting proprioception adds to the joint angles', () => {
    const obs = Array.from({ length: OBSERVATION_SIZE }, (_, i) => i + 1);
    const gone = transformed({ kind: 'scale-feedback', modality: 'vision', gain: 0 }, obs);
    for (let i = 0; i < 4; i++) expect(gone[V + i]).toBe(0);
    const shifted = transformed({ kind: 'shift-feedback', modality: 'proprioception', offset: [0.1, -0.2] }, obs);
    expect(shifted[FEEDBACK_OFFSET]).toBeCloseTo(obs[FEEDBACK_OFFSET] + 0.1, 6);
    expect(shifted[FEEDBACK_OFFSET + 1]).toBeCloseTo(obs[FEEDBACK_OFFSET + 1] - 0.2, 6);
  });

  it('a delayed modality shows what the sensors gave `delay` seconds earlier', () => {
    const plan = planInterventions(parseInterventionSpec({ interventions: [{ kind: 'delay-feedback', modality: 'vision', delay: 0.03 }] }), 1, spec.hidden);
    const controller = createController(spec, params);
    const tr = beginTrial(plan, { trial: 0, dt: 0.01, steps: 10, goStep: 5, start: [0, 0] }, { controller, observation: controller.input, handVelocity: [0, 0], setHandForce: () => {} });
    for (let t = 0; t < 8; t++) {
      controller.input.fill(0);
      controller.input[V] = t;
      intervene(tr, 'before-cell', t);
      expect(controller.input[V]).toBe(Math.max(0, t - 3));
    }
  });
});

describe('hand-force interventions', () => {
  it('a force pulse on the hand in a window moves the hand only from that window on', () => {
    const none = run({ interventions: [] }, 1);
    const pushed = run({ interventions: [{ kind: 'hand-force', field: { kind: 'constant', F: [5, 0] }, window: { from: 'start', start: 0.1, end: 0.15 } }] }, 1);
    for (let t = 0; t <= 10; t++) expect(pushed.rec.handPosition[t * 2]).toBe(none.rec.handPosition[t * 2]);
    expect(pushed.rec.handPosition[20 * 2] - none.rec.handPosition[20 * 2]).toBeGreaterThan(1e-3);
  });
});
