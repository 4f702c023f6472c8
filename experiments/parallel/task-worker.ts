/**
 * A worker thread of experiments/parallel/task-pool.ts: for each batch it receives, claims the batch's
 * next task from the shared counter until none is left, answering each on its result port and bumping
 * the shared signal the calling thread sleeps on (Atomics.wait).
 */
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { runTask } from './analysis-tasks.ts';
import type { TaskBatchMessage, TaskResultMessage } from './task-pool.ts';
import { mark } from './timeline.ts';

const { results, signal } = workerData as { results: MessagePort; signal: Int32Array };
const me = `task ${threadId}`;
mark('ready', me);

parentPort!.on('message', (b: TaskBatchMessage) => {
  for (let i = Atomics.add(b.next, 0, 1); i < b.inputs.length; i = Atomics.add(b.next, 0, 1)) {
    mark(`${b.name} ${i}`, me);
    let reply: TaskResultMessage;
    try {
      reply = { batch: b.id, i, output: runTask(b.name, b.inputs[i] as never) };
    } catch (err) {
      reply = { batch: b.id, i, error: (err as Error).stack ?? String(err) };
    }
    results.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
  mark('idle', me);
});
