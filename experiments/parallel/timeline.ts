/**
 * Where an experiment's wall time goes, thread by thread: with REACH_TIMELINE=<file> in the environment,
 * every thread of `reach experiment` appends one JSON line per event to that file: its thread name, a
 * label, the wall clock (ms since the epoch, comparable across threads) and the thread's own CPU time
 * and run-queue wait (ms, from /proc/thread-self/schedstat: what the thread ran and how long it was
 * ready but waited for a core, which tells a busy machine from an idle thread). Without the variable a
 * mark costs one lookup.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

/** One event of one thread. */
export interface TimelineEvent {
  thread: string;
  label: string;
  /** Wall clock (ms since the epoch). */
  wall: number;
  /** CPU time the thread has run so far and time it waited for a core (ms); NaN where /proc is missing. */
  cpu: number;
  wait: number;
}

const file = process.env.REACH_TIMELINE;

function schedstat(): [number, number] {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return [run / 1e6, wait / 1e6];
  } catch {
    return [NaN, NaN];
  }
}

/** Record `label` now for this thread (named `name`, default main or worker <id>), when REACH_TIMELINE is set. */
export function mark(label: string, name?: string): void {
  if (!file) return;
  const [cpu, wait] = schedstat();
  const e: TimelineEvent = { thread: name ?? (isMainThread ? 'main' : `worker ${threadId}`), label, wall: performance.timeOrigin + performance.now(), cpu, wait };
  appendFileSync(file, `${JSON.stringify(e)}\n`);
}

/** Record the process's start (performance.timeOrigin) on the main thread's line. */
export function markProcessStart(): void {
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ thread: 'main', label: 'process start', wall: performance.timeOrigin, cpu: 0, wait: 0 } satisfies TimelineEvent)}\n`);
}
