/**
 * Trials in pieces: a batch cut into smaller batches, and the closed-loop recordings of consecutive
 * pieces joined back into one. Runs are played in pieces by protocols that learn between them and by
 * experiments that hand the pieces to worker threads; a trial's noise depends only on the run's seed
 * and the trial's index (model/closed-loop.ts), so the joined recording is the same either way.
 */
import { allocTrialBatch, type TrialBatch } from '../sim/tasks/task-spec.ts';
import type { Recording } from './closed-loop.ts';

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
    ...(first.muscles
      ? {
          muscles: {
            names: first.muscles.names,
            excitation: cat(parts.map((p) => p.muscles!.excitation), f32),
            activation: cat(parts.map((p) => p.muscles!.activation), f32),
            force: cat(parts.map((p) => p.muscles!.force), f32),
            length: cat(parts.map((p) => p.muscles!.length), f32),
            velocity: cat(parts.map((p) => p.muscles!.velocity), f32),
          },
        }
      : {}),
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
