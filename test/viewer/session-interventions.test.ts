/** The viewer takes an intervention spec and applies it exactly as a closed-loop run does. */
import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { planInterventions } from '../../model/interventions/apply.ts';
import { parseInterventionSpec } from '../../model/interventions/spec.ts';
import { noiseless } from '../../sim/tasks/observation.ts';
import { centerOutConditions } from '../../sim/tasks/task-spec.ts';
import { advance, beginTrial, createSession, setInterventions, setNoiseScale } from '../../viewer/session.ts';
import { untrainedCheckpoint } from './untrained-checkpoint.ts';

const checkpoint = (hidden = 24) => untrainedCheckpoint(hidden, 3);

describe('viewer session with interventions', () => {
  it('a live trial under an intervention spec equals the closed-loop trial under the same spec, and a clamped unit holds its value', () => {
    const ck = checkpoint();
    const spec = parseInterventionSpec({
      interventions: [
        { kind: 'clamp', units: [2, 5], value: 0.3, window: { from: 'go', start: 0, end: 0.2 } },
        { kind: 'rotate-feedback', angle: 0.5 },
        { kind: 'hand-force', field: { kind: 'constant', F: [0, 3] }, window: { from: 'start', start: 0.1, end: 0.2 } },
      ],
    });
    const s = createSession(ck, 'test');
    setNoiseScale(s, 0);
    setInterventions(s, spec);
    const k = 3;
    beginTrial(s, k);
    const frames = createRng(5);
    while (s.record.length < s.task.steps) advance(s, uniformIn(frames, 0.004, 0.045));

    const trials = centerOutConditions(ck.arm, s.task, s.goStep * s.dt, 1);
    const plan = planInterventions(spec, trials.batch, ck.network.hidden);
    const rec = runClosedLoop(ck.arm, ck.network, ck.params, trials, { engine: 'matter', feedback: noiseless(ck.config.feedback), interventions: plan }, 1);
    const T = trials.steps;
    const n = ck.network.hidden;
    expect(Array.from(s.record.hand.subarray(0, 2 * T))).toEqual(Array.from(rec.handPosition.subarray(k * T * 2, (k + 1) * T * 2)));
    expect(Array.from(s.record.hidden.subarray(0, n * T))).toEqual(Array.from(rec.hidden.subarray(k * T * n, (k + 1) * T * n)));
    for (let t = s.goStep; t < s.goStep + 20; t++) for (const u of [2, 5]) expect(s.record.hidden[t * n + u]).toBeCloseTo(0.3, 6);
  });
});
