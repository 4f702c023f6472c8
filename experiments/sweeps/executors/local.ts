/**
 * The local executor: a pool of `jobs` worker processes on this machine, one cell per process, the
 * next cell starting as soon as one ends. Each cell's output goes to its log file. A cell that fails
 * is recorded and the pool moves on. `cancel` (Ctrl-C) starts nothing more and sends SIGINT to the
 * running cells, which mark themselves interrupted and exit; one that has not exited after
 * `killAfter` seconds is killed. Either way no process outlives the pool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { cellDir, cellLogPath, isCellFinished, readCellStatus, writeCellStatus, type SweepPlan } from '../layout.ts';
import { cellCommand, shellQuote } from './command.ts';
import { type CellProgress, type Executor, type SweepJob } from './executor.ts';

export interface LocalExecutorOptions {
  /** Cells running at once. Default: the number of cores. */
  jobs?: number;
  /** Seconds a cell has to exit after SIGINT before it is killed. Default 20. */
  killAfter?: number;
  /** Threads per cell (training shards, analysis). Default: the cores shared out among the jobs, at least 1 (jobs × workers ≤ cores). */
  workers?: number;
}

/** How a cell's process ended, from its exit and what it left on disk. */
function outcome(dir: string, code: number | null, signal: NodeJS.Signals | null, cancelled: boolean): Pick<CellProgress, 'state' | 'detail'> {
  if (code === 0 && isCellFinished(dir)) return { state: 'done' };
  const status = readCellStatus(dir);
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  if (cancelled || status?.state === 'interrupted') return { state: 'interrupted', detail: status?.error ?? how };
  return { state: 'failed', detail: status?.error ?? (code === 0 ? 'exited without a result' : how) };
}

export function localExecutor(o: LocalExecutorOptions = {}): Executor {
  const jobs = o.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`jobs must be a whole number ≥ 1, got ${jobs}`);
  const killAfter = o.killAfter ?? 20;
  const workers = o.workers ?? Math.max(1, Math.floor(availableParallelism() / jobs));
  return {
    name: 'local',
    describe(sweepDir, plan, indices) {
      const lines = indices.map((i) => {
        const [cmd, args] = cellCommand(sweepDir, i, workers);
        return `${[cmd, ...args].map(shellQuote).join(' ')} > ${shellQuote(cellLogPath(sweepDir, i, plan.cells.length))} 2>&1`;
      });
      return `# ${indices.length} cells, ${Math.min(jobs, indices.length)} at a time on this machine, ${workers} thread${workers > 1 ? 's' : ''} each\n${lines.join('\n')}\n`;
    },
    async submit(sweepDir: string, plan: SweepPlan, indices: readonly number[]): Promise<SweepJob> {
      const n = plan.cells.length;
      const queue = [...indices];
      const running = new Map<number, ChildProcess>();
      const cells = new Map<number, CellProgress>(indices.map((i) => [i, { index: i, state: 'queued', log: cellLogPath(sweepDir, i, n) }]));
      const listeners = new Set<(cells: CellProgress[]) => void>();
      let cancelled = false;
      let allEnded: () => void = () => {};
      const ended = new Promise<void>((resolve) => (allEnded = resolve));
      const snapshot = () => indices.map((i) => ({ ...cells.get(i)! }));
      const changed = () => {
        for (const l of listeners) l(snapshot());
        if (running.size === 0 && (queue.length === 0 || cancelled)) allEnded();
      };

      const start = (index: number) => {
        const log = cellLogPath(sweepDir, index, n);
        mkdirSync(dirname(log), { recursive: true });
        const fd = openSync(log, 'w');
        const [cmd, args] = cellCommand(sweepDir, index, workers);
        let child: ChildProcess;
        try {
          child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
        } finally {
          closeSync(fd);
        }
        running.set(index, child);
        cells.set(index, { index, state: 'running', log });
        let settled = false;
        const settle = (state: Pick<CellProgress, 'state' | 'detail'>) => {
          if (settled) return;
          settled = true;
          running.delete(index);
          const dir = cellDir(sweepDir, index, n);
          // A cell killed before it could write its own status still gets a truthful one.
          const status = readCellStatus(dir);
          if (state.state !== 'done' && status?.state === 'running') writeCellStatus(dir, { ...status, state: state.state, finishedAt: new Date().toISOString(), error: state.detail });
          cells.set(index, { index, log, ...state });
          launch();
          changed();
        };
        child.on('error', (err) => settle({ state: 'failed', detail: `could not start: ${err.message}` }));
        child.on('exit', (code, signal) => settle(outcome(cellDir(sweepDir, index, n), code, signal, cancelled)));
      };

      const launch = () => {
        while (!cancelled && running.size < jobs && queue.length > 0) start(queue.shift()!);
      };

      launch();
      changed();
      return {
        async poll() {
          return snapshot();
        },
        async collect(onChange) {
          if (onChange) {
            listeners.add(onChange);
            onChange(snapshot());
          }
          try {
            await ended;
          } finally {
            if (onChange) listeners.delete(onChange);
          }
          return snapshot();
        },
        async cancel() {
          if (cancelled) return ended;
          cancelled = true;
          for (const i of queue.splice(0)) cells.set(i, { ...cells.get(i)!, state: 'pending', detail: 'not started (cancelled)' });
          const timers = [...running.values()].map((child) => {
            child.kill('SIGINT');
            const t = setTimeout(() => child.kill('SIGKILL'), killAfter * 1000);
            child.once('exit', () => clearTimeout(t));
            return t;
          });
          changed();
          await ended;
          timers.forEach(clearTimeout);
        },
      };
    },
  };
}
