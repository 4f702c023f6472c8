/**
 * The Slurm executor: one `sbatch` job array, one cell per array task (the task id is the cell index),
 * each task running `reach sweep --run-cell DIR $SLURM_ARRAY_TASK_ID` with its output in the cell's log.
 * The job is followed with `squeue` (a task listed is queued or running) and the cells' own status and
 * result files (a task no longer listed has ended: finished if its result is there, else failed with its
 * log named); `sacct`, where the cluster keeps accounting, adds the scheduler's reason (TIMEOUT,
 * OUT_OF_MEMORY, …). The sweep directory must be on a file system the compute nodes share.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic, writeJsonAtomic } from '../../io/files.ts';
import { cellDigits, cellDir, cellLogPath, isCellFinished, readCellStatus, type SweepPlan } from '../layout.ts';
import type { SlurmOptions } from '../spec.ts';
import { cellCommand, shellQuote } from './command.ts';
import { isEnded, type CellProgress, type Executor, type SweepJob } from './executor.ts';

const run = promisify(execFile);

export interface SlurmExecutorOptions extends Partial<SlurmOptions> {
  /** Seconds between two looks at the queue. Default 2. */
  pollSeconds?: number;
  /** Environment of sbatch, squeue, sacct and scancel (e.g. with SLURM_CONF). Default this process's. */
  env?: NodeJS.ProcessEnv;
}

/** Array indices as Slurm writes them: runs of consecutive numbers collapsed, `0-3,7,9-10`. */
export function arrayRanges(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The sbatch script for cells `indices` of the sweep in `sweepDir`. */
export function sbatchScript(sweepDir: string, plan: SweepPlan, indices: readonly number[], o: Partial<SlurmOptions>): string {
  const dir = resolve(sweepDir);
  const k = o.maxConcurrent;
  const directives = [
    `--job-name=reach-${plan.spec.name}`,
    `--array=${arrayRanges(indices)}${k ? `%${k}` : ''}`,
    // %Na zero-pads the task id to N digits: the same log names as the local executor's.
    `--output=${join(dir, 'logs', `cell-%${cellDigits(plan.cells.length)}a.log`)}`,
    `--cpus-per-task=${o.cpusPerTask ?? 1}`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
  ];
  const [cmd, args] = cellCommand(dir, 'INDEX', o.cpusPerTask ?? 1);
  const line = [cmd, ...args.slice(0, -1)].map(shellQuote).join(' ') + ' "$SLURM_ARRAY_TASK_ID"';
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    `# Sweep ${plan.spec.name}: ${indices.length} of ${plan.cells.length} cells, one per array task (task id = cell index).`,
    `# Progress: reach sweep --status ${shellQuote(dir)}`,
    'set -eu',
    `exec ${line}`,
    '',
  ].join('\n');
}

/** Task states from `squeue -r` lines `JOBID_TASK|STATE|REASON`. */
export function parseSqueue(text: string, jobId: string): Map<number, { state: string; reason: string }> {
  const out = new Map<number, { state: string; reason: string }>();
  for (const line of text.split('\n')) {
    const [id, state, reason = ''] = line.trim().split('|');
    const m = id?.match(/^(\d+)_(\d+)$/);
    if (m && m[1] === jobId) out.set(Number(m[2]), { state, reason });
  }
  return out;
}

/** Task states from `sacct -P -n -o JobID,State,ExitCode` lines (steps such as `12_3.batch` skipped). */
export function parseSacct(text: string, jobId: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [id, state, exit] = line.trim().split('|');
    const m = id?.match(/^(\d+)_(\d+)$/);
    if (m && m[1] === jobId) out.set(Number(m[2]), `${state}${exit && exit !== '0:0' ? ` (exit ${exit})` : ''}`);
  }
  return out;
}

