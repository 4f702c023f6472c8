/**
 * Earlier trials in Node (no browser): the faded overlay of a finished reach is that reach — from the
 * trial start through the go cue and the movement — however long the run went on before the next trial
 * (the live record scrolls after the trial; the overlay must not).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import type { Checkpoint } from '../../model/checkpoint.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { initParams } from '../../model/network.ts';
import { networkSpecOf, parseTrainConfig, resolveArm } from '../../model/train.ts';
import { noiseless } from '../../sim/tasks/observation.ts';
import { centerOutConditions } from '../../sim/tasks/task-spec.ts';
import { createReplay, followRecord, overlays } from '../../viewer/replay.ts';
import { advance, beginTrial, createSession, setNoiseScale, trialTime } from '../../viewer/session.ts';

/** An untrained controller: what is kept of a trial does not depend on the weights. */
function checkpoint(): Checkpoint {
  const config = parseTrainConfig({ network: { hidden: 16, outputScale: 0.3 }, task: { kind: 'center-out' } });
  const network = networkSpecOf(config);
  return {
    packageVersion: 'test',
    backend: 'none',
    config,
    arm: resolveArm(config.arm),
    network,
    params: initParams(network, createRng(5)),
    training: { iterations: 0, finalLoss: { position: 0, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 0 }, endpointError: NaN },
  };
}

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
