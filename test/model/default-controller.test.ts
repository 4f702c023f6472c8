import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { DEFAULT_CHECKPOINT } from '../../experiments/package-info.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment } from '../../experiments/run.ts';

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
      expect(m!.straightness).toBeLessThan(0.1);
      expect(m!.singlePeaked).toBe(true);
      // Bell-shaped: the speed profile correlates with the minimum-jerk profile.
      expect(m!.minJerkCorrelation).toBeGreaterThan(0.5);
    }
  });

  it('holds still before the go cue (movement onset after go)', () => {
    for (const t of result.trialRecords) expect(t.movement_onset!).toBeGreaterThan(t.go_time!);
  });
});
