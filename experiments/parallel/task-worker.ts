/**
 * A worker thread of experiments/parallel/task-pool.ts: runs analysis tasks by name and answers on its
 * result port, then bumps the shared counter the waiting thread sleeps on (Atomics.wait).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ANALYSIS_TASKS, type AnalysisTaskName } from './analysis-tasks.ts';

const { results, signal } = workerData as { results: MessagePort; signal: Int32Array };

parentPort!.on('message', (task: { call: number; i: number; name: AnalysisTaskName; input: never }) => {
  try {
    results.postMessage({ call: task.call, i: task.i, output: ANALYSIS_TASKS[task.name](task.input) });
  } catch (err) {
    results.postMessage({ call: task.call, i: task.i, error: (err as Error).stack ?? String(err) });
  }
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
parentPort!.postMessage('ready');
