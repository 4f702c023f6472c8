/**
 * An experiment's tasks (./analysis-tasks.ts) on the calling thread and worker threads, behind
 * synchronous calls: the run and the analysis stay plain synchronous functions and only hand their
 * independent pieces to `map` or `submit`. A batch goes to every worker in one message (inputs that
 * share an object, such as the network's weights, are copied once) with a shared counter, and every
 * thread claims the batch's next task from it (Atomics.add), so a thread that finishes early takes
 * more and no thread dispatches: workers keep claiming while the calling thread does other work. A
 * thread waiting for results claims tasks too (its own batch's first, then any other's), and sleeps
 * (Atomics.wait) only when every task is taken; results come back on ports read with
 * receiveMessageOnPort. The pieces are pure, so the numbers are the serial ones whoever ran them.
 * The workers are started and watched by a supervisor thread (./task-supervisor.ts), whose event loop
 * is free while this one waits, so a worker that dies wakes the wait at once and fails it, naming the
 * task it was running.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { runTask, serialTasks, type AnalysisTaskInput, type AnalysisTaskName, type AnalysisTaskOutput, type Parallel, type PendingTasks } from './analysis-tasks.ts';
import { checkWorkers } from './shard-pool.ts';
import { mark } from './timeline.ts';
import { workerEntry } from './worker-entry.ts';

/** Threads running analysis tasks, the calling thread included. A resource: dispose() it. */
export interface TaskPool extends Parallel {
  /** Threads that compute tasks, the calling thread included. */
  readonly threads: number;
  /** Stop the workers (once: later calls wait for the same stop). */
  dispose(): Promise<void>;
}

/** A batch as a worker receives it. */
export interface TaskBatchMessage {
  id: number;
  name: AnalysisTaskName;
  inputs: unknown[];
  /** [0]: index of the next unclaimed task (shared by every thread). */
  next: Int32Array;
}

/** A task's result (or error) as a worker posts it. */
export interface TaskResultMessage {
  batch: number;
  i: number;
  output?: unknown;
  error?: string;
}

/** What a task worker (./task-worker.ts) starts with. */
export interface TaskWorkerData {
  /** Batches in (TaskBatchMessage). */
  tasks: MessagePort;
  /** Results out (TaskResultMessage). */
  results: MessagePort;
  /** [0]: bumped after every result (and by the supervisor when a worker stops). */
  signal: Int32Array;
  /** [2k, 2k + 1]: batch id and index of the task worker k is running (batch id −1: none). */
  running: Int32Array;
  /** This worker's index k. */
  worker: number;
}

/** What the supervisor (./task-supervisor.ts) starts with. */
export interface TaskSupervisorData {
  /** URL of the task workers' script. */
  entry: string;
  /** Each task worker's two ports. */
  workers: Array<Pick<TaskWorkerData, 'tasks' | 'results'>>;
  signal: Int32Array;
  running: Int32Array;
  /** Where a worker's stop is reported (WorkerDeath). */
  deaths: MessagePort;
}

/** A task worker that stopped (or the supervisor itself: worker −1): its index, exit code and uncaught error, if any. */
export interface WorkerDeath {
  worker: number;
  code: number;
  error?: string;
}

/** Options of `startTaskPool`. */
export interface TaskPoolOptions {
  /** Script of the task workers. Default: ./task-worker.ts (compiled); tests give one that fails. */
  workerScript?: URL;
  /** Script of the supervisor. Default: ./task-supervisor.ts (compiled); tests give one that stops. */
  supervisorScript?: URL;
}

/** Silence after which waiting gives up (ms), should the supervisor be gone without a word (it reports its own end too): far beyond any single analysis task. */
const STALL_MS = 600_000;

interface Batch {
  id: number;
  name: AnalysisTaskName;
  inputs: unknown[];
  next: Int32Array;
  out: unknown[];
  done: number;
  error: Error | null;
}

/**
 * Compute on this thread and `threads` − 1 worker threads (with one thread, here alone and nothing is
 * started). The workers start loading now; tasks handed out before a worker is ready are taken by the
 * threads that are.
 */
