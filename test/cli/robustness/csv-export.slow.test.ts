/**
 * Issue 12, defect 5: the CSV export of a large run streams its rows to disk. A run of 2400 trials
 * (300 center-out repeats of 8 targets, 140 steps, 128 hidden units) used to fail with "Invalid string
 * length" after a minute, because data.csv was built as one string. Now the export completes, every row
 * is there, and the process's peak memory grows with the arrays it reads, not with the CSV it writes.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRunDir, type RunArray, type TrialRecord } from '../../../experiments/run-dir.ts';
import { finished, reachAsync } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-csv-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = 140;
const U = 128;
const DT = 0.01;

/** A run shaped like `reach run --repeats R` of the default controller (values deterministic, not random). */
function writeBigRun(name: string, trials: number): { path: string; arrayBytes: number } {
  const per = (name: string, C: number, f64: boolean, unit: string): RunArray => {
    const data = f64 ? new Float64Array(trials * T * C) : new Float32Array(trials * T * C);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.618034) * 0.37;
    return { name, data, shape: [trials, T, C], unit, axes: ['trials', 'times', name], description: name };
  };
  const arrays: RunArray[] = [
    { name: 'times', data: Float64Array.from({ length: T }, (_, t) => t * DT), shape: [T], unit: 's', axes: ['times'], description: 'sample time' },
    per('inputs', 11, false, 'a.u.'),
    per('hidden', U, false, 'a.u.'),
    per('torques', 2, false, 'N*m'),
    per('joint_angles', 2, true, 'rad'),
    per('joint_velocities', 2, true, 'rad/s'),
    per('hand_position', 2, true, 'm'),
    per('hand_velocity', 2, true, 'm/s'),
  ];
  const records: TrialRecord[] = Array.from({ length: trials }, (_, k) => ({
    trial: k,
    condition: k % 8,
    target: [0.1 * Math.cos(k), 0.4 + 0.1 * Math.sin(k)],
    start: [0, 0.4],
    target_angle: (2 * Math.PI * (k % 8)) / 8,
    go_time: 0.3,
    movement_onset: 0.45,
    endpoint_error: 0.002,
    catch: false,
    start_time: k * T * DT,
    stop_time: (k + 1) * T * DT,
  }));
  const path = join(dir, name);
  writeRunDir(path, { config: { note: 'synthetic' }, dt: DT, arrays, trials: records });
  return { path, arrayBytes: arrays.reduce((s, a) => s + a.data.byteLength, 0) };
}

/** Export a run as CSV with the CLI; returns the peak resident memory of the process (bytes, VmHWM). */
async function exportPeakMemory(run: string): Promise<number> {
  const child = reachAsync(dir, 'export', '--run', run, '--format', 'csv');
  const done = finished(child);
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // exited
    }
  }, 100);
  const r = await done;
  clearInterval(poll);
  expect(r.status, r.stderr).toBe(0);
  return peak;
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) for (const byte of chunk as Buffer) if (byte === 10) n++;
  return n;
}

describe('CSV export of a 2400-trial run', () => {
  it('streams: completes with every row, and memory grows with the arrays read, not with the CSV written', async () => {
    const small = writeBigRun('small', 240);
    const smallPeak = await exportPeakMemory('small');
    const big = writeBigRun('big', 2400);
    const bigPeak = await exportPeakMemory('big');

    const data = join(big.path, 'export', 'csv', 'data.csv');
    const csvBytes = statSync(data).size;
    expect(await countLines(data)).toBe(1 + 2400 * T);
    expect(csvBytes).toBeGreaterThan(2 ** 29); // longer than V8's longest string (2^29 − 24 characters)
    // Reading the run costs at most twice its array bytes (file bytes + decoded arrays); the CSV adds
    // only a bounded buffer, so ten times the trials must not add anything near the CSV's size.
    const growth = bigPeak - smallPeak;
    const figures = `peak ${(smallPeak / 1e6).toFixed(0)} MB (240 trials) → ${(bigPeak / 1e6).toFixed(0)} MB (2400 trials); arrays ${(big.arrayBytes / 1e6).toFixed(0)} MB, CSV ${(csvBytes / 1e6).toFixed(0)} MB`;
    expect(growth, figures).toBeLessThan(2 * (big.arrayBytes - small.arrayBytes) + 64e6);
    expect(growth, figures).toBeLessThan(csvBytes / 2);
  }, 3_600_000);
});
