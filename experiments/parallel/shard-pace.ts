/**
 * How fast each thread of a shard pool computes shards, in shared memory, so that a slow thread can leave
 * a batch's last shards to a faster one. The two virtual cores of this machine kind have run up to 1.6×
 * apart (pinned, idle), and which one is slow moves. Claiming greedily, a batch of 4 shards on a fast
 * and a slow thread (1 and 1.6 time units per shard) ends at 3.2: the slow thread takes shards at 0 and
 * 1.6. Left to the fast thread, the last shard is done at 3.0. (Up to 1.5× apart greedy is as good.)
 *
 * A thread leaves the unclaimed shards only to threads computing a shard right now whose recent pace
 * says they finish it and then one more sooner than this thread would finish one (by a margin); never
 * to an idle or parked thread, or to one not yet timed, or to one already well past its own estimate
 * (stalled, or dead), so no shard waits for a thread that is not coming. Which thread computes a shard
 * does not change its result (model/shards.ts), so none of this changes the bits. Only 'gradients'
 * batches (nearly every one of a training) are timed and left: a shard of another mode costs another
 * time per trial (a gradient-flow shard more, a forward one less), so its time would skew the pace
 * and it would be judged on the wrong one; such batches are claimed greedily, untimed.
 *
 * Per thread (slot 0: the calling thread, k + 1: worker k), two float64: the wall clock at which its
 * current shard started (ms since the epoch; NaN while it computes none) and its pace (ms per trial, an
 * exponential mean over its shards with weight one half on the newest; NaN before its first). They are
 * read and written without Atomics or a lock, deliberately: an aligned float64 does not tear on x64, and
 * a stale or torn value could only mis-steer one decision, which OVERDUE bounds and which never changes
 * the bits.
 */
import type { EpisodeMode } from '../../model/episode.ts';
import type { Shard } from '../../model/shards.ts';
import { claimShard, finishShard, unclaimedShards } from './shard-claims.ts';

const FIELDS = 2;

/** Finish at least this fraction of this thread's own shard time sooner, or it is not worth leaving the shard. */
const MARGIN = 0.05;

/** A thread counted as faster that has run this many times its own estimate on its shard is no longer counted (stalled or gone). */
const OVERDUE = 2;

/** Returned by `nextShard` when the thread leaves the remaining shards to faster ones. */
export const LEFT = -2;

/** The pace of `threads` threads of one training: shared memory, posted to every worker. */
export function createPace(threads: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * FIELDS * threads)).fill(NaN);
}

/** Wall clock (ms since the epoch) with sub-millisecond resolution, comparable across the threads of a process. */
export const paceClock = () => performance.timeOrigin + performance.now();

/** Thread `slot` starts a shard at `now`. */
export function startShardPace(pace: Float64Array, slot: number, now: number): void {
  pace[FIELDS * slot] = now;
}

/** Thread `slot` finished, at `now`, the shard of `trials` trials it started. */
export function endShardPace(pace: Float64Array, slot: number, trials: number, now: number): void {
  const ms = (now - pace[FIELDS * slot]) / trials;
  const old = pace[FIELDS * slot + 1];
  pace[FIELDS * slot + 1] = Number.isNaN(old) ? ms : (old + ms) / 2;
  pace[FIELDS * slot] = NaN;
}

/**
 * Whether thread `slot`, free at `now`, should leave the `remaining` unclaimed shards (of `trials` trials
 * each) to other threads: there must be at least `remaining` threads busy with a shard that, at their
 * pace, finish it and one more before this thread would finish one.
 */
export function leaveToFaster(pace: Float64Array, slot: number, remaining: number, trials: number, now: number): boolean {
  const mine = pace[FIELDS * slot + 1] * trials;
  if (!(mine > 0)) return false;
  let faster = 0;
  for (let j = 0; j < pace.length / FIELDS; j++) {
    if (j === slot) continue;
    const start = pace[FIELDS * j];
    const theirs = pace[FIELDS * j + 1] * trials;
    if (Number.isNaN(start) || !(theirs > 0) || now > start + OVERDUE * theirs) continue;
    if (Math.max(start + theirs, now) + theirs < now + (1 - MARGIN) * mine) faster++;
  }
  return faster >= remaining;
}

/**
 * How long a thread that left the remaining shards sleeps before it asks again (ms). A claim notifies no
 * one (an Atomics.notify on every claim would be a syscall each), so the thread polls: shards take 10 ms
 * or more, so a 2 ms poll costs nothing measurable.
 */
const LEAVE_WAIT_MS = 2;

/**
 * The next shard of batch `batch` (of `count` shards, `trials` trials each) for thread `slot`: its index,
 * now claimed; −1 when none is left; or LEFT when faster threads should take the rest (then sleep
 * LEAVE_WAIT_MS and ask again: no one notifies a claim; `computeShards` does).
 */
export function nextShard(claims: Int32Array, pace: Float64Array, slot: number, batch: number, count: number, trials: number): number {
  const remaining = unclaimedShards(claims, batch, count);
  if (remaining === 0) return -1;
  if (leaveToFaster(pace, slot, remaining, trials, paceClock())) return LEFT;
  return claimShard(claims, batch, count);
}

/**
 * Claim and compute the shards of batch `batch` (in `mode`) on thread `slot` until none is left for it:
 * `run(i)` computes shard i and writes its result, then the shard is counted finished (./shard-claims.ts).
 * In a 'gradients' batch this thread's pace is timed around each shard and it may leave the last ones to
 * faster threads; other modes are claimed greedily, untimed. `meanwhile` runs after each shard and after
 * each sleep while faster threads are due to take the rest (the calling thread collects results there).
 */
export function computeShards(
  claims: Int32Array,
  pace: Float64Array,
  slot: number,
  batch: number,
  shards: readonly Shard[],
  mode: EpisodeMode,
  run: (i: number) => void,
  meanwhile?: () => void,
): void {
  const timed = mode === 'gradients';
  for (;;) {
    const word = Atomics.load(claims, 0);
    const i = timed ? nextShard(claims, pace, slot, batch, shards.length, shards[0].count) : claimShard(claims, batch, shards.length);
    if (i === -1) return;
    if (i === LEFT) {
      // Returns at once if the word changed since it was read (a claim, or the next batch's opening).
      Atomics.wait(claims, 0, word, LEAVE_WAIT_MS);
    } else {
      if (timed) startShardPace(pace, slot, paceClock());
      run(i);
      if (timed) endShardPace(pace, slot, shards[i].count, paceClock());
      finishShard(claims);
    }
    meanwhile?.();
  }
}
