import { expect } from 'vitest';
import type { Checkpoint } from '../../model/checkpoint.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment } from '../../experiments/run.ts';

/** Runs 100 random reaches of a committed controller and checks the figures: endpoint error `evalAfter` s
 *  after go below 1 cm (mean below 0.5 cm), every reaction 150–300 ms after the go cue. */
export function expectRandomReaches(ck: Checkpoint, evalAfter: number): void {
  const random = runExperiment(ck, { ...DEFAULT_RUN_OPTIONS, task: 'random', repeats: 100, evalAfter, duration: evalAfter + 0.6 });
  expect(random.summary.trials).toBe(100);
  expect(random.summary.meanEndpointError).toBeLessThan(0.005);
  expect(random.summary.maxEndpointError).toBeLessThan(0.01);
  for (const m of random.metrics.filter((x) => x !== null)) {
    expect(m.reactionTime).toBeGreaterThanOrEqual(0.15);
    expect(m.reactionTime).toBeLessThanOrEqual(0.3);
  }
}
