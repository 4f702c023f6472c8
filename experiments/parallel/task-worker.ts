/**
 * A worker thread of experiments/parallel/task-pool.ts (started by ./task-supervisor.ts): for each batch
 * it receives, claims the batch's next task from the shared counter until none is left, answering each
 * on its result port and bumping the shared signal the calling thread sleeps on (Atomics.wait). It
 * notes in shared memory which task it is running, so that if it dies the error can name the task.
 */
import { threadId, workerData } from 'node:worker_threads';
import { runTask } from './analysis-tasks.ts';
import type { TaskBatchMessage, TaskResultMessage, TaskWorkerData } from './task-pool.ts';
import { mark } from './timeline.ts';

const { tasks, results, signal, running, worker } = workerData as TaskWorkerData;
const me = `task ${threadId}`;
mark('ready', me);

tasks.on('message', (b: TaskBatchMessage) => {
  for (let i = Atomics.add(b.next, 0, 1); i < b.inputs.length; i = Atomics.add(b.next, 0, 1)) {
    mark(`${b.name} ${i}`, me);
    running[2 * worker] = b.id;
    running[2 * worker + 1] = i;
    let reply: TaskResultMessage;
    try {
      reply = { batch: b.id, i, output: runTask(b.name, b.inputs[i] as never) };
    } catch (err) {
      reply = { batch: b.id, i, error: (err as Error).stack ?? String(err) };
    }
    running[2 * worker] = -1;
    results.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
  mark('idle', me);
});
