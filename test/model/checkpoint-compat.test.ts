/**
 * Semver promise for checkpoints: a 0.2.x program loads what 0.1.0 wrote. The fixture is
 * models/default-controller.json as committed at 28dc59c (package 0.1.0, feedback delays then in
 * control steps, network spec without the later cell options), and the controller it holds still
 * reaches: its training summary says 4.1 mm mean endpoint error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { centerOutConditions, parseTaskSpec } from '../../api/sim.ts';
import { parseCheckpoint, runClosedLoop } from '../../api/model.ts';

const text = readFileSync(new URL('../fixtures/checkpoint-0.1.0.json', import.meta.url), 'utf8');

describe('a checkpoint written by version 0.1.0', () => {
  const ck = parseCheckpoint(text, 'checkpoint-0.1.0.json');

  it('loads, keeps its version stamp and converts its step delays to seconds (2 and 5 steps of 10 ms)', () => {
    expect(ck.packageVersion).toBe('0.1.0');
    expect(ck.config.feedback.proprioceptionDelay).toBeCloseTo(0.02, 12);
    expect(ck.config.feedback.visionDelay).toBeCloseTo(0.05, 12);
    expect(ck.network.kind).toBe('rnn');
    expect([ck.network.hidden, ck.network.inputs, ck.network.outputs]).toEqual([128, 11, 2]);
  });

  it('still brings the hand to within 1 cm of each of the 8 center-out targets (noise-free, analytic arm)', () => {
    const task = parseTaskSpec(ck.config.task);
    const trials = centerOutConditions(ck.arm, { ...task, kind: 'center-out' }, 0.3);
    const rec = runClosedLoop(ck.arm, ck.network, ck.params, trials, { engine: 'analytic', feedback: { ...ck.config.feedback, jointAngleNoise: 0, jointVelocityNoise: 0, handPositionNoise: 0, handVelocityNoise: 0 } }, 1);
    const T = rec.times.length;
    for (let c = 0; c < trials.batch; c++) {
      const i = (c * T + T - 1) * 2;
      const error = Math.hypot(rec.handPosition[i] - trials.target[2 * c], rec.handPosition[i + 1] - trials.target[2 * c + 1]);
      expect(error).toBeLessThan(0.01);
    }
  });
});
