import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { convertStepUnits } from '../../model/train.ts';
import { DEFAULT_CHECKPOINT } from '../../experiments/package-info.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment } from '../../experiments/run.ts';
import { excursion } from './hand-excursion.ts';
import { expectRandomReaches } from './random-reaches.ts';

describe('the committed default controller', () => {
  const ck = parseCheckpoint(readFileSync(DEFAULT_CHECKPOINT, 'utf8'), DEFAULT_CHECKPOINT);
  const result = runExperiment(ck, DEFAULT_RUN_OPTIONS);

  it('reaches all 8 center-out targets on the matter-js arm to within 1 cm, 800 ms after the go cue', () => {
    expect(result.recording.engine).toBe('matter');
    expect(result.trialRecords).toHaveLength(8);
    for (const t of result.trialRecords) {
      // Each reach covers the 10 cm from start to target.
      const [sx, sy] = t.start;
      const [tx, ty] = t.target;
      expect(Math.hypot(tx - sx, ty - sy)).toBeCloseTo(0.1, 6);
      expect(t.endpoint_error!).toBeLessThan(0.01);
    }
  });

  it('makes straight reaches (max perpendicular deviation < 10 % of the reach) with single-peaked speed', () => {
    for (const m of result.metrics) {
      expect(m!.singlePeaked).toBe(true);
      expect(m!.straightness).toBeLessThan(0.1);
      // Bell-shaped: the speed profile correlates with the minimum-jerk profile.
      expect(m!.minJerkCorrelation).toBeGreaterThan(0.5);
    }
  });

  it('holds still before the go cue (movement onset after go)', () => {
    for (const t of result.trialRecords) expect(t.movement_onset!).toBeGreaterThan(t.go_time!);
  });
});

describe('the committed default controller holds, generalises and reacts in human time', () => {
  const text = readFileSync(DEFAULT_CHECKPOINT, 'utf8');
  const ck = parseCheckpoint(text, DEFAULT_CHECKPOINT);
  const dt = ck.network.dt;
  // The 8 center-out reaches (go at 0.3 s, noisy feedback as in training) followed for 4 s after go.
  const long = runExperiment(ck, { ...DEFAULT_RUN_OPTIONS, duration: 4.4, evalAfter: 4 });

  it('is written in seconds: loading it converts no step-counted field', () => {
    const notices: string[] = [];
    convertStepUnits((JSON.parse(text) as { body: { config: unknown } }).body.config, (line) => notices.push(line));
    expect(notices).toEqual([]);
  });

  it('settles within 2 mm of each center-out target by 1 s after go and stays there, slower than 1 cm/s, for 3 s more', () => {
    const rec = long.recording;
    for (let b = 0; b < rec.trials.batch; b++) {
      const settled = rec.trials.goStep[b] + Math.round(1 / dt);
      const e = excursion(rec, b, rec.trials.target.subarray(b * 2, b * 2 + 2), settled, settled + Math.round(3 / dt));
      expect(e.distance).toBeLessThan(0.002);
      expect(e.speed).toBeLessThan(0.01);
    }
  });

  it('does not twitch as the trial and the controller start: the hand stays within 2 mm of the start, slower than 1.5 cm/s, until the network sees go', () => {
    const rec = long.recording;
    for (let b = 0; b < rec.trials.batch; b++) {
      const e = excursion(rec, b, rec.trials.start.subarray(b * 2, b * 2 + 2), 0, rec.trials.cueStep[b] + 1);
      expect(e.distance).toBeLessThan(0.002);
      expect(e.speed).toBeLessThan(0.015);
    }
  });

  it('starts each center-out reach 150–300 ms after the go cue, the range of human reaction times', () => {
    for (const m of long.metrics) {
      expect(m!.reactionTime).toBeGreaterThanOrEqual(0.15);
      expect(m!.reactionTime).toBeLessThanOrEqual(0.3);
    }
  });

  // Scored 1 s after go, the 10 cm center-out reaches at 0.8 s: random reaches run up to 77 cm (median 29 cm), and
  // the longest are still arriving 0.8 s after go.
  it('reaches 100 random targets across the workspace to within 1 cm (mean < 0.5 cm) 1 s after go, reacting in 150–300 ms', () => {
    expectRandomReaches(ck, 1);
  });
});
