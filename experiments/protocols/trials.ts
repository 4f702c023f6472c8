/**
 * What the protocols share: center-out trial sequences, recordings played in pieces joined into one,
 * and per-trial reach measures.
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

/** The listed trials of a batch, in that order, as a batch of their own. */
export function pickTrials(t: TrialBatch, indices: readonly number[]): TrialBatch {
  const out = allocTrialBatch(indices.length, t.steps, t.dt);
  indices.forEach((b, i) => {
    out.x0.set(t.x0.subarray(b * 4, b * 4 + 4), i * 4);
    out.start.set(t.start.subarray(b * 2, b * 2 + 2), i * 2);
    out.target.set(t.target.subarray(b * 2, b * 2 + 2), i * 2);
    out.goStep[i] = t.goStep[b];
    out.cueStep[i] = t.cueStep[b];
    out.isCatch[i] = t.isCatch[b];
    out.condition[i] = t.condition[b];
    out.targetAngle[i] = t.targetAngle[b];
  });
  return out;
}

/** Trials first…first+count−1 of a batch as a batch of their own. */
export function sliceTrials(t: TrialBatch, first: number, count: number): TrialBatch {
  return pickTrials(t, Array.from({ length: count }, (_, i) => first + i));
}

/** Recordings of consecutive pieces of `trials`, joined in order into one recording of all of them. */
export function joinRecordings(trials: TrialBatch, parts: Recording[]): Recording {
  const cat = <A extends Float32Array | Float64Array | Uint8Array | Int32Array>(arrays: A[], make: (n: number) => A): A => {
    const out = make(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const f32 = (n: number) => new Float32Array(n);
  const f64 = (n: number) => new Float64Array(n);
  const first = parts[0];
  return {
    trials,
    times: first.times,
    inputs: cat(parts.map((p) => p.inputs), f32),
    hidden: cat(parts.map((p) => p.hidden), f32),
    extraStates: first.extraStates.map((x, k) => ({ part: x.part, data: cat(parts.map((p) => p.extraStates[k].data), f32) })),
    torques: cat(parts.map((p) => p.torques), f32),
    jointAngles: cat(parts.map((p) => p.jointAngles), f64),
    jointVelocities: cat(parts.map((p) => p.jointVelocities), f64),
    handPosition: cat(parts.map((p) => p.handPosition), f64),
    handVelocity: cat(parts.map((p) => p.handVelocity), f64),
    engine: first.engine,
    ...(first.interventions
      ? {
          interventions: {
            ids: first.interventions.ids,
            mask: cat(parts.map((p) => p.interventions!.mask), (n) => new Uint8Array(n)),
            onsetStep: cat(parts.map((p) => p.interventions!.onsetStep), (n) => new Int32Array(n)),
          },
        }
      : {}),
  };
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
