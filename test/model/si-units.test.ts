import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../experiments/package-info.ts';
import { runExperiment } from '../../experiments/run.ts';
import { DEFAULT_RUN_OPTIONS } from '../../experiments/run-options.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { parseTrainConfig } from '../../model/train.ts';
import { DEFAULT_FEEDBACK } from '../../sim/tasks/observation.ts';
import { parseTaskSpec } from '../../sim/tasks/task-spec.ts';

afterEach(() => vi.restoreAllMocks());

const OLD_CHECKPOINT = join(PACKAGE_ROOT, 'test', 'fixtures', 'checkpoint-0.1.0.json');

describe('durations in seconds, whole control steps of one dt', () => {
  it('a 1.2 s trial at dt = 10 ms is 120 steps; 1.205 s is refused, not rounded', () => {
    const t = parseTaskSpec({ duration: 1.2, dt: 0.01 });
    expect(t.steps).toBe(120);
    expect(t.duration).toBe(1.2);
    expect(parseTaskSpec({ duration: 0.9, dt: 0.03, delay: [0.3, 0.6] }).steps).toBe(30);
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
    expect(parseTrainConfig({ task, feedback: { proprioceptionDelay: 0.04, visionDelay: 0.06 } }).feedback.proprioceptionDelay).toBe(0.04);
    expect(() => parseTrainConfig({ task, feedback: { proprioceptionDelay: 0.05, visionDelay: 0.06 } })).toThrow(/invalid training config: feedback proprioceptionDelay = 0.05 s is not a whole number of control steps of dt = 0.02 s/);
  });

  it('a feedback block that sets one field keeps the default 20 / 50 ms delays and noise for the rest', () => {
    const fb = parseTrainConfig({ feedback: { muscleVelocityNoise: 0.001 } }).feedback;
    expect(fb).toEqual({ ...DEFAULT_FEEDBACK, muscleVelocityNoise: 0.001 });
    expect([fb.proprioceptionDelay, fb.visionDelay]).toEqual([0.02, 0.05]);
  });

  it('a controller written in control steps (version 0.1.0) still loads, converted, naming its file in the notice', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ck = parseCheckpoint(readFileSync(OLD_CHECKPOINT, 'utf8'), OLD_CHECKPOINT);
    expect(ck.config.task.duration).toBeCloseTo(1.2, 12);
    expect(ck.config.task.steps).toBe(120);
    expect(ck.config.feedback.proprioceptionDelay).toBeCloseTo(0.02, 12);
    expect(ck.config.feedback.visionDelay).toBeCloseTo(0.05, 12);
    const notes = warn.mock.calls.map((c) => String(c[0]));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) expect(n).toMatch(new RegExp(`^notice: ${OLD_CHECKPOINT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*converted`));
  });

  it('instructed delays and the cue delay are whole control steps of the task dt, refused otherwise', () => {
    const task = { kind: 'mixed', duration: 0.6, dt: 0.02, delay: [0.1, 0.2] };
    expect(parseTaskSpec(task).delay).toEqual([0.1, 0.2]);
    expect(() => parseTaskSpec({ ...task, delay: [0.1, 0.25] })).toThrow(/delay\.1: task delay\[1\] = 0.25 s is not a whole number of control steps of dt = 0.02 s/);
    expect(() => parseTaskSpec({ ...task, delay: [0.11, 0.2] })).toThrow(/task delay\[0\] = 0.11 s is not a whole number/);
    expect(() => parseTaskSpec({ ...task, cueDelay: 0.15 })).toThrow(/task cueDelay = 0.15 s is not a whole number/);
  });

  it('a run measures the endpoint error a whole number of control steps after go: 0.805 s at dt = 10 ms is refused, not rounded', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ck = parseCheckpoint(readFileSync(OLD_CHECKPOINT, 'utf8'), OLD_CHECKPOINT);
    expect(() => runExperiment(ck, { ...DEFAULT_RUN_OPTIONS, evalAfter: 0.805 })).toThrow(/evaluation delay \(--eval-after\) = 0.805 s is not a whole number of control steps of dt = 0.01 s/);
    expect(() => runExperiment(ck, { ...DEFAULT_RUN_OPTIONS, goTime: 0.305 })).toThrow(/task delay\[0\] = 0.305 s is not a whole number/);
  });
});
