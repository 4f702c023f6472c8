/**
 * The sweep runner as a library: spec → cells → results. `runSweep` plans the sweep directory (or
 * checks that an existing one was made by the same spec), skips the cells already finished, hands the
 * rest to an executor, follows them to the end and writes results.csv and report.html from what the
 * cells left on disk. `sweepStatus` reads where a sweep stands without touching it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../io/files.ts';
import { lockOutput } from '../io/out-dir.ts';
import type { CellProgress, Executor } from './executors/executor.ts';
import { cellDir, cellLogPath, isCellFinished, processAlive, readCellStatus, readPlan, writeOrCheckPlan, type CellState, type SweepPlan } from './layout.ts';
import { sweepReportHtml, type SweepReportContents } from './report.ts';
import { cellResultSchema, resultsCsv, type CellResult, type ResultRow } from './results.ts';
import { cellLabel, sweptPaths, type SweepSpec } from './spec.ts';

export interface SweepOptions {
  /** Sweep directory (created, or resumed when it holds the same sweep). */
  out: string;
  executor: Executor;
  /** Aborting it stops the sweep as Ctrl-C does: cells not started stay pending, running ones are interrupted. */
  signal?: AbortSignal;
  /** Progress messages (default none). */
  progress?: (message: string) => void;
  /** Writes report.html (default {@link sweepReportHtml}: every figure against every swept value); `reach compare` gives its own. */
  report?: SweepReportWriter;
}

/** The text of a sweep's report.html, from its rows and the files in the sweep directory. */
export type SweepReportWriter = (sweepDir: string, contents: SweepReportContents) => Promise<string>;

const defaultReport: SweepReportWriter = (_dir, contents) => sweepReportHtml(contents);

export interface SweepOutcome {
  dir: string;
  plan: SweepPlan;
  /** Cells finished before this call and skipped. */
  skipped: number[];
  /** Cells this call submitted, with how each ended. */
  submitted: CellProgress[];
  rows: ResultRow[];
  results: string;
  report: string;
  /** Wall time (s) of the cells (submit to the last one ended) and of writing results.csv and report.html. */
  seconds: { cells: number; outputs: number };
}

/** A cell's state as its files tell it (a running status whose process is gone on this host is interrupted). */
function stateOnDisk(dir: string): { state: CellState; detail?: string; result: CellResult | null } {
  if (isCellFinished(dir)) return { state: 'done', result: cellResultSchema.parse(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))) };
  const status = readCellStatus(dir);
  if (!status) return { state: 'pending', result: null };
  if (status.state === 'running') {
    const alive = processAlive(status);
    if (alive === false) return { state: 'interrupted', detail: `its process ${status.pid} is gone`, result: null };
    return { state: 'running', detail: `on ${status.host} since ${status.startedAt}`, result: null };
  }
  return { state: status.state, detail: status.error, result: null };
}

/** One row per cell of the plan, from the files in the sweep directory. */
export function readSweepRows(sweepDir: string, plan: SweepPlan): Array<ResultRow & { detail?: string; log: string }> {
  const n = plan.cells.length;
  return plan.cells.map((c) => {
    const dir = cellDir(sweepDir, c.index, n);
    const s = stateOnDisk(dir);
    return { cell: c.index, state: s.state, detail: s.detail, values: c.values, seed: c.seed, result: s.result, report: relative(sweepDir, join(dir, s.result?.report ?? join('run', 'report.html'))), log: cellLogPath(sweepDir, c.index, n) };
  });
}

/** Write results.csv and report.html of a sweep from its cells' files. */
export async function writeSweepOutputs(sweepDir: string, plan: SweepPlan, writeReport: SweepReportWriter = defaultReport): Promise<{ rows: ResultRow[]; results: string; report: string }> {
  const rows = readSweepRows(sweepDir, plan);
  const paths = sweptPaths(plan.spec);
  const results = join(sweepDir, 'results.csv');
  writeFileAtomic(results, resultsCsv(paths, rows));
  const report = join(sweepDir, 'report.html');
  writeFileAtomic(report, await writeReport(sweepDir, { spec: plan.spec, paths, rows, generatedAt: new Date().toISOString() }));
  return { rows, results, report };
}

