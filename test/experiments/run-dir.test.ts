/** Run directories: what the writer puts on disk, what the reader accepts, and the errors it gives. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, NpyError } from '../../core/npy.ts';
import { getRunArray, readRunDir, writeRunDir, type RunArray } from '../../experiments/run-dir.ts';
import { bytesOf, DT, K, syntheticArrays, T, writeSyntheticRun } from './export-synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-rundir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${n++}`);

/** Make the manifest list the SHA-256 of the files as they now are (a consistent edit, not a mix of runs). */
function rehash(dir: string): void {
  const sha = (file: string) => createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  for (const e of m.arrays) if (existsSync(join(dir, e.file))) e.sha256 = sha(e.file);
  m.trialsSha256 = sha('trials.json');
  m.configSha256 = sha('config.json');
  writeFileSync(path, JSON.stringify(m));
}

describe('writeRunDir / readRunDir', () => {
  const run = writeSyntheticRun(7, fresh());

  it('writes one .npy per array, trials.json, config.json and manifest.json, and no temp files', () => {
    const files = readdirSync(run.dir).sort();
    expect(files).toEqual([...run.arrays.map((a) => `${a.name}.npy`), 'config.json', 'manifest.json', 'trials.json'].sort());
    const manifest = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('reach-run');
    expect(manifest.version).toBe(2);
    expect(manifest.dt).toBe(DT);
    const hidden = manifest.arrays.find((e: { name: string }) => e.name === 'hidden');
    expect(hidden).toEqual({ name: 'hidden', file: 'hidden.npy', dtype: 'float32', shape: [K, T, 5], unit: 'a.u.', axes: ['trials', 'times', 'units'], description: 'synthetic hidden', sha256: createHash('sha256').update(readFileSync(join(run.dir, 'hidden.npy'))).digest('hex') });
    // Each file is a plain .npy that any reader decodes to the same bits.
    for (const a of run.arrays) {
      const npy = decodeNpy(new Uint8Array(readFileSync(join(run.dir, `${a.name}.npy`))));
      expect(npy.shape).toEqual(a.shape);
      expect(bytesOf(npy.data)).toEqual(bytesOf(a.data));
    }
  });

  it('reads back the same arrays (bit-exact), metadata, trials and config', () => {
    const back = readRunDir(run.dir);
    expect(back.dt).toBe(DT);
    expect(back.trials).toEqual(run.trials);
    expect(back.config).toEqual(run.config);
    expect(back.arrays.map((a) => a.name)).toEqual(run.arrays.map((a) => a.name));
    for (const a of run.arrays) {
      const b = back.byName[a.name];
      expect(b.data.constructor).toBe(a.data.constructor);
      expect(bytesOf(b.data)).toEqual(bytesOf(a.data));
      expect({ shape: b.shape, unit: b.unit, axes: b.axes, description: b.description, columns: b.columns }).toEqual({
        shape: a.shape,
        unit: a.unit,
        axes: a.axes,
        description: a.description,
        columns: a.columns,
      });
    }
  });

  it('getRunArray returns an array by name, or names the ones the run has', () => {
    const back = readRunDir(run.dir);
    expect(getRunArray(back, 'torques').columns).toEqual(['shoulder', 'elbow']);
    expect(() => getRunArray(back, 'emg')).toThrow(/has no array 'emg' \(it has: times, inputs, hidden, torques,/);
  });

  it('accepts array files NumPy wrote with a version 3.0 header', () => {
    const dir = writeSyntheticRun(8, fresh()).dir;
    const t = new Float64Array(T).map((_, i) => i * DT);
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }";
    const pad = 64 - ((12 + header.length + 1) % 64);
    const head = new TextEncoder().encode(header + ' '.repeat(pad) + '\n');
    const file = new Uint8Array(12 + head.length + t.byteLength);
    file.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 3, 0]);
    new DataView(file.buffer).setUint32(8, head.length, true);
    file.set(head, 12);
    file.set(bytesOf(t), 12 + head.length);
    writeFileSync(join(dir, 'times.npy'), file);
    rehash(dir);
    expect(Array.from(readRunDir(dir).byName.times.data)).toEqual(Array.from(t));
  });
});

