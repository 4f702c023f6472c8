import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../experiments/package-info.ts';
import { claimShard, createClaims, MAX_CLAIMED_SHARDS, openBatch } from '../../../experiments/parallel/shard-claims.ts';

describe('shards claimed from a shared counter', () => {
  it('hands out each shard of a batch once, in shard order, then none', () => {
    const claims = createClaims();
    openBatch(claims, 1, 3);
    expect([0, 1, 2, 3].map(() => claimShard(claims, 1, 3))).toEqual([0, 1, 2, -1]);
  });

  it('a thread that reaches a batch after the next one opened claims nothing from it', () => {
    const claims = createClaims();
    openBatch(claims, 7, 4);
    expect(claimShard(claims, 7, 4)).toBe(0);
    openBatch(claims, 8, 4);
    expect(claimShard(claims, 7, 4)).toBe(-1);
    expect(claimShard(claims, 8, 4)).toBe(0);
  });

  it('batch numbers past the counter\'s range wrap and still tell consecutive batches apart', () => {
    const claims = createClaims();
    const big = 2 ** 21 - 1;
    openBatch(claims, big, 2);
    expect(claimShard(claims, big, 2)).toBe(0);
    openBatch(claims, big + 1, 2);
    expect(claimShard(claims, big, 2)).toBe(-1);
    expect([claimShard(claims, big + 1, 2), claimShard(claims, big + 1, 2), claimShard(claims, big + 1, 2)]).toEqual([0, 1, -1]);
  });

  it('refuses a batch of more shards than the counter holds', () => {
    expect(() => openBatch(createClaims(), 1, MAX_CLAIMED_SHARDS + 1)).toThrow(`more than a shard pool hands out (${MAX_CLAIMED_SHARDS})`);
  });

  it('three threads racing for the shards of 200 batches claim every shard exactly once', async () => {
    // The compiled module (vitest's global setup builds dist/), as the shard workers load it.
    const url = pathToFileURL(join(PACKAGE_ROOT, 'dist', 'experiments', 'parallel', 'shard-claims.js')).href;
    const batches = 200;
    const count = 37;
    const claims = createClaims();
    // Per batch: a go flag, and how many threads are done with it.
    const sync = new Int32Array(new SharedArrayBuffer(8));
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.url).then(({ claimShard }) => {
        const { claims, sync, batches, count } = workerData;
        const got = [];
        for (let b = 1; b <= batches; b++) {
          while (Atomics.load(sync, 0) < b) Atomics.wait(sync, 0, b - 1);
          for (let i; (i = claimShard(claims, b, count)) >= 0; ) got.push(b * 1000 + i);
          Atomics.add(sync, 1, 1);
          Atomics.notify(sync, 1);
        }
        parentPort.postMessage(got);
      });`;
    const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { url, claims, sync, batches, count } }));
    const theirs = workers.map((w) => new Promise<number[]>((resolve, reject) => w.once('message', resolve).once('error', reject)));
    const mine: number[] = [];
    for (let b = 1; b <= batches; b++) {
      Atomics.store(sync, 1, 0);
      openBatch(claims, b, count);
      Atomics.store(sync, 0, b);
      Atomics.notify(sync, 0);
      for (let i; (i = claimShard(claims, b, count)) >= 0; ) mine.push(b * 1000 + i);
      while (Atomics.load(sync, 1) < 2) Atomics.wait(sync, 1, Atomics.load(sync, 1), 1000);
    }
    const all = [...mine, ...(await Promise.all(theirs)).flat()].sort((x, y) => x - y);
    await Promise.all(workers.map((w) => w.terminate()));
    const expected = Array.from({ length: batches }, (_, b) => Array.from({ length: count }, (_, i) => (b + 1) * 1000 + i)).flat();
    expect(all).toEqual(expected);
  });
});
