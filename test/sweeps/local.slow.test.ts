import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localExecutor } from '../../experiments/sweeps/executors/local.ts';
import { isProcessAlive } from '../../experiments/io/out-dir.ts';
import { readCellStatus } from '../../experiments/sweeps/layout.ts';
import { WALL_CLOCK_COLUMNS } from '../../experiments/sweeps/results.ts';
import { runSweep } from '../../experiments/sweeps/runner.ts';
import { parseSweepSpec } from '../../experiments/sweeps/spec.ts';
import { reach } from '../cli/reach-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-sweep-local-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Cells that train for a few iterations of a few short trials: seconds each. */
const base = { iterations: 3, batch: 4, network: { hidden: 12 }, task: { kind: 'mixed', duration: 0.4, delay: [0.1, 0.2] }, checkpointEvery: 0 };
const small = { run: { repeats: 1 }, analysis: { fixedPoints: false } };

const csvRows = (path: string) => {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
};

describe('a sweep on the local pool', () => {
  // 2 units cannot hold jPCA's 6 PCs: that cell fails in its analysis, every time.
  const spec = parseSweepSpec({ name: 'local', base, cells: [{ 'network.hidden': 2 }, { 'network.hidden': 12 }, { 'network.hidden': 12 }], seeds: [5], ...small });
  const out = join(root, 'sweep');

  it('a failing cell does not stop the others; the same cell and seed give the same numbers in two processes', async () => {
    const messages: string[] = [];
    const r = await runSweep(spec, { out, executor: localExecutor({ jobs: 2 }), progress: (m) => messages.push(m) });
    expect(r.rows.map((row) => row.state)).toEqual(['failed', 'done', 'done']);
    const failed = r.submitted.find((c) => c.index === 0)!;
    expect(failed.detail).toMatch(/6 PCs requested but the data have only 2 units/);
    expect(readFileSync(failed.log, 'utf8')).toMatch(/6 PCs requested/);
    expect(messages.some((m) => m.includes(`log: ${failed.log}`))).toBe(true);

    const rows = csvRows(r.results);
    expect(rows.map((row) => [row.cell, row.state, row['network.hidden'], row.seed])).toEqual([
      ['0', 'failed', '2', '5'],
      ['1', 'done', '12', '5'],
      ['2', 'done', '12', '5'],
    ]);
    // Cells 1 and 2 are the same network and seed, trained, run and analysed by different processes.
    for (const [k, v] of Object.entries(rows[1])) {
      if (k === 'cell' || k === 'report' || WALL_CLOCK_COLUMNS.includes(k)) continue;
      expect([k, rows[2][k]]).toEqual([k, v]);
    }
    expect(Number(rows[1].endpoint_error_mean_m)).toBeGreaterThan(0);

    const html = readFileSync(r.report, 'utf8');
    expect(html).toContain('href="cells/001/run/report.html"');
    expect(existsSync(join(out, 'cells/001/run/report.html'))).toBe(true);
    expect(html).toContain('<svg');
  });

  it('running the sweep again skips the finished cells and reruns the failed one', async () => {
    const result = join(out, 'cells/001/result.json');
    const before = statSync(result).mtimeMs;
    const r = await runSweep(spec, { out, executor: localExecutor({ jobs: 2 }) });
    expect(r.skipped).toEqual([1, 2]);
    expect(r.submitted.map((c) => [c.index, c.state])).toEqual([[0, 'failed']]);
    expect(statSync(result).mtimeMs).toBe(before);
  });

  it('refuses to resume a directory made by another sweep', async () => {
    const other = parseSweepSpec({ ...spec, cells: [{ 'network.hidden': 16 }] });
    await expect(runSweep(other, { out, executor: localExecutor({ jobs: 1 }) })).rejects.toThrow(/holds a different sweep/);
  });

  it('reach sweep --status prints the progress and names the failed cell and its log; --dry-run prints the sbatch script', () => {
    const status = reach(root, 'sweep', '--status', out);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/3 cells — 2 done, 1 failed/);
    expect(status.stdout).toMatch(/network\.hidden=2, seed=5: failed — .*6 PCs.*\(log: .*logs\/cell-000\.log\)/);

    writeFileSync(join(root, 'spec.json'), JSON.stringify(spec));
    const dry = reach(root, 'sweep', 'spec.json', '--out', out, '--executor', 'slurm', '--dry-run', '--partition', 'short');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^#!\/bin\/bash\n/);
    expect(dry.stdout).toContain('#SBATCH --array=0\n');
    expect(dry.stdout).toContain('#SBATCH --partition=short\n');
  });
});

describe('stopping the local pool', () => {
  it('cancelling starts no more cells and leaves every running cell interrupted, its process gone', async () => {
    const spec = parseSweepSpec({ name: 'stop', base: { ...base, iterations: 100000 }, seeds: [1, 2, 3], ...small });
    const out = join(root, 'stop');
    const abort = new AbortController();
    const watch = setInterval(() => {
      const running = [0, 1].map((i) => readCellStatus(join(out, 'cells', `00${i}`))?.state);
      if (running.every((s) => s === 'running')) abort.abort();
    }, 100);
    const r = await runSweep(spec, { out, executor: localExecutor({ jobs: 2 }), signal: abort.signal }).finally(() => clearInterval(watch));
    expect(r.submitted.map((c) => c.state)).toEqual(['interrupted', 'interrupted', 'pending']);
    for (const i of [0, 1]) {
      const status = readCellStatus(join(out, 'cells', `00${i}`))!;
      expect(status.state).toBe('interrupted');
      expect(isProcessAlive(status.pid)).toBe(false);
      expect(existsSync(join(out, 'cells', `00${i}`, 'result.json'))).toBe(false);
    }
    expect(existsSync(join(out, 'cells', '002'))).toBe(false);
    expect(csvRows(r.results).map((row) => row.state)).toEqual(['interrupted', 'interrupted', 'pending']);
  });
});
