/**
 * Earlier trials in Node (no browser): the faded overlay of a finished reach is that reach — from the
 * trial start through the go cue and the movement — however long the run went on before the next trial
 * (the live record scrolls after the trial; the overlay must not).
 */
import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { noiseless } from '../../sim/tasks/observation.ts';
import { centerOutConditions } from '../../sim/tasks/task-spec.ts';
import { createReplay, followRecord, overlays } from '../../viewer/replay.ts';
import { advance, beginTrial, createSession, setNoiseScale, trialTime } from '../../viewer/session.ts';
import { untrainedCheckpoint } from './untrained-checkpoint.ts';

/** An untrained controller: what is kept of a trial does not depend on the weights. */
const checkpoint = () => untrainedCheckpoint(16, 5);

describe('viewer earlier trials', () => {
  it('an earlier trial drawn 5 s after it ended still holds its go cue and its movement, as the closed loop ran them', () => {
    const ck = checkpoint();
    const s = createSession(ck, 'test');
    setNoiseScale(s, 0);
    const replay = createReplay();
    replay.overlayCount = 1;
    const k = 2;
    beginTrial(s, k);
    followRecord(replay, s.record);
    const end = s.record.capacity * s.dt + 5;
    // 60 Hz frames, as the page follows the record once per frame.
    while (trialTime(s) < end) {
      advance(s, 1 / 60);
      followRecord(replay, s.record);
    }
    expect(s.record.shifted, 'the live record has scrolled past the go cue').toBeGreaterThan(s.goStep);
    beginTrial(s, 5);
    followRecord(replay, s.record);
    const [past] = overlays(replay);
    expect(past.targetIndex).toBe(k);
    expect(past.shifted).toBe(0);
    expect(past.length).toBe(past.capacity);
    expect(past.timesFromGo[0]).toBeCloseTo(-s.goStep * s.dt, 12);
    expect(past.hold[s.goStep - 1]).toBe(1);
    expect(past.hold[s.goStep]).toBe(0);

    const trials = centerOutConditions(ck.arm, s.task, s.goStep * s.dt, 1);
    const rec = runClosedLoop(ck.arm, ck.network, ck.params, trials, { engine: 'matter', feedback: noiseless(ck.config.feedback) }, 1);
    const T = Math.min(trials.steps, past.length);
    expect(T).toBeGreaterThan(s.goStep + 50);
    expect(Array.from(past.hand.subarray(0, 2 * T))).toEqual(Array.from(rec.handPosition.subarray(k * trials.steps * 2, (k * trials.steps + T) * 2)));
  });
});
