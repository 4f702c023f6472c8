/**
 * Issue 12, defect 5: the CSV export streams, both ways. It used to build data.csv as one string
 * ("Invalid string length" at 2400 trials); then it wrote rows through a buffer but still read every
 * array of the run whole, so its memory grew with the run. Now it reads the run's .npy files a trial at a
 * time and writes rows through a bounded buffer: exporting 2400 trials takes no more memory than 240.
 *
 * The run is synthetic (a small controller's shape: 16 hidden units, 140 steps of 10 ms; values from a
 * closed form, so every exported cell can be checked against it) and written with writeRunDir, the
 * writer `reach run` uses; the export is the CLI's.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRunDir, type RunArray, type TrialRecord } from '../../../experiments/run-dir.ts';
import { reachPeakMemory } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-csv-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = 140;
const DT = 0.01;
/** Per-time-step arrays: name, components (labels or a count), dtype, unit and its column suffix. */
const SERIES = [
  { name: 'inputs', C: 5, f64: false, unit: 'a.u.', suffix: '' },
  { name: 'hidden', C: 16, f64: false, unit: 'a.u.', suffix: '' },
  { name: 'torques', C: ['shoulder', 'elbow'], f64: false, unit: 'N*m', suffix: '_N_m' },
  { name: 'joint_angles', C: ['shoulder', 'elbow'], f64: true, unit: 'rad', suffix: '_rad' },
  { name: 'joint_velocities', C: ['shoulder', 'elbow'], f64: true, unit: 'rad/s', suffix: '_rad_per_s' },
  { name: 'hand_position', C: ['x', 'y'], f64: true, unit: 'm', suffix: '_m' },
  { name: 'hand_velocity', C: ['x', 'y'], f64: true, unit: 'm/s', suffix: '_m_per_s' },
] as const;
const width = (s: (typeof SERIES)[number]) => (typeof s.C === 'number' ? s.C : s.C.length);

/** The value of component c at trial k, step t of array number j (a closed form, rounded to the dtype). */
function value(j: number, k: number, t: number, c: number): number {
  const x = Math.sin(0.618034 * (k * T + t) + 1.3 * c + 0.7 * j) * (j + 1) * 0.1;
  return SERIES[j].f64 ? x : Math.fround(x);
}

function writeRun(name: string, trials: number): { path: string; arrayBytes: number } {
  const arrays: RunArray[] = [
    { name: 'times', data: Float64Array.from({ length: T }, (_, t) => t * DT), shape: [T], unit: 's', axes: ['times'], description: 'sample time' },
    ...SERIES.map((s, j): RunArray => {
      const C = width(s);
      const data = s.f64 ? new Float64Array(trials * T * C) : new Float32Array(trials * T * C);
      for (let k = 0; k < trials; k++) for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) data[(k * T + t) * C + c] = value(j, k, t, c);
      return { name: s.name, data, shape: [trials, T, C], unit: s.unit, axes: ['trials', 'times', s.name], description: s.name, ...(typeof s.C === 'number' ? {} : { columns: [...s.C] }) };
    }),
  ];
  const records: TrialRecord[] = Array.from({ length: trials }, (_, k) => ({
    trial: k,
    condition: k % 8,
    target: [0.1 * Math.cos((k % 8) * 0.25 * Math.PI), 0.4 + 0.1 * Math.sin((k % 8) * 0.25 * Math.PI)],
    start: [0, 0.4],
    target_angle: (k % 8) * 0.25 * Math.PI,
    go_time: 0.3,
    movement_onset: 0.45,
    endpoint_error: 0.002,
    catch: false,
    start_time: k * T * DT,
    stop_time: (k + 1) * T * DT,
  }));
  const path = join(dir, name);
  writeRunDir(path, { config: { note: 'synthetic' }, dt: DT, arrays, trials: records });
  return { path, arrayBytes: arrays.reduce((sum, a) => sum + a.data.byteLength, 0) };
}

/** Check every line of data.csv against the closed form; returns the number of data rows. */
async function checkRows(path: string, trials: number): Promise<number> {
  const expectedHeader = ['trial', 'condition', 'time_s'];
  // A float32 cell holds the shortest decimal that rounds back to the float32, not its exact double.
  const float32 = [false, false, false];
  for (const s of SERIES) {
    for (let c = 0; c < width(s); c++) {
      expectedHeader.push(`${s.name}_${typeof s.C === 'number' ? c : s.C[c]}${s.suffix}`);
      float32.push(!s.f64);
    }
  }
  const parse = (cell: string, i: number) => (float32[i] ? Math.fround(Number(cell)) : Number(cell));
  let row = -1;
  const bad: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    const cells = line.split(',');
    if (row < 0) {
      expect(cells).toEqual(expectedHeader);
      row++;
      continue;
    }
    const k = Math.floor(row / T);
    const t = row % T;
    const expected = [k, k % 8, t * DT];
    SERIES.forEach((s, j) => {
      for (let c = 0; c < width(s); c++) expected.push(value(j, k, t, c));
    });
    if (cells.length !== expected.length || cells.some((cell, i) => parse(cell, i) !== expected[i])) {
      const i = cells.findIndex((cell, i) => parse(cell, i) !== expected[i]);
      if (bad.length < 3) bad.push(`row ${row} (trial ${k}, step ${t}): ${cells.length} cells for ${expected.length}; column ${expectedHeader[i]} is ${cells[i]}, not ${expected[i]}`);
    }
    row++;
  }
  expect(bad, 'rows that differ from the closed form').toEqual([]);
  expect(row).toBe(trials * T);
  return row;
}

describe('CSV export of a 2400-trial run', () => {
  it('streams both ways: every row is right, and the peak memory of 2400 trials is that of 240', async () => {
    const small = writeRun('small', 240);
    const big = writeRun('big', 2400);
    const peak = async (run: string) => {
      const r = await reachPeakMemory(dir, 'export', '--run', run, '--format', 'csv');
      expect(r.status, r.stderr).toBe(0);
      return r.maxRss;
    };
    const smallPeak = await peak('small');
    const bigPeak = await peak('big');

    await checkRows(join(small.path, 'export', 'csv', 'data.csv'), 240);
    const data = join(big.path, 'export', 'csv', 'data.csv');
    await checkRows(data, 2400);

    const mb = (x: number) => `${(x / 1e6).toFixed(0)} MB`;
    const figures = `peak RSS ${mb(smallPeak)} (240 trials) → ${mb(bigPeak)} (2400 trials); arrays ${mb(small.arrayBytes)} → ${mb(big.arrayBytes)}, data.csv ${mb(statSync(data).size)}`;
    console.log(`csv export: ${figures}`);
    // Reading the arrays whole would add their ~50 MB (twice, with the file bytes) to the peak.
    expect(bigPeak, figures).toBeLessThan(1.3 * smallPeak + 16e6);
  }, 1_800_000); // generous: the machine may be shared; the assertions are about memory, not time
});