export function startTaskPool(threads: number, opts: TaskPoolOptions = {}): TaskPool {
  checkWorkers(threads, 'threads');
  if (threads === 1) return { threads, ...serialTasks, dispose: () => Promise.resolve() };
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const running = new Int32Array(new SharedArrayBuffer(8 * (threads - 1))).fill(-1);
  mark(`start ${threads - 1} task workers`);
  const workers = Array.from({ length: threads - 1 }, () => ({ tasks: new MessageChannel(), results: new MessageChannel() }));
  const deaths = new MessageChannel();
  const data: TaskSupervisorData = {
    entry: (opts.workerScript ?? workerEntry('task-worker')).href,
    workers: workers.map((w) => ({ tasks: w.tasks.port2, results: w.results.port2 })),
    signal,
    running,
    deaths: deaths.port2,
  };
  const supervisor = new Worker(opts.supervisorScript ?? workerEntry('task-supervisor'), { workerData: data, transferList: [...data.workers.flatMap((w) => [w.tasks, w.results]), deaths.port2] });
  let failed: Error | null = null;
  // Seen only when this thread's event loop turns; a task worker's stop is reported on `deaths` at once.
  supervisor.once('error', (err) => (failed ??= new Error(`analysis workers' supervisor crashed: ${err.message}`, { cause: err })));
  // Recorded from the start: dispose() must not wait for an exit that has already happened.
  const supervisorExited = new Promise<void>((resolve) => supervisor.once('exit', () => resolve()));

  const open = new Map<number, Batch>();
  /** Every batch's task name, by id (for the error of a worker that dies). */
  const names = new Map<number, AnalysisTaskName>();
  let nextId = 0;

  const claim = (b: Batch): number => {
    const i = Atomics.add(b.next, 0, 1);
    return i < b.inputs.length ? i : -1;
  };
  const fail = (b: Batch, err: Error) => {
    b.error ??= err;
    // Nobody claims the rest; results still in flight are dropped as they arrive.
    Atomics.store(b.next, 0, b.inputs.length);
    open.delete(b.id);
  };
  const settle = (b: Batch, i: number, r: { output?: unknown; error?: string }) => {
    if (r.error !== undefined) return fail(b, new Error(`analysis task ${b.name} ${i}: ${r.error}`));
    b.out[i] = r.output;
    if (++b.done === b.inputs.length) open.delete(b.id);
  };
  const drain = (): boolean => {
    let got = false;
    for (const w of workers) {
      for (let m = receiveMessageOnPort(w.results.port1); m; m = receiveMessageOnPort(w.results.port1)) {
        const r = m.message as TaskResultMessage;
        got = true;
        const b = open.get(r.batch);
        if (b) settle(b, r.i, r);
      }
    }
    return got;
  };
  /** The task worker `k` is running (its batch's task name and index), or null. */
  const heldBy = (k: number): string | null => (running[2 * k] >= 0 ? `${names.get(running[2 * k]) ?? 'batch ' + running[2 * k]} ${running[2 * k + 1]}` : null);
  /** Fail on the first worker that stopped, naming the task it was running. */
  const checkDeaths = () => {
    for (let m = receiveMessageOnPort(deaths.port1); m; m = receiveMessageOnPort(deaths.port1)) {
      const d = m.message as WorkerDeath;
      const error = d.error !== undefined ? `: ${d.error}` : '';
      if (d.worker < 0) {
        // Its workers ended with it: name the tasks they held.
        const held = workers.flatMap((_, k) => {
          const task = heldBy(k);
          return task === null ? [] : [`worker ${k + 1} of ${workers.length} ran ${task}`];
        });
        failed ??= new Error(`analysis workers' supervisor stopped (exit code ${d.code})${held.length ? ` while ${held.join(', ')}` : ''}${error}`);
        continue;
      }
      const task = heldBy(d.worker);
      failed ??= new Error(`analysis worker ${d.worker + 1} of ${workers.length} stopped (exit code ${d.code})${task === null ? '' : ` while running ${task}`}${error}`);
    }
    if (failed) throw failed;
  };
  const runHere = (b: Batch, i: number) => {
    mark(`${b.name} ${i}`);
    let r: { output?: unknown; error?: string };
    try {
      r = { output: runTask(b.name, b.inputs[i] as never) };
    } catch (err) {
      r = { error: (err as Error).stack ?? String(err) };
    }
    settle(b, i, r);
  };

  function wait(b: Batch): unknown[] {
    mark(`wait ${b.name}`);
    while (!b.error && b.done < b.inputs.length) {
      const seen = Atomics.load(signal, 0);
      if (drain()) continue;
      checkDeaths();
      // Help: this batch's tasks first, then any other's (oldest first).
      let i = claim(b);
      let from = b;
      for (const other of open.values()) {
        if (i >= 0) break;
        if (other !== b && (i = claim(other)) >= 0) from = other;
      }
      if (i >= 0) {
        runHere(from, i);
        continue;
      }
      if (Atomics.wait(signal, 0, seen, STALL_MS) === 'timed-out') throw new Error(`analysis workers (${b.name}): no result for ${STALL_MS / 1000} s`);
    }
    mark(`${b.name} done`);
    if (b.error) throw b.error;
    return b.out;
  }

  function submit<K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>): PendingTasks<AnalysisTaskOutput<K>> {
    checkDeaths();
    const b: Batch = { id: nextId++, name, inputs, next: new Int32Array(new SharedArrayBuffer(4)), out: new Array(inputs.length), done: 0, error: null };
    mark(`submit ${name} ×${inputs.length}`);
    if (inputs.length > 0) {
      open.set(b.id, b);
      names.set(b.id, name);
      const message: TaskBatchMessage = { id: b.id, name, inputs, next: b.next };
      for (const w of workers) w.tasks.port1.postMessage(message);
    }
    return { wait: () => wait(b) as Array<AnalysisTaskOutput<K>> };
  }

  let disposed: Promise<void> | null = null;
  async function stop(): Promise<void> {
    const stopped = Promise.race([new Promise<void>((resolve) => supervisor.once('message', () => resolve())), supervisorExited]);
    supervisor.postMessage('stop');
    await stopped;
    for (const w of workers) {
      w.tasks.port1.close();
      w.results.port1.close();
    }
    deaths.port1.close();
    await supervisor.terminate();
  }

  return {
    threads,
    submit,
    map: (name, inputs) => submit(name, inputs).wait(),
    dispose: () => (disposed ??= stop()),
  };
}
