/**
 * The shards of a batch claimed one at a time, by whichever thread of a shard pool is free, from one
 * counter in shared memory: a thread that runs slower (another process on its core, a late wake-up)
 * simply claims fewer shards, where fixed shares would make every other thread wait for its last one.
 * Which thread computes a shard does not change its result (model/shards.ts), so neither does this.
 *
 * The counter's word holds the batch's number (low bits of it) above the next shard's index, so a
 * thread that reaches a batch late, after the pool has moved on to the next one, claims nothing from
 * the next: its claim fails instead of taking a shard of a batch it has no weights for.
 */

const INDEX_BITS = 10;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Batch numbers kept in the word (21 bits: the word stays a positive int32). */
const BATCH_MASK = (1 << (31 - INDEX_BITS)) - 1;

/** Most shards one batch may have. */
export const MAX_CLAIMED_SHARDS = INDEX_MASK;

/** A claim counter: one int32 in shared memory, posted to every thread of a pool. */
export function createClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Open batch number `batch` (of `count` shards) for claims, closing the previous one. */
export function openBatch(claims: Int32Array, batch: number, count: number): void {
  if (count > MAX_CLAIMED_SHARDS) throw new Error(`a batch of ${count} shards is more than a shard pool hands out (${MAX_CLAIMED_SHARDS})`);
  Atomics.store(claims, 0, (batch & BATCH_MASK) << INDEX_BITS);
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
