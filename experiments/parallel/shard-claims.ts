/**
 * The shards of a batch claimed one at a time, by whichever thread of a shard pool is free, from one
 * counter in shared memory: a thread that runs slower (another process on its core, a late wake-up)
 * simply claims fewer shards, where fixed shares would make every other thread wait for its last one,
 * or leaves the last ones to faster threads (./shard-pace.ts).
 * Which thread computes a shard does not change its result (model/shards.ts), so neither does this.
 *
 * The counter's word holds the batch's number (low bits of it) above the next shard's index, so a
 * thread that reaches a batch late, after the pool has moved on to the next one, claims nothing from
 * the next: its claim fails instead of taking a shard of a batch it has no weights for. A second word
 * counts the shards finished: a thread adds to it after writing a shard's result to shared memory
 * (./shard-memory.ts, which flags each shard finished) and wakes the calling thread if it waits on it.
 * (The batch's opening orders the weights before the claims.)
 */

const INDEX_BITS = 10;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Batch numbers kept in the word (21 bits: the word stays a positive int32). */
const BATCH_MASK = (1 << (31 - INDEX_BITS)) - 1;

/** Most shards one batch may have. */
export const MAX_CLAIMED_SHARDS = INDEX_MASK;

/** A claim counter and a count of finished shards: two int32 in shared memory, posted to every thread of a pool. */
export function createClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Open batch number `batch` (of `count` shards) for claims, closing the previous one; call it after writing the batch's weights. */
export function openBatch(claims: Int32Array, batch: number, count: number): void {
  if (count > MAX_CLAIMED_SHARDS) throw new Error(`a batch of ${count} shards is more than a shard pool hands out (${MAX_CLAIMED_SHARDS})`);
  Atomics.store(claims, 1, 0);
  Atomics.store(claims, 0, (batch & BATCH_MASK) << INDEX_BITS);
  // Wakes workers blocked on the word (Atomics.wait(claims, 0, …)) waiting for the next batch.
  Atomics.notify(claims, 0);
}

/** Count a shard as finished, waking a thread blocked on the count: call it after writing its result. */
export function finishShard(claims: Int32Array): void {
  Atomics.add(claims, 1, 1);
  Atomics.notify(claims, 1);
}

/** Shards of the open batch finished so far (Atomics.wait on word 1 for a change). */
export function finishedShards(claims: Int32Array): number {
  return Atomics.load(claims, 1);
}

/** Shards of batch `batch` (of `count` shards) not claimed yet: 0 when every one is taken or the batch is closed. */
export function unclaimedShards(claims: Int32Array, batch: number, count: number): number {
  const word = Atomics.load(claims, 0);
  if (word >>> INDEX_BITS !== (batch & BATCH_MASK)) return 0;
  return Math.max(0, count - (word & INDEX_MASK));
}

/** The index of the next unclaimed shard of batch `batch` (of `count` shards), now claimed by the caller; −1 when every one is taken or the batch is closed. */
export function claimShard(claims: Int32Array, batch: number, count: number): number {
  for (;;) {
    const word = Atomics.load(claims, 0);
    if (word >>> INDEX_BITS !== (batch & BATCH_MASK)) return -1;
    const next = word & INDEX_MASK;
    if (next >= count) return -1;
    if (Atomics.compareExchange(claims, 0, word, word + 1) === word) return next;
  }
}
