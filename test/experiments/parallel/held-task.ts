/**
 * A task pool test's one fixed-point task, held by a worker that then fails: the calling thread, asleep in
 * Atomics.wait for that task, must be woken with `error` at once (not after the 600 s stall limit), and
 * the pool must refuse new work with the same error.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { expect } from 'vitest';
import { createRng } from '../../../core/random.ts';
import { initParams, networkSpecSchema } from '../../../model/network.ts';
import type { TaskPool } from '../../../experiments/parallel/task-pool.ts';

const spec = networkSpecSchema.parse({ kind: 'rnn', hidden: 4, inputs: 11, outputs: 2, dt: 0.01 });

/** One fixed-point start task of a 4-unit RNN. */
export const smallTask = { spec, params: initParams(spec, createRng(1)), input: new Array<number>(11).fill(0), starts: [0.1, 0.2, 0.3, 0.4], s: 0 };

/**
 * A task worker script that claims a batch's first task as the real one does, notes it as running, says
 * so on the broadcast channel `channelName`, then runs `then` (and never answers).
 */
export function claimingWorker(channelName: string, then: string): string {
  return `import { BroadcastChannel, workerData } from 'node:worker_threads';
const { tasks, running, worker } = workerData;
const channel = new BroadcastChannel(${JSON.stringify(channelName)});
tasks.on('message', (b) => {
  const i = Atomics.add(b.next, 0, 1);
  running[2 * worker] = b.id;
  running[2 * worker + 1] = i;
  channel.postMessage('claimed');
  ${then};
});
`;
}

/** Submit `smallTask`, wait until the worker posts on `channelName` that it claimed it, then expect the wait and a new submit to throw `error`; disposes `pool`. */
export async function expectHeldTaskFails(pool: TaskPool, channelName: string, error: RegExp): Promise<void> {
  const channel = new BroadcastChannel(channelName);
  try {
    const claimed = new Promise((resolve) => (channel.onmessage = resolve));
    const pending = pool.submit('fixedPointStart', [smallTask]);
    await claimed;
    // The only task is the worker's: this thread sleeps in Atomics.wait until it is woken.
    expect(() => pending.wait()).toThrow(error);
    expect(() => pool.submit('fixedPointStart', [smallTask])).toThrow(error);
  } finally {
    channel.close();
    await pool.dispose();
  }
}
