/**
 * The live hidden state projected onto the reference planes: every recorded sample of the current trial
 * (the trail) and the state now. The jPC projection subtracts the reference cross-condition mean at the
 * sample's trial time, as jPCA does for the reference trajectories, so both live in the same plane.
 */
// Types only from reference.ts: its code (the reference reaches, with the model's training config and
// analysis) runs in the reference worker and stays out of the page's chunk.
import type { References, StatePlane } from './reference.ts';
import type { TrialRecord } from './trial-record.ts';

export interface LiveProjection {
  record: TrialRecord | null;
  refs: References | null;
  /** Trail in the PC plane: [steps, 2]. */
  pc: Float64Array;
  /** Trail in the jPC plane: [steps, 2]. */
  jpc: Float64Array;
  /** Samples projected, and the record's shift when they were (a scrolled record is reprojected). */
  length: number;
  shifted: number;
  /** State now in each plane. */
  currentPc: Float64Array;
  currentJpc: Float64Array;
}

export function createLiveProjection(): LiveProjection {
  return { record: null, refs: null, pc: new Float64Array(0), jpc: new Float64Array(0), length: 0, shifted: 0, currentPc: new Float64Array(2), currentJpc: new Float64Array(2) };
}

/** Project the samples of `record` not yet projected, and the current hidden state `h` at trial step `step`. */
export function updateProjection(lp: LiveProjection, record: TrialRecord, refs: References | null, h: Float32Array, step: number): void {
  if (lp.record !== record || lp.refs !== refs || lp.shifted !== record.shifted) {
    lp.record = record;
    lp.refs = refs;
    lp.shifted = record.shifted;
    if (lp.pc.length < record.capacity * 2) {
      lp.pc = new Float64Array(record.capacity * 2);
      lp.jpc = new Float64Array(record.capacity * 2);
    }
    lp.length = 0;
  }
  if (!refs) return;
  const n = record.units;
  for (let t = lp.length; t < record.length; t++) {
    const ht = record.hidden.subarray(t * n, (t + 1) * n);
    projectState(refs.pc, ht, null, 0, lp.pc, t * 2);
    if (refs.jpc) projectState(refs.jpc, ht, refs.crossConditionMean, meanRow(refs, record.shifted + t), lp.jpc, t * 2);
  }
  lp.length = record.length;
  projectState(refs.pc, h, null, 0, lp.currentPc);
  if (refs.jpc) projectState(refs.jpc, h, refs.crossConditionMean, meanRow(refs, step), lp.currentJpc);
}

function meanRow(refs: References, t: number): number {
  return Math.min(t, refs.steps - 1) * refs.units;
}

/**
 * Project a hidden state onto a plane: ((h − offset − extra) · axes) into out[0..1]; `extra` is the
 * cross-condition mean at the sample's time for the jPC plane.
 */
export function projectState(plane: StatePlane, h: ArrayLike<number>, extra: Float64Array | null, extraOffset: number, out: Float64Array, o = 0): void {
  let a = 0;
  let b = 0;
  const n = plane.offset.length;
  for (let u = 0; u < n; u++) {
    const v = h[u] - plane.offset[u] - (extra ? extra[extraOffset + u] : 0);
    a += v * plane.axes[u * 2];
    b += v * plane.axes[u * 2 + 1];
  }
  out[o] = a;
  out[o + 1] = b;
}
