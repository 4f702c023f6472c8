/**
 * What the protocols share: center-out trial sequences and per-trial reach measures.
 */
import { createRng, randomInt } from '../../core/random.ts';
import { reachMetrics } from '../../model/analysis/kinematics.ts';
import { signedPerpendicularDeviation } from '../../model/analysis/adaptation.ts';
import type { Checkpoint } from '../../model/checkpoint.ts';
import type { Recording } from '../../model/closed-loop.ts';
import { allocTrialBatch, parseTaskSpec, setCenterOutTrial, type TrialBatch } from '../../sim/tasks/task-spec.ts';

/** `count` center-out trials, each cycle of the targets in a seeded random order, go cue at `goTime` s. */
export function centerOutSequence(ck: Checkpoint, count: number, goTime: number, duration: number, seed: number): TrialBatch {
  const task = parseTaskSpec({ ...ck.config.task, kind: 'center-out', duration, steps: undefined });
  const goStep = Math.round(goTime / task.dt);
  if (!(goStep >= 1 && goStep < task.steps)) throw new Error(`go time ${goTime} s is outside the ${duration} s trial`);
  const out = allocTrialBatch(count, task.steps, task.dt);
  const rng = createRng(seed);
  let order: number[] = [];
  for (let i = 0; i < count; i++) {
    if (order.length === 0) {
      order = Array.from({ length: task.targets }, (_, k) => k);
      for (let k = order.length - 1; k > 0; k--) {
        const j = randomInt(rng, k + 1);
        [order[k], order[j]] = [order[j], order[k]];
      }
    }
    setCenterOutTrial(ck.arm, task, out, i, order.shift()!, goStep, false);
  }
  return out;
}

/** Reach measures of one trial. */
export interface TrialMeasures {
  /** Signed largest deviation from the start–target line between onset and offset (m, + = left of the reach). */
  deviation: number;
  /** Hand-to-target distance `evalAfter` s after go (m). */
  endpointError: number;
  /** Movement onset from trial start (s), null when the hand never moved. */
  onset: number | null;
}

/** Measures of trial b of a recording, the path cut `evalAfter` s after go. */
export function measureTrial(rec: Recording, b: number, evalAfter: number): TrialMeasures {
  const { steps: T, dt } = rec.trials;
  const go = rec.trials.goStep[b];
  const at = Math.min(T - 1, go + Math.round(evalAfter / dt));
  const pos = rec.handPosition.subarray(b * T * 2, (b * T + at + 1) * 2);
  const start: [number, number] = [rec.trials.start[b * 2], rec.trials.start[b * 2 + 1]];
  const target: [number, number] = [rec.trials.target[b * 2], rec.trials.target[b * 2 + 1]];
  const m = reachMetrics(pos, { dt, target, start, goIndex: go });
  const from = Math.round(m.onsetTime / dt);
  const to = Math.round(m.offsetTime / dt);
  return {
    deviation: signedPerpendicularDeviation(pos, start, target, from, to),
    endpointError: m.endpointError,
    onset: Number.isFinite(m.onsetTime) ? m.onsetTime : null,
  };
}
