/**
 * The supervisor of the analysis task workers (experiments/parallel/task-supervisor.ts) stopping while
 * the calling thread sleeps in its synchronous wait: the wait must fail at once, naming the task a worker
 * held, not after the 600 s stall limit. The supervisor runs its own code here, inside a script that ends
 * its thread once a worker has claimed the batch's only task (the worker then holds it without answering).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../core/random.ts';
import { initParams, networkSpecSchema } from '../../../model/network.ts';
import { startTaskPool } from '../../../experiments/parallel/task-pool.ts';
import { workerEntry } from '../../../experiments/parallel/worker-entry.ts';

/** A task worker that claims a batch's first task, notes it as running, says so, and never answers. */
const HOLDING_WORKER = `import { BroadcastChannel, workerData } from 'node:worker_threads';
const { tasks, running, worker } = workerData;
const channel = new BroadcastChannel('supervisor-test');
tasks.on('message', (b) => {
  const i = Atomics.add(b.next, 0, 1);
  running[2 * worker] = b.id;
  running[2 * worker + 1] = i;
  channel.postMessage('claimed');
  channel.close();
});
`;

/** The real supervisor, whose thread ends by `death` once its worker has claimed a task. */
const stoppingSupervisor = (death: string) => `import { BroadcastChannel } from 'node:worker_threads';
await import(${JSON.stringify(workerEntry('task-supervisor').href)});
const channel = new BroadcastChannel('supervisor-test');
channel.onmessage = () => {
  channel.close();
  ${death};
};
`;

describe('a task supervisor that stops', () => {
  const spec = networkSpecSchema.parse({ kind: 'rnn', hidden: 4, inputs: 11, outputs: 2, dt: 0.01 });
  const task = { spec, params: initParams(spec, createRng(1)), input: new Array<number>(11).fill(0), starts: [0.1, 0.2, 0.3, 0.4], s: 0 };

  for (const [how, death, error] of [
    ['exits without an error', 'process.exit(0)', /analysis workers' supervisor stopped \(exit code 0\) while worker 1 of 1 ran fixedPointStart 0$/],
    ['throws', "throw new Error('supervisor blew up')", /analysis workers' supervisor stopped \(exit code 1\) while worker 1 of 1 ran fixedPointStart 0: Error: supervisor blew up/],
  ] as const) {
    it(`fails the wait at once when it ${how}, naming the task its worker held`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'reach-supervisor-'));
      writeFileSync(join(dir, 'worker.mjs'), HOLDING_WORKER);
      writeFileSync(join(dir, 'supervisor.mjs'), stoppingSupervisor(death));
      const p = startTaskPool(2, { workerScript: pathToFileURL(join(dir, 'worker.mjs')), supervisorScript: pathToFileURL(join(dir, 'supervisor.mjs')) });
      const channel = new BroadcastChannel('supervisor-test');
      try {
        const claimed = new Promise((resolve) => (channel.onmessage = resolve));
        const pending = p.submit('fixedPointStart', [task]);
        await claimed;
        // The only task is the worker's: this thread sleeps in Atomics.wait until it is woken.
        expect(() => pending.wait()).toThrow(error);
        expect(() => p.submit('fixedPointStart', [task])).toThrow(error);
      } finally {
        channel.close();
        await p.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
