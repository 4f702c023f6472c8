import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHECKPOINT } from '../../experiments/package-info.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { parseTrainConfig } from '../../model/train.ts';
import { parseTaskSpec } from '../../sim/tasks/task-spec.ts';

afterEach(() => vi.restoreAllMocks());

describe('durations in seconds, whole control steps of one dt', () => {
  it('a 1.2 s trial at dt = 10 ms is 120 steps; 1.205 s is refused, not rounded', () => {
    const t = parseTaskSpec({ duration: 1.2, dt: 0.01 });
    expect(t.steps).toBe(120);
    expect(t.duration).toBe(1.2);
    expect(parseTaskSpec({ duration: 0.9, dt: 0.03 }).steps).toBe(30);
    expect(() => parseTaskSpec({ duration: 1.205, dt: 0.01 })).toThrow(/duration: task duration = 1.205 s is not a whole number of control steps of dt = 0.01 s/);
    expect(() => parseTaskSpec({ duration: 1.2, steps: 100, dt: 0.01 })).toThrow(/100 steps disagree with duration 1.2 s/);
  });

  it('a resolved spec (duration and steps) parses to itself', () => {
    const t = parseTaskSpec({ kind: 'center-out', duration: 0.8, dt: 0.02 });
    expect(parseTaskSpec(t)).toEqual(t);
  });

  it('a config in control steps (delays 2 and 5, 120 steps at 10 ms) loads as 20 ms, 50 ms and 1.2 s, with one notice line per conversion', () => {
    const lines: string[] = [];
    const old = parseTrainConfig({ task: { kind: 'mixed', steps: 120 }, feedback: { proprioceptionDelay: 2, visionDelay: 5 } }, (l) => lines.push(l));
    const now = parseTrainConfig({ task: { kind: 'mixed', duration: 1.2 }, feedback: { proprioceptionDelay: 0.02, visionDelay: 0.05 } }, (l) => lines.push(`unexpected: ${l}`));
    expect(old).toEqual(now);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/steps 120 → duration 1.2 s/);
    expect(lines[1]).toMatch(/proprioceptionDelay 2 steps → 0.02 s, visionDelay 5 steps → 0.05 s/);
  });

  it('feedback delays that are not whole steps of the task dt are refused with the config', () => {
    const task = { kind: 'mixed', duration: 0.6, dt: 0.02, delay: [0.1, 0.2] };
    expect(parseTrainConfig({ task, feedback: { proprioceptionDelay: 0.04 } }).feedback.proprioceptionDelay).toBe(0.04);
    expect(() => parseTrainConfig({ task, feedback: { proprioceptionDelay: 0.05 } })).toThrow(/invalid training config: feedback proprioceptionDelay = 0.05 s is not a whole number of control steps of dt = 0.02 s/);
  });

  it('the committed default controller (written in control steps) still loads, converted, naming its file in the notice', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ck = parseCheckpoint(readFileSync(DEFAULT_CHECKPOINT, 'utf8'), DEFAULT_CHECKPOINT);
    expect(ck.config.task.duration).toBeCloseTo(1.2, 12);
    expect(ck.config.task.steps).toBe(120);
    expect(ck.config.feedback.proprioceptionDelay).toBeCloseTo(0.02, 12);
    expect(ck.config.feedback.visionDelay).toBeCloseTo(0.05, 12);
    const notes = warn.mock.calls.map((c) => String(c[0]));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) expect(n).toMatch(new RegExp(`^notice: ${DEFAULT_CHECKPOINT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*converted`));
  });
});
