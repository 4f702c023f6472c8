/**
 * The viewer's live loop on the six-muscle arm (issue 10 item 7): loaded from the committed muscle
 * controller, a live trial is the closed-loop trial of model/closed-loop.ts on the same arm26 body, step
 * for step — hand path, hidden state, muscle activations and excitations, and the muscles' joint torques.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkpointBody, parseCheckpoint } from '../../model/checkpoint.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { noiseless } from '../../sim/tasks/observation.ts';
import { centerOutConditions } from '../../sim/tasks/task-spec.ts';
import { advance, beginTrial, createSession, setNoiseScale } from '../../viewer/session.ts';
import { traceColumns, traceTable } from '../../viewer/trial-record.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const file = resolve(repo, 'models/default-muscle-controller.json');

describe('viewer session on the muscle arm', () => {
  it('a live muscle trial equals the closed-loop trial on arm26: hand, hidden state, activations, excitations, torques', () => {
    const ck = parseCheckpoint(readFileSync(file, 'utf8'), 'default-muscle-controller.json');
    const s = createSession(ck, 'default-muscle-controller.json');
    expect(s.body.actuator.kind).toBe('muscle');
    expect(s.record.muscles).toEqual(['pectoralis', 'deltoid', 'brachioradialis', 'triceps lateral', 'biceps', 'triceps long']);
    setNoiseScale(s, 0);
    const k = 5;
    beginTrial(s, k);
    while (s.record.length < s.task.steps) advance(s, 0.02);

    const trials = centerOutConditions(ck.arm, s.task, s.goStep * s.dt, 1);
    const rec = runClosedLoop(checkpointBody(ck), ck.network, ck.params, trials, { engine: 'matter', feedback: noiseless(ck.config.feedback) }, 1);
    const T = trials.steps;
    const n = ck.network.hidden;
    const m = 6;
    const slice = (a: ArrayLike<number>, w: number) => Array.from(a as Float64Array).slice(k * T * w, (k + 1) * T * w);
    expect(Array.from(s.record.hand.subarray(0, 2 * T))).toEqual(slice(rec.handPosition, 2));
    expect(Array.from(s.record.hidden.subarray(0, n * T))).toEqual(slice(rec.hidden, n));
    expect(Array.from(s.record.activation.subarray(0, m * T), Math.fround)).toEqual(slice(rec.muscles!.activation, m));
    expect(Array.from(s.record.tau1.subarray(0, T), Math.fround)).toEqual(Array.from({ length: T }, (_, t) => rec.torques[(k * T + t) * 2]));
    // Excitations as used are the network's outputs clipped to [0.001, 1].
    const used = slice(rec.muscles!.excitation, m).map((u) => Math.fround(Math.min(1, Math.max(0.001, u))));
    expect(Array.from(s.record.excitation.subarray(0, m * T), Math.fround)).toEqual(used);
    // The reach ends at the target (the controller's tested accuracy is < 1 cm on matter-js).
    const last = (T - 1) * 2;
    expect(Math.hypot(s.record.hand[last] - s.target[0], s.record.hand[last + 1] - s.target[1])).toBeLessThan(0.01);
    // The downloaded table names a column per muscle activation and excitation, after the hidden units.
    const cols = traceColumns(s.record);
    expect(cols.slice(-12)).toEqual([...s.record.muscles.map((x) => `activation_${x.replace(' ', '_')}`), ...s.record.muscles.map((x) => `excitation_${x.replace(' ', '_')}`)]);
    const table = traceTable(s.record);
    expect(table.data[10 * cols.length + cols.indexOf('activation_biceps')]).toBe(s.record.activation[10 * m + 4]);
  });
});
