/**
 * Replay and earlier trials: a slider over the samples of the current trial's record (scrubbing pauses the
 * run, so the record holds still; resuming returns to the live arm), and the records of the last trials
 * kept to be drawn faded behind the current one.
 */
import type { TrialRecord } from './trial-record.ts';

/** Earlier trials kept (the most the overlay choice offers). */
export const HISTORY_LIMIT = 10;

export interface Replay {
  /** Sample of the current record shown, or −1 for the live arm. */
  sample: number;
  /** Finished trials toward a target, oldest first. */
  history: TrialRecord[];
  /** How many of the latest earlier trials to draw. */
  overlayCount: number;
  /** The record the run was writing at the last {@link followRecord}. */
  current: TrialRecord | null;
}

export function createReplay(): Replay {
  return { sample: -1, history: [], overlayCount: 0, current: null };
}

/**
 * Follow the run's record: when a new trial has begun, keep the finished one (a reach) and leave replay.
 * The record kept is the trial as recorded (its `complete` copy once it has scrolled), not the waiting after it.
 */
export function followRecord(r: Replay, record: TrialRecord): void {
  if (record === r.current) return;
  const done = r.current;
  if (done && done.targetIndex >= 0 && done.length > 1) {
    r.history.push(done.complete ?? done);
    if (r.history.length > HISTORY_LIMIT) r.history.shift();
  }
  r.current = record;
  r.sample = -1;
}

/** Forget the earlier trials (another controller's reaches are not comparable). */
export function clearHistory(r: Replay): void {
  r.history = [];
  r.current = null;
  r.sample = -1;
}

/** The earlier trials to draw, oldest first. */
export function overlays(r: Replay): TrialRecord[] {
  return r.overlayCount > 0 ? r.history.slice(-r.overlayCount) : [];
}
