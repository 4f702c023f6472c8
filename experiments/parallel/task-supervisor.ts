/**
 * The thread that starts the task workers of ./task-pool.ts and watches them. The calling thread waits
 * for results synchronously (Atomics.wait), so its event loop never sees a worker's 'error' or 'exit'
 * while it waits; this thread's loop is free, so when a worker stops it posts why (error, exit code) on
 * the deaths port and wakes the calling thread through the shared signal, as it does when it ends itself
 * (the calling thread would otherwise sleep until its stall limit). It imports nothing else and
 * relays no tasks: the calling thread talks to each worker on ports of its own.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { TaskSupervisorData, WorkerDeath } from './task-pool.ts';

const { entry, workers, signal, running, deaths } = workerData as TaskSupervisorData;

const wake = () => {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};

let stopping = false;
const started = workers.map((ports, worker) => {
  const w = new Worker(new URL(entry), { workerData: { ...ports, signal, running, worker }, transferList: [ports.tasks, ports.results] });
  let error: string | undefined;
  w.on('error', (err) => (error = err.stack ?? String(err)));
  w.on('exit', (code) => {
    if (stopping) return;
    deaths.postMessage({ worker, code, ...(error !== undefined ? { error } : {}) } satisfies WorkerDeath);
    wake();
  });
  return w;
});

// This thread's own end (an uncaught error, an exit) ends its workers too, and no 'exit' of theirs is
// reported then: report it as worker −1, with the error, so that a wait for a task they held fails at once.
let crash: string | undefined;
process.on('uncaughtExceptionMonitor', (err) => (crash = err.stack ?? String(err)));
process.on('exit', (code) => {
  if (stopping) return;
  deaths.postMessage({ worker: -1, code, ...(crash !== undefined ? { error: crash } : {}) } satisfies WorkerDeath);
  wake();
});

// Asked to stop: end the workers, then say so (the caller then ends this thread).
parentPort!.once('message', () => {
  stopping = true;
  void Promise.all(started.map((w) => w.terminate())).then(() => parentPort!.postMessage('stopped'));
});
