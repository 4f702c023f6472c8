/**
 * A shard worker that dies (exits, or throws) holding a shard of a batch the calling thread waits for:
 * the training fails at once with an error naming the worker and how it ended, instead of waiting for
 * the shard forever, and a training directory keeps its last checkpoint, from which training resumes.
 * The worker is a script of the shard protocol (experiments/parallel/shard-protocol.ts) that computes
 * nothing: from batch FROM on it claims a shard from the pool's counter and dies with it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfType from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../../model/backend.ts';
import { initTrainState, parseTrainConfig, train } from '../../../model/train.ts';
import { loadCheckpointFile, runTraining } from '../../../experiments/training.ts';
import { shardRunnerFor, spawnShardWorkers } from '../../../experiments/parallel/shard-pool.ts';
import { workerEntry } from '../../../experiments/parallel/worker-entry.ts';

/** The first batch whose shard the worker dies with. */
const FROM = 5;

const dyingWorker = (death: string) => `import { parentPort, workerData } from 'node:worker_threads';
import { claimShard } from ${JSON.stringify(new URL('shard-claims.js', workerEntry('shard-worker')).href)};
import { batchRequest, readRequest } from ${JSON.stringify(new URL('shard-memory.js', workerEntry('shard-worker')).href)};
let t = null;
parentPort.on('message', (req) => {
  if (req.kind === 'serve') {
    const r = readRequest(t.request);
    if (r && r.number >= ${FROM} && claimShard(t.claims, r.number, r.shards.length) >= 0) {
      ${death};
    }
    // Before FROM (or when the calling thread took every shard): back to the event loop, parked for the next batch.
    Atomics.store(t.parked, t.slot, 1);
    return;
  }
  if (req.kind === 'setup') {
    t = { claims: req.claims, parked: req.parked, slot: req.slot, request: batchRequest(req.memory) };
    Atomics.store(t.parked, t.slot, 1);
  }
  parentPort.postMessage({ kind: 'ready', id: req.id });
});
parentPort.postMessage({ kind: 'ready', id: -1, backend: workerData.backend });
`;

let tf: typeof tfType;
let backend: BackendName;
let dir: string;
beforeAll(async () => {
  ({ tf, backend } = await initBackend('auto'));
  dir = mkdtempSync(join(tmpdir(), 'reach-shard-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 40 trials (shards of 16, 16 and 8), a small RNN, a checkpoint every 2 iterations. */
const config = (iterations: number) =>
  parseTrainConfig({ seed: 3, iterations, batch: 40, network: { kind: 'rnn', hidden: 8 }, task: { kind: 'mixed', duration: 0.3, delay: [0.05, 0.1] }, checkpointEvery: 2 });

describe('a shard worker that dies while the calling thread waits for its shard', () => {
  for (const [how, death, error] of [
    ['exits', 'process.exit(3)', /^shard worker 1 of 1 exited \(code 3\)$/],
    ['throws', "throw new Error('worker blew up')", /^shard worker 1 of 1 crashed: worker blew up$/],
  ] as const) {
    it(`fails the training with the worker's exit when it ${how}, without waiting for the shard`, async () => {
      const script = join(dir, `${how}.mjs`);
      writeFileSync(script, dyingWorker(death));
      const workers = spawnShardWorkers(backend, 1, { script: pathToFileURL(script) });
      const c = config(200);
      const state = initTrainState(c);
      try {
        await expect(train(tf, c, state, {}, { shards: shardRunnerFor(tf, backend, 2, workers) })).rejects.toThrow(error);
        // The batch it died in was not applied: every iteration before it was.
        expect(state.iteration).toBeGreaterThanOrEqual(FROM - 1);
        expect(state.iteration).toBeLessThan(c.iterations);
        expect(state.log).toHaveLength(state.iteration);
      } finally {
        await workers.dispose();
      }
    });
  }

  it('a training directory keeps its last checkpoint and log, and the training resumes from them', async () => {
    const script = join(dir, 'exits.mjs');
    writeFileSync(script, dyingWorker('process.exit(3)'));
    const out = join(dir, 'training');
    const workers = spawnShardWorkers(backend, 1, { script: pathToFileURL(script) });
    try {
      await expect(runTraining(tf, backend, config(200), { out, workers: 2, shardWorkers: workers })).rejects.toThrow(/^shard worker 1 of 1 exited \(code 3\)$/);
    } finally {
      await workers.dispose();
    }
    const checkpoint = join(out, 'checkpoint.json');
    const saved = loadCheckpointFile(checkpoint).training.iterations;
    // Written every 2 iterations up to the failed batch.
    expect(saved % 2).toBe(0);
    expect(saved).toBeGreaterThanOrEqual(FROM - 1);
    const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8')) as { iterations: Array<{ iteration: number }> };
    expect(log.iterations.map((e) => e.iteration)).toEqual(Array.from({ length: saved }, (_, i) => i + 1));
    // The directory is not left locked: the training continues in it on this thread.
    const { state } = await runTraining(tf, backend, config(saved + 2), { out, resume: checkpoint, workers: 1 });
    expect(state.iteration).toBe(saved + 2);
    expect(state.log.map((e) => e.iteration)).toEqual(Array.from({ length: saved + 2 }, (_, i) => i + 1));
    expect(existsSync(join(out, 'config.json'))).toBe(true);
  });
});
