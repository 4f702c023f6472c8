/**
 * The viewer's live loop in Node (no browser): whatever the display's frame times, a live trial is the
 * closed-loop trial of model/closed-loop.ts, step for step; slow frames become slow motion; pause and
 * single-step run whole control steps. The reference planes project live states exactly as jPCA and
 * PCA project the reference activity.
 */
import { describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { noiseless } from '../../sim/tasks/observation.ts';
import { centerOutConditions } from '../../sim/tasks/task-spec.ts';
import { projectState } from '../../viewer/live-projection.ts';
import { computeReferences } from '../../viewer/reference.ts';
import { advance, beginTrial, createSession, MAX_FRAME_TIME, requestStep, setNoiseScale, setPaused, SUBSTEP, trialSteps, trialTime } from '../../viewer/session.ts';
import { untrainedCheckpoint } from './untrained-checkpoint.ts';

/** An untrained controller: the loop's bookkeeping does not depend on the weights. */
const checkpoint = (hidden = 24) => untrainedCheckpoint(hidden, 3);

describe('viewer session (live loop)', () => {
  it('a live trial equals the closed-loop trial of the same condition, for irregular frame times', () => {
    const ck = checkpoint();
    const s = createSession(ck, 'test');
    setNoiseScale(s, 0);
    const k = 3;
    beginTrial(s, k);
    const frames = createRng(11);
    while (s.record.length < s.task.steps) advance(s, uniformIn(frames, 0.004, 0.045));

    const trials = centerOutConditions(ck.arm, s.task, s.goStep * s.dt, 1);
    const rec = runClosedLoop(ck.arm, ck.network, ck.params, trials, { engine: 'matter', feedback: noiseless(ck.config.feedback) }, 1);
    const T = trials.steps;
    const n = ck.network.hidden;
    expect(Array.from(s.record.hand.subarray(0, 2 * T))).toEqual(Array.from(rec.handPosition.subarray(k * T * 2, (k + 1) * T * 2)));
    expect(Array.from(s.record.hidden.subarray(0, n * T))).toEqual(Array.from(rec.hidden.subarray(k * T * n, (k + 1) * T * n)));
    expect(Array.from(s.record.tau1.subarray(0, T), Math.fround)).toEqual(Array.from({ length: T }, (_, t) => rec.torques[(k * T + t) * 2]));
    expect(s.record.hold[s.goStep - 1]).toBe(1);
    expect(s.record.hold[s.goStep]).toBe(0);
  });

  it('runs whole 1 ms updates at the display rate, slow frames as slow motion, and records 2 s past go', () => {
    const s = createSession(checkpoint(), 'test');
    beginTrial(s, 0);
    expect(advance(s, 1 / 60)).toBe(16);
    expect(advance(s, 1 / 60)).toBe(17);
    const t0 = s.simTime;
    expect(advance(s, 1)).toBe(Math.round(MAX_FRAME_TIME / SUBSTEP));
    expect(s.simTime - t0).toBeCloseTo(MAX_FRAME_TIME, 9);
    s.timeScale = 0.25;
    expect(advance(s, 0.04)).toBe(10);
    expect(trialSteps(s)).toBe(s.goStep + Math.round(2 / s.dt));
    expect(s.record.capacity).toBe(trialSteps(s));
  });

  it('pause freezes the arm; single-step advances exactly one 10 ms control step', () => {
    const s = createSession(checkpoint(), 'test');
    beginTrial(s, 1);
    advance(s, 0.0123);
    setPaused(s, true);
    const step = s.step;
    const hand = s.arm.handPosition();
    expect(advance(s, 0.5)).toBe(0);
    expect(s.arm.handPosition()).toEqual(hand);
    requestStep(s);
    expect(advance(s, 0.5)).toBeGreaterThanOrEqual(1);
    expect(s.step).toBe(step + 1);
    expect(s.substep).toBe(0);
  });

  it('pauseAt stops the run at that trial time to the 1 ms update, whatever the frame times, and only once', () => {
    const s = createSession(checkpoint(), 'test');
    beginTrial(s, 2);
    const at = s.goStep * s.dt + 0.437;
    s.pauseAt = at;
    // Slow, irregular frames: each one advances up to MAX_FRAME_TIME, far past 1 ms.
    const frames = createRng(5);
    for (let i = 0; i < 200 && !s.paused; i++) advance(s, uniformIn(frames, 0.03, 0.3));
    expect(s.paused).toBe(true);
    expect(s.step * s.substepsPerStep + s.substep).toBe(Math.round(at / SUBSTEP));
    expect(s.record.length).toBe(Math.ceil(at / s.dt));
    expect(s.pauseAt).toBeNull();
    setPaused(s, false);
    expect(advance(s, 0.02)).toBe(20);
    expect(s.paused).toBe(false);
  });

  it('a pauseAt left unreached when a new trial begins does not pause the new trial (it was for its own trial)', () => {
    const s = createSession(checkpoint(), 'test');
    beginTrial(s, 2);
    const at = s.goStep * s.dt + 0.3;
    s.pauseAt = at;
    // The user starts another reach before the first one reaches `at`.
    advance(s, 0.01);
    expect(trialTime(s)).toBeLessThan(at);
    beginTrial(s, 5);
    for (let i = 0; i < 100 && !s.paused && trialTime(s) < at + 0.05; i++) advance(s, 0.02);
    expect(s.paused).toBe(false);
    expect(trialTime(s)).toBeGreaterThan(at);
    expect(s.pauseAt).toBeNull();
  });

  it('live states project onto the reference planes as PCA and jPCA project the reference activity', () => {
    const ck = checkpoint(16);
    const goStep = 30;
    const refs = computeReferences(ck, goStep);
    const trials = centerOutConditions(ck.arm, { ...ck.config.task, kind: 'center-out' }, goStep * ck.network.dt, 1);
    const rec = runClosedLoop(ck.arm, ck.network, ck.params, trials, { engine: 'matter', feedback: noiseless(ck.config.feedback) }, 1);
    const { conditions: C, steps: T, units: n } = refs;
    const out = new Float64Array(2);
    let worst = 0;
    for (let c = 0; c < C; c++) {
      for (let t = 0; t < T; t++) {
        const h = rec.hidden.subarray((c * T + t) * n, (c * T + t + 1) * n);
        projectState(refs.pc, h, null, 0, out);
        worst = Math.max(worst, Math.abs(out[0] - refs.pc.trajectories[(c * T + t) * 2]), Math.abs(out[1] - refs.pc.trajectories[(c * T + t) * 2 + 1]));
        projectState(refs.jpc!, h, refs.crossConditionMean, t * n, out);
        worst = Math.max(worst, Math.abs(out[0] - refs.jpc!.trajectories[(c * T + t) * 2]), Math.abs(out[1] - refs.jpc!.trajectories[(c * T + t) * 2 + 1]));
      }
    }
    expect(worst).toBeLessThan(1e-9);
    expect(refs.onsetStep).toBeGreaterThanOrEqual(goStep);
    expect(Array.from(refs.order.pd).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let i = 1; i < n; i++) expect(refs.preferredDirection[refs.order.pd[i]]).toBeGreaterThanOrEqual(refs.preferredDirection[refs.order.pd[i - 1]]);
  });
});