export function slurmExecutor(o: SlurmExecutorOptions = {}): Executor {
  const pollMs = (o.pollSeconds ?? 2) * 1000;
  const env = o.env ?? process.env;
  const tool = async (name: string, args: string[]) => (await run(name, args, { env, encoding: 'utf8' })).stdout;
  return {
    name: 'slurm',
    describe(sweepDir, plan, indices) {
      return sbatchScript(sweepDir, plan, indices, { ...plan.spec.slurm, ...o });
    },
    async submit(sweepDir: string, plan: SweepPlan, indices: readonly number[]): Promise<SweepJob> {
      const n = plan.cells.length;
      const slurmDir = join(sweepDir, 'slurm');
      mkdirSync(join(sweepDir, 'logs'), { recursive: true });
      const script = join(slurmDir, 'sweep.sbatch');
      writeFileAtomic(script, sbatchScript(sweepDir, plan, indices, { ...plan.spec.slurm, ...o }));
      let out: string;
      try {
        out = await tool('sbatch', ['--parsable', script]);
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`sbatch ${script} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
      }
      const jobId = out.trim().split(';')[0];
      if (!/^\d+$/.test(jobId)) throw new Error(`sbatch printed no job id: '${out.trim()}'`);
      writeJsonAtomic(join(slurmDir, `job-${jobId}.json`), { jobId, cells: indices, script, submittedAt: new Date().toISOString() });

      const log = (i: number) => cellLogPath(sweepDir, i, n);
      let last: CellProgress[] = indices.map((i) => ({ index: i, state: 'queued', log: log(i) }));
      let cancelled = false;
      let accounting: boolean | undefined;
      const goneFor = new Map<number, number>();

      const poll = async (): Promise<CellProgress[]> => {
        let queue: Map<number, { state: string; reason: string }>;
        try {
          queue = parseSqueue(await tool('squeue', ['-h', '-r', '-j', jobId, '-o', '%i|%T|%r']), jobId);
        } catch (err) {
          // A job purged from the controller (MinJobAge after its end) is an "invalid job id": nothing queued.
          if (!/invalid job id/i.test(String((err as { stderr?: string }).stderr))) return last; // a busy controller: ask again next time
          queue = new Map();
        }
        const gone = indices.filter((i) => !queue.has(i));
        let sacct = new Map<number, string>();
        if (gone.length > 0 && accounting !== false) {
          // Without accounting (AccountingStorageType=none) sacct fails: the status files say it all from then on.
          try {
            sacct = parseSacct(await tool('sacct', ['-n', '-P', '-j', jobId, '-o', 'JobID,State,ExitCode']), jobId);
            accounting = true;
          } catch {
            accounting = false;
          }
        }
        last = indices.map((i): CellProgress => {
          const q = queue.get(i);
          if (q) {
            const queued = q.state === 'PENDING' || q.state === 'CONFIGURING';
            return { index: i, state: queued ? 'queued' : 'running', detail: `${q.state}${q.reason && q.reason !== 'None' ? ` (${q.reason})` : ''}`, log: log(i) };
          }
          const dir = cellDir(sweepDir, i, n);
          if (isCellFinished(dir)) return { index: i, state: 'done', log: log(i) };
          const status = readCellStatus(dir);
          const said = status?.state === 'failed' || status?.state === 'interrupted';
          // A shared file system may show a task's last files a little after the task left the queue.
          const polls = (goneFor.get(i) ?? 0) + 1;
          goneFor.set(i, polls);
          if (!said && !cancelled && polls < 3) return { index: i, state: 'running', detail: 'left the queue; waiting for its files', log: log(i) };
          const scheduler = sacct.get(i);
          const detail = [said ? status.error : undefined, scheduler ? `Slurm: ${scheduler}` : undefined].filter(Boolean).join('; ');
          const interrupted = cancelled || status?.state === 'interrupted' || /CANCELLED/.test(scheduler ?? '');
          return { index: i, state: interrupted ? 'interrupted' : 'failed', detail: detail || 'the task ended without a result', log: log(i) };
        });
        return last;
      };

      return {
        poll,
        async collect(onChange) {
          let seen = '';
          for (;;) {
            const cells = await poll();
            const key = JSON.stringify(cells.map((c) => [c.state, c.detail]));
            if (key !== seen) onChange?.(cells);
            seen = key;
            if (cells.every((c) => isEnded(c.state))) return cells;
            await new Promise((r) => setTimeout(r, pollMs));
          }
        },
        async cancel() {
          cancelled = true;
          await tool('scancel', [jobId]).catch(() => '');
        },
      };
    },
  };
}
