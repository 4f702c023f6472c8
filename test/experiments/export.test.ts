/** `.npy` and CSV exports: byte-exact copies, CSV that reads back to the same arrays, atomic files. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../core/npy.ts';
import { exportCsv, formatValue, readCsvExport } from '../../experiments/export/csv.ts';
import { exportNpy } from '../../experiments/export/npy.ts';
import { readRunDir } from '../../experiments/run-dir.ts';
import { bytesOf, CATCH, K, T, U, writeSyntheticRun } from './export-synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-export-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const synthetic = writeSyntheticRun(11, root);
const run = readRunDir(synthetic.dir);
const noTemp = (dir: string) => expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

describe('npy export', () => {
  const out = join(root, 'npy');
  const written = exportNpy(run, out);

  it('copies every array byte for byte and lists it in manifest.json with shape, dtype, unit and axes', () => {
    expect(written.length).toBe(run.arrays.length + 2);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('reach-export-npy');
    for (const a of synthetic.arrays) {
      expect(readFileSync(join(out, `${a.name}.npy`)).equals(readFileSync(join(synthetic.dir, `${a.name}.npy`)))).toBe(true);
      expect(bytesOf(decodeNpy(new Uint8Array(readFileSync(join(out, `${a.name}.npy`)))).data)).toEqual(bytesOf(a.data));
      const entry = manifest.arrays.find((e: { name: string }) => e.name === a.name);
      expect(entry).toMatchObject({ name: a.name, file: `${a.name}.npy`, shape: a.shape, unit: a.unit, axes: a.axes });
    }
    expect(JSON.parse(readFileSync(join(out, 'trials.json'), 'utf8'))).toEqual(synthetic.trials);
    noTemp(out);
  });
});

describe('CSV export', () => {
  const out = join(root, 'csv');
  exportCsv(run, out);
  const lines = readFileSync(join(out, 'data.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const cell = (row: number, name: string) => lines[row + 1].split(',')[header.indexOf(name)];

  it('data.csv: one row per trial × time, unit-bearing column names, components labelled', () => {
    expect(lines.length).toBe(1 + K * T);
    expect(header.slice(0, 3)).toEqual(['trial', 'condition', 'time_s']);
    for (const name of [
      'hidden_0',
      `hidden_${U - 1}`,
      'inputs_target_x', // unit "mixed (see columns)" is a phrase, not a symbol: no suffix
      'torques_shoulder_N_m',
      'joint_angles_elbow_rad',
      'joint_velocities_shoulder_rad_per_s',
      'hand_position_x_m',
      'hand_position_y_m',
      'hand_velocity_y_m_per_s',
      'contact_0', // unit '1' (dimensionless): no suffix
    ]) {
      expect(header).toContain(name);
    }
    expect(new Set(header).size).toBe(header.length);
  });

  it('data.csv cells hold the array values at [trial, time, component] and the trial-relative time', () => {
    const pos = synthetic.arrays.find((a) => a.name === 'hand_position')!.data;
    const times = synthetic.arrays.find((a) => a.name === 'times')!.data;
    for (const [k, t] of [[0, 0], [2, 3], [K - 1, T - 1]]) {
      const row = k * T + t;
      expect(Number(cell(row, 'trial'))).toBe(synthetic.trials[k].trial);
      expect(Number(cell(row, 'condition'))).toBe(synthetic.trials[k].condition);
      expect(Number(cell(row, 'time_s'))).toBe(times[t]);
      expect(Number(cell(row, 'hand_position_y_m'))).toBe(pos[(k * T + t) * 2 + 1]);
    }
    // Special values are spelled so that pandas and NumPy read them: joint_angles flat index 5 is
    // [trial 0, time 2, elbow] = NaN, index 6 is [trial 0, time 3, shoulder] = −0.
    expect(cell(2, 'joint_angles_elbow_rad')).toBe('NaN');
    expect(cell(3, 'joint_angles_shoulder_rad')).toBe('-0');
  });

  it('float32 columns use the shortest decimal that reads back as the same float32 (≤ 9 significant digits)', () => {
    const j = header.indexOf('hidden_1');
    for (const line of lines.slice(1)) {
      const s = line.split(',')[j];
      const digits = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
      expect(digits.length).toBeLessThanOrEqual(9);
    }
  });

  it('float32 text equals the brute-force shortest: the fewest toPrecision digits that read back, over ties, extremes and 20 000 random bit patterns', () => {
    const shortest = (x: number) => {
      for (let p = 1; ; p++) if (Math.fround(Number(x.toPrecision(p))) === x) return String(Number(x.toPrecision(p)));
    };
    const values = [-243.859375, -51.3203125, 2 ** -149, 2 ** -126, 3.4028234663852886e38, 0.1, 1 / 3, 123456792, 65504, 1e10, 1e-30, 1e30].map(Math.fround);
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    let z = 7;
    while (values.length < 20_000) {
      z = (Math.imul(z, 1664525) + 1013904223) >>> 0;
      bits[0] = z;
      if (Number.isFinite(f[0]) && f[0] !== 0) values.push(f[0]);
    }
    for (const x of values) expect(formatValue(x, 'float32')).toBe(shortest(x));
  });

  it('trials.csv: one row per trial with units in the names, empty cells for missing values', () => {
    const rows = readFileSync(join(out, 'trials.csv'), 'utf8').trimEnd().split('\n');
    const h = rows[0].split(',');
    expect(rows.length).toBe(1 + K);
    expect(h).toEqual(expect.arrayContaining(['trial', 'condition', 'catch', 'target_x_m', 'go_time_s', 'movement_onset_s', 'endpoint_error_m', 'start_time_s', 'stop_time_s', 'targets_x_m', 'go_step']));
    const catchRow = rows[1 + CATCH].split(',');
    expect(catchRow[h.indexOf('catch')]).toBe('true');
    expect(catchRow[h.indexOf('go_time_s')]).toBe('');
    expect(Number(rows[1].split(',')[h.indexOf('target_x_m')])).toBe(synthetic.trials[0].target[0]);
  });

  it('arrays without a trial axis get a long-form file (index per axis, then value)', () => {
    const w = readFileSync(join(out, 'readout_weights.csv'), 'utf8').trimEnd().split('\n');
    expect(w[0]).toBe('outputs,units,value_N_m');
    expect(w.length).toBe(1 + 2 * U);
    const weights = synthetic.arrays.find((a) => a.name === 'readout_weights')!.data;
    const [i, j, v] = w[1 + U + 2].split(',');
    expect([i, j]).toEqual(['1', '2']);
    expect(Math.fround(Number(v))).toBe(weights[U + 2]);
    expect(readFileSync(join(out, 'gain.csv'), 'utf8')).toBe('value\n2.5\n');
  });

  it('re-reading the CSV export gives back every array bit for bit, and the trial records', () => {
    const back = readCsvExport(out);
    expect(back.trials).toEqual(synthetic.trials);
    expect(back.arrays.map((a) => a.name)).toEqual(synthetic.arrays.map((a) => a.name));
    for (const a of synthetic.arrays) {
      const b = back.arrays.find((x) => x.name === a.name)!;
      expect(b.shape).toEqual(a.shape);
      expect(b.data.constructor).toBe(a.data.constructor);
      expect(bytesOf(b.data)).toEqual(bytesOf(a.data));
    }
    noTemp(out);
  });
});

describe('a failed export leaves no partial file', () => {
  it('CSV: stopped after data.csv, the folder holds a complete data.csv and no temp or half-written file', () => {
    const out = join(root, 'csv-fail');
    expect(() =>
      exportCsv(run, out, {
        progress: (m) => {
          if (m.includes('trials.csv')) throw new Error('disk full (simulated)');
        },
      }),
    ).toThrow('disk full');
    expect(readdirSync(out)).toEqual(['data.csv']);
    expect(readFileSync(join(out, 'data.csv'), 'utf8').trimEnd().split('\n').length).toBe(1 + K * T);
  });

  it('npy: a failure while copying keeps the earlier version of the file intact', () => {
    const out = join(root, 'npy-fail');
    exportNpy(run, out);
    const before = readFileSync(join(out, 'hidden.npy'));
    writeFileSync(join(out, 'marker'), '');
    expect(() =>
      exportNpy(run, out, {
        progress: (m) => {
          if (m.includes('hidden.npy')) throw new Error('interrupted (simulated)');
        },
      }),
    ).toThrow('interrupted');
    expect(readFileSync(join(out, 'hidden.npy')).equals(before)).toBe(true);
    expect(existsSync(join(out, 'marker'))).toBe(true);
    noTemp(out);
  });
});