/** Run a sweep to the end (see the module note). Failed cells do not stop the others; they are in the outcome. */
export async function runSweep(spec: SweepSpec, o: SweepOptions): Promise<SweepOutcome> {
  const say = o.progress ?? (() => {});
  const release = lockOutput(o.out);
  try {
    const plan = writeOrCheckPlan(o.out, spec);
    const n = plan.cells.length;
    const skipped = plan.cells.filter((c) => isCellFinished(cellDir(o.out, c.index, n))).map((c) => c.index);
    const todo = plan.cells.filter((c) => !skipped.includes(c.index)).map((c) => c.index);
    say(`${n} cells: ${skipped.length} finished already, ${todo.length} to run (${o.executor.name} executor) → ${o.out}`);
    let submitted: CellProgress[] = [];
    const t0 = performance.now();
    if (todo.length > 0 && !o.signal?.aborted) {
      const job = await o.executor.submit(o.out, plan, todo);
      const stop = () => {
        say('stopping: no new cells start; running cells are interrupted');
        void job.cancel();
      };
      o.signal?.addEventListener('abort', stop, { once: true });
      const seen = new Map<number, string>();
      try {
        submitted = await job.collect((cells) => {
          for (const c of cells) {
            const key = `${c.state}|${c.detail ?? ''}`;
            if (seen.get(c.index) === key) continue;
            seen.set(c.index, key);
            if (c.state === 'queued') continue;
            const count = cells.filter((x) => x.state === 'done').length;
            say(`cell ${c.index} (${cellLabel(plan.cells[c.index])}): ${c.state}${c.detail ? ` — ${c.detail}` : ''}${c.state === 'failed' ? ` (log: ${c.log})` : ''} [${count + skipped.length}/${n} done]`);
          }
        });
      } finally {
        o.signal?.removeEventListener('abort', stop);
      }
    }
    const t1 = performance.now();
    const written = await writeSweepOutputs(o.out, plan, o.report);
    const seconds = { cells: (t1 - t0) / 1000, outputs: (performance.now() - t1) / 1000 };
    return { dir: o.out, plan, skipped, submitted, ...written, seconds };
  } finally {
    release();
  }
}

/** Where a sweep stands, for `reach sweep --status DIR`. */
export function sweepStatus(sweepDir: string): { plan: SweepPlan; rows: ReturnType<typeof readSweepRows>; counts: Record<string, number> } {
  const plan = readPlan(sweepDir);
  const rows = readSweepRows(sweepDir, plan);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return { plan, rows, counts };
}

/** `: <the last line of a running cell's log>` (its training progress), or nothing. */
function lastLine(log: string): string {
  if (!existsSync(log)) return '';
  const line = readFileSync(log, 'utf8').trimEnd().split('\n').at(-1)?.split('\r').at(-1)?.trim();
  return line ? `: ${line}` : '';
}

/** The status as text: a count line, then one line per cell (with its log when it failed or was interrupted). */
export function formatSweepStatus(sweepDir: string, s: ReturnType<typeof sweepStatus>): string {
  const n = s.rows.length;
  const order = ['done', 'running', 'queued', 'pending', 'failed', 'interrupted'];
  const counts = order.filter((k) => s.counts[k]).map((k) => `${s.counts[k]} ${k}`).join(', ');
  const lines = [`sweep ${s.plan.spec.name} (${sweepDir}): ${n} cells — ${counts}`];
  for (const r of s.rows) {
    const mark = r.state === 'done' ? `done, endpoint error ${((r.result?.metrics.endpoint_error_mean_m ?? NaN) * 100).toFixed(2)} cm, ${(r.result?.seconds.total ?? NaN).toFixed(0)} s` : `${r.state}${r.detail ? ` — ${r.detail}` : ''}${r.state === 'running' ? lastLine(r.log) : ''}`;
    const log = r.state === 'failed' || r.state === 'interrupted' ? ` (log: ${r.log})` : '';
    lines.push(`  ${String(r.cell).padStart(3)}  ${cellLabel(r)}: ${mark}${log}`);
  }
  if (existsSync(join(sweepDir, 'results.csv'))) lines.push(`results: ${join(sweepDir, 'results.csv')}, report: ${join(sweepDir, 'report.html')}`);
  return lines.join('\n');
}