describe('writeRunDir rejects inconsistent runs before writing anything', () => {
  const base = syntheticArrays(3);
  const replace = (name: string, change: Partial<RunArray>) => base.arrays.map((a) => (a.name === name ? { ...a, ...change } : a));
  const cases: Array<[string, () => Parameters<typeof writeRunDir>[1], RegExp]> = [
    ['data length ≠ shape', () => ({ config: {}, dt: DT, trials: base.trials, arrays: replace('hidden', { data: new Float32Array(3) }) }), /'hidden' has 3 values but shape \[6, 7, 5\] holds 210/],
    ['trial axis ≠ number of trial records', () => ({ config: {}, dt: DT, trials: base.trials.slice(1), arrays: base.arrays }), /'trials' axis but there are 5 trial records/],
    [
      'same axis name, different lengths',
      () => ({ config: {}, dt: DT, trials: base.trials, arrays: [...base.arrays, { name: 'extra', data: new Float64Array(K * 8), shape: [K, 8], unit: 's', axes: ['trials', 'times'], description: '' }] }),
      /axis 'times' has length 7 in 'times' but 8 in 'extra'/,
    ],
    ['axes do not name every dimension', () => ({ config: {}, dt: DT, trials: base.trials, arrays: replace('hidden', { axes: ['trials', 'times'] }) }), /axes must name every dimension/],
    ['a name that is not a file stem', () => ({ config: {}, dt: DT, trials: base.trials, arrays: replace('hidden', { name: '../hidden' }) }), /must start with a letter/],
    ['duplicate names', () => ({ config: {}, dt: DT, trials: base.trials, arrays: [...base.arrays, base.arrays[2]] }), /'hidden' appears twice/],
    ['columns that do not label the last axis', () => ({ config: {}, dt: DT, trials: base.trials, arrays: replace('torques', { columns: ['a'] }) }), /columns must label every entry/],
    ['a trial that stops before it starts', () => ({ config: {}, dt: DT, trials: base.trials.map((t, i) => (i === 2 ? { ...t, stop_time: t.start_time - 1 } : t)), arrays: base.arrays }), /2\.stop_time: stop_time must not precede start_time/],
    ['duplicate trial ids', () => ({ config: {}, dt: DT, trials: base.trials.map((t) => ({ ...t, trial: 1 })), arrays: base.arrays }), /trial id 1 appears twice/],
    ['a non-positive dt', () => ({ config: {}, dt: 0, trials: base.trials, arrays: base.arrays }), /dt must be a positive number/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      const dir = fresh();
      expect(() => writeRunDir(dir, make())).toThrow(message);
      expect(existsSync(dir)).toBe(false);
    });
  }
});

describe('readRunDir errors name the problem and the file', () => {
  function broken(edit: (dir: string) => void): string {
    const dir = writeSyntheticRun(5, fresh()).dir;
    edit(dir);
    if (existsSync(join(dir, 'manifest.json')) && existsSync(join(dir, 'trials.json'))) {
      try {
        rehash(dir);
      } catch {
        // a manifest that is not JSON stays broken
      }
    }
    return dir;
  }
  const manifestPath = (dir: string) => join(dir, 'manifest.json');
  const editManifest = (dir: string, f: (m: { arrays: Array<Record<string, unknown>> } & Record<string, unknown>) => void) => {
    const m = JSON.parse(readFileSync(manifestPath(dir), 'utf8'));
    f(m);
    writeFileSync(manifestPath(dir), JSON.stringify(m));
  };

  it('a missing directory', () => {
    expect(() => readRunDir(join(root, 'nope'))).toThrow(/run directory .*nope does not exist/);
  });

  it('a folder without manifest.json', () => {
    const dir = fresh();
    mkdirSync(dir);
    expect(() => readRunDir(dir)).toThrow(/is not a run directory: manifest.json is missing/);
  });

  it('a manifest that is not JSON', () => {
    const dir = broken((d) => writeFileSync(manifestPath(d), '{"format": "reach-run", '));
    expect(() => readRunDir(dir)).toThrow(/manifest\.json is not valid JSON/);
  });

  it('a manifest of another format', () => {
    const dir = broken((d) => editManifest(d, (m) => (m.format = 'reach-simulate')));
    expect(() => readRunDir(dir)).toThrow(/manifest\.json: invalid run manifest: format/);
  });

  it('a manifest entry pointing outside the folder', () => {
    const dir = broken((d) => editManifest(d, (m) => (m.arrays[1].file = '../inputs.npy')));
    expect(() => readRunDir(dir)).toThrow(/arrays\.1\.file: must be a plain file name/);
  });

  it('a listed file that is missing', () => {
    const dir = broken((d) => rmSync(join(d, 'torques.npy')));
    expect(() => readRunDir(dir)).toThrow(/torques\.npy \(array 'torques' in manifest\.json\) is missing/);
  });

  it('a file whose shape differs from the manifest', () => {
    const dir = broken((d) => writeFileSync(join(d, 'hidden.npy'), encodeNpy(new Float32Array(K * T * 4), [K, T, 4])));
    expect(() => readRunDir(dir)).toThrow(/hidden\.npy: shape is \[6, 7, 4\] but manifest\.json says \[6, 7, 5\]/);
  });

  it('a file whose dtype differs from the manifest', () => {
    const dir = broken((d) => writeFileSync(join(d, 'hidden.npy'), encodeNpy(new Float64Array(K * T * 5), [K, T, 5])));
    expect(() => readRunDir(dir)).toThrow(/hidden\.npy: dtype is float64 but manifest\.json says float32/);
  });

  it('a truncated .npy file (NpyError naming the file)', () => {
    const dir = broken((d) => {
      const bytes = readFileSync(join(d, 'hand_position.npy'));
      writeFileSync(join(d, 'hand_position.npy'), bytes.subarray(0, bytes.length - 8));
    });
    expect(() => readRunDir(dir)).toThrow(NpyError);
    expect(() => readRunDir(dir)).toThrow(/hand_position\.npy: .*truncated/);
  });

  it('trial records that no longer match the arrays', () => {
    const dir = broken((d) => writeFileSync(join(d, 'trials.json'), JSON.stringify(JSON.parse(readFileSync(join(d, 'trials.json'), 'utf8')).slice(0, 2))));
    expect(() => readRunDir(dir)).toThrow(/'trials' axis but there are 2 trial records/);
  });

  it('a malformed trial record', () => {
    const dir = broken((d) => {
      const trials = JSON.parse(readFileSync(join(d, 'trials.json'), 'utf8'));
      trials[3].target = [0.1];
      writeFileSync(join(d, 'trials.json'), JSON.stringify(trials));
    });
    expect(() => readRunDir(dir)).toThrow(/trials\.json: invalid trial records: 3\.target/);
  });
});
