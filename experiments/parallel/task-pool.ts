/**
 * An experiment's tasks (./analysis-tasks.ts) on worker threads, behind a synchronous map: the run and
 * the analysis stay plain synchronous functions and only hand their independent pieces (closed-loop
 * trials, one fixed-point search per condition, samples of the alignment baseline) to `map`, which
 * sends each to the next free worker and sleeps (Atomics.wait) until results come back, read with
 * receiveMessageOnPort. The pieces are pure, so the numbers are the serial ones.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { serialMap, type AnalysisTaskInput, type AnalysisTaskName, type AnalysisTaskOutput, type ParallelMap } from './analysis-tasks.ts';
import { checkWorkers } from './shard-pool.ts';
import { workerEntry } from './worker-entry.ts';

/** Worker threads running analysis tasks. A resource: dispose() it. */
export interface TaskPool {
  readonly threads: number;
  map: ParallelMap;
  dispose(): Promise<void>;
}

/** A worker's silence after which `map` gives up on it (ms): far beyond any single analysis task. */
const STALL_MS = 600_000;

/** Start `threads` task workers; with one thread the tasks run here and nothing is started. */
export async function startTaskPool(threads: number): Promise<TaskPool> {
  checkWorkers(threads, 'threads');
  if (threads === 1) return { threads, map: serialMap, dispose: () => Promise.resolve() };
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const entry = workerEntry('task-worker');
  const workers = Array.from({ length: threads }, () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(entry, { workerData: { results: port2, signal }, transferList: [port2] });
    return { worker, results: port1 };
  });
  const dispose = async () => {
    for (const w of workers) w.results.close();
    await Promise.all(workers.map((w) => w.worker.terminate()));
  };
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.worker.once('message', () => resolve());
      w.worker.once('error', reject);
    })));
  } catch (err) {
    await dispose();
    throw err;
  }

  let call = 0;
  function map<K extends AnalysisTaskName>(name: K, inputs: Array<AnalysisTaskInput<K>>): Array<AnalysisTaskOutput<K>> {
    // Results of an earlier call that threw are still queued on the ports: they carry its number.
    call++;
    const out: unknown[] = new Array(inputs.length);
    let next = 0;
    let done = 0;
    const post = (w: (typeof workers)[number]) => {
      if (next < inputs.length) w.worker.postMessage({ call, i: next, name, input: inputs[next++] });
    };
    for (const w of workers) post(w);
    while (done < inputs.length) {
      const seen = Atomics.load(signal, 0);
      let got = false;
      for (const w of workers) {
        for (let m = receiveMessageOnPort(w.results); m; m = receiveMessageOnPort(w.results)) {
          const r = m.message as { call: number; i: number; output?: unknown; error?: string };
          if (r.call !== call) continue;
          if (r.error !== undefined) throw new Error(`analysis worker (${name}): ${r.error}`);
          out[r.i] = r.output;
          done++;
          got = true;
          post(w);
        }
      }
      if (!got && done < inputs.length && Atomics.wait(signal, 0, seen, STALL_MS) === 'timed-out') {
        throw new Error(`analysis workers (${name}): no result for ${STALL_MS / 1000} s`);
      }
    }
    return out as Array<AnalysisTaskOutput<K>>;
  }
  return { threads, map, dispose };
}
