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
import { describe, it } from 'vitest';
import { startTaskPool } from '../../../experiments/parallel/task-pool.ts';
import { workerEntry } from '../../../experiments/parallel/worker-entry.ts';
import { claimingWorker, expectHeldTaskFails } from './held-task.ts';

/** A task worker that claims a batch's first task, notes it as running, says so, and never answers. */
const HOLDING_WORKER = claimingWorker('supervisor-test', 'channel.close()');

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
  for (const [how, death, error] of [
    ['exits without an error', 'process.exit(0)', /analysis workers' supervisor stopped \(exit code 0\) while worker 1 of 1 ran fixedPointStart 0$/],
    ['throws', "throw new Error('supervisor blew up')", /analysis workers' supervisor stopped \(exit code 1\) while worker 1 of 1 ran fixedPointStart 0: Error: supervisor blew up/],
  ] as const) {
    it(`fails the wait at once when it ${how}, naming the task its worker held`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'reach-supervisor-'));
      writeFileSync(join(dir, 'worker.mjs'), HOLDING_WORKER);
      writeFileSync(join(dir, 'supervisor.mjs'), stoppingSupervisor(death));
      try {
        const p = startTaskPool(2, { workerScript: pathToFileURL(join(dir, 'worker.mjs')), supervisorScript: pathToFileURL(join(dir, 'supervisor.mjs')) });
        await expectHeldTaskFails(p, 'supervisor-test', error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
