import { describe, expect, it } from 'vitest';
import { claimShard, createClaims, finishedShards, openBatch, unclaimedShards } from '../../../experiments/parallel/shard-claims.ts';
import { computeShards, createPace, endShardPace, LEFT, leaveToFaster, nextShard, paceClock, startShardPace } from '../../../experiments/parallel/shard-pace.ts';

const TRIALS = 16;

/** A pace of two threads (0 and 1) timed at `msPerShard` each, with thread 1 computing a shard started at `started1` (ms) if given. */
function twoThreads(msPerShard: [number, number], started1?: number): Float64Array {
  const pace = createPace(2);
  msPerShard.forEach((ms, slot) => {
    startShardPace(pace, slot, 1000);
    endShardPace(pace, slot, TRIALS, 1000 + ms);
  });
  if (started1 !== undefined) startShardPace(pace, 1, started1);
  return pace;
}

describe('shards left to faster threads', () => {
  it('a thread 1.6× slower leaves the last shard to a busy thread that finishes its own and that one first (3.0 instead of 3.2 shard times)', () => {
    // Four shards of 10 ms on the fast thread, 16 ms on the slow one: at 16 ms the slow thread is free,
    // the fast one is on its second shard (started at 10), due at 20, and would finish a third at 30 < 32.
    expect(leaveToFaster(twoThreads([16, 10], 10), 0, 1, TRIALS, 16)).toBe(true);
  });

  it('up to 1.5× apart a thread takes the last shard itself (greedy is then as fast)', () => {
    // Slow thread free at 14, fast thread due at 20 and a third shard at 30, against 28 on the slow one.
    expect(leaveToFaster(twoThreads([14, 10], 10), 0, 1, TRIALS, 14)).toBe(false);
  });

  it('threads at one pace claim every shard they reach', () => {
    expect(leaveToFaster(twoThreads([10, 10], 5), 0, 1, TRIALS, 10)).toBe(false);
  });

  it('a shard is never left to a thread that computes none, has not been timed, or has run past twice its time', () => {
    expect(leaveToFaster(twoThreads([16, 10]), 0, 1, TRIALS, 16)).toBe(false);
    const untimed = createPace(2);
    startShardPace(untimed, 0, 0);
    endShardPace(untimed, 0, TRIALS, 16);
    startShardPace(untimed, 1, 10);
    expect(leaveToFaster(untimed, 0, 1, TRIALS, 16)).toBe(false);
    expect(leaveToFaster(twoThreads([16, 10], 10), 0, 1, TRIALS, 31)).toBe(false);
  });

  it('two remaining shards are left only to two faster threads', () => {
    const pace = createPace(3);
    [30, 10, 10].forEach((ms, slot) => {
      startShardPace(pace, slot, 0);
      endShardPace(pace, slot, TRIALS, ms);
    });
    startShardPace(pace, 1, 25);
    expect(leaveToFaster(pace, 0, 2, TRIALS, 30)).toBe(false);
    startShardPace(pace, 2, 26);
    expect(leaveToFaster(pace, 0, 2, TRIALS, 30)).toBe(true);
  });

  it('a thread\'s pace is the exponential mean of its shards\' time per trial, weight one half on the newest', () => {
    const pace = createPace(1);
    for (const [ms, trials] of [[32, 16], [16, 16], [4, 8]]) {
      startShardPace(pace, 0, 100);
      endShardPace(pace, 0, trials, 100 + ms);
    }
    // 2, then (2 + 1) / 2, then (1.5 + 0.5) / 2 ms per trial.
    expect(pace[1]).toBe(1);
    expect(Number.isNaN(pace[0])).toBe(true);
  });

  it('nextShard claims while no faster thread is due, leaves the rest while one is, and reports none left', () => {
    const claims = createClaims();
    openBatch(claims, 3, 2);
    expect(claimShard(claims, 3, 2)).toBe(0);
    expect(unclaimedShards(claims, 3, 2)).toBe(1);
    const now = paceClock();
    // This thread takes 100 ms a shard; the other, 10 ms, started one just now.
    const pace = twoThreads([100, 10], now);
    expect(nextShard(claims, pace, 0, 3, 2, TRIALS)).toBe(LEFT);
    expect(nextShard(claims, pace, 1, 3, 2, TRIALS)).toBe(1);
    expect(unclaimedShards(claims, 3, 2)).toBe(0);
    expect(nextShard(claims, pace, 0, 3, 2, TRIALS)).toBe(-1);
    openBatch(claims, 4, 2);
    expect(unclaimedShards(claims, 3, 2)).toBe(0);
  });

  it('a gradient-flow batch (dearer per trial than the gradient shards a pace times) is claimed greedily and leaves the pace as it was', () => {
    const claims = createClaims();
    openBatch(claims, 1, 2);
    // This thread takes 100 ms a shard; the other, 10 ms, started one just now: a 'gradients' batch would leave it the second shard.
    const pace = twoThreads([100, 10], paceClock());
    const shards = [0, 1].map((index) => ({ index, start: TRIALS * index, count: TRIALS, seed: index }));
    const ran: number[] = [];
    computeShards(claims, pace, 0, 1, shards, 'gradientFlow', (i) => ran.push(i));
    expect(ran).toEqual([0, 1]);
    expect(finishedShards(claims)).toBe(2);
    expect(pace[1]).toBe(100 / TRIALS);
    expect(Number.isNaN(pace[0])).toBe(true);
  });
});
