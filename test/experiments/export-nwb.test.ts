/**
 * NWB export, read back with h5wasm and checked against requirements taken from the NWB core schema
 * (NeurodataWithoutBorders/nwb-schema, core 2.6.0: core/nwb.file.yaml, core/nwb.base.yaml,
 * core/nwb.behavior.yaml, core/nwb.epoch.yaml), hdmf-common table.yaml (DynamicTable, VectorData,
 * ElementIdentifiers) and the HDF5 storage mapping (docs/storage/source/storage_hdf5.rst).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm, { type Dataset, type Group } from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNwb, NWB_VERSION } from '../../experiments/export/nwb.ts';
import { readRunDir } from '../../experiments/run-dir.ts';
import { bytesOf, CATCH, K, T, U, writeSyntheticRun } from './export-synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-nwb-test-'));
const synthetic = writeSyntheticRun(21, root);
const run = readRunDir(synthetic.dir);
const out = join(root, 'nwb');
const SESSION_START = '2024-05-01T09:30:00.000+02:00';
const CREATED = '2024-05-02T10:00:00.000Z';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let file: InstanceType<typeof h5wasm.File>;
let written: string[];
beforeAll(async () => {
  written = await exportNwb(run, out, { sessionStartTime: SESSION_START, fileCreateDate: CREATED, identifier: 'synthetic-run-21' });
  await h5wasm.ready;
  file = new h5wasm.File(join(out, 'run.nwb'), 'r');
});
afterAll(() => {
  file?.close();
  rmSync(root, { recursive: true, force: true });
});

const group = (path: string) => {
  const g = file.get(path);
  expect(g, path).toBeInstanceOf(h5wasm.Group);
  return g as Group;
};
const dataset = (path: string) => {
  const d = file.get(path);
  expect(d, path).toBeInstanceOf(h5wasm.Dataset);
  return d as Dataset;
};
const attr = (obj: Group | Dataset, name: string) => {
  expect(Object.keys(obj.attrs), `${obj.path} has attribute ${name}`).toContain(name);
  return obj.attrs[name].value;
};
const arr = (name: string) => synthetic.arrays.find((a) => a.name === name)!;
/** Session-clock timestamps: trial k's samples offset by its start_time. */
const expectedTimestamps = () => {
  const times = arr('times').data;
  return Float64Array.from({ length: K * T }, (_, i) => synthetic.trials[Math.floor(i / T)].start_time + times[i % T]);
};

describe('NWB export: file-level requirements (nwb.file.yaml, NWBFile)', () => {
  it('writes run.nwb and the [trials, times, units] cube hidden.npy beside it, and nothing else', () => {
    expect(readdirSync(out).sort()).toEqual(['hidden.npy', 'run.nwb']);
    expect(written.map((p) => p.split('/').pop()).sort()).toEqual(['hidden.npy', 'run.nwb']);
    expect(readFileSync(join(out, 'hidden.npy')).equals(readFileSync(join(synthetic.dir, 'hidden.npy')))).toBe(true);
  });

  it('root attributes: namespace core, neurodata_type NWBFile, nwb_version, object_id (uuid4)', () => {
    const rootGroup = group('/');
    expect(attr(rootGroup, 'namespace')).toBe('core');
    expect(attr(rootGroup, 'neurodata_type')).toBe('NWBFile');
    expect(attr(rootGroup, 'nwb_version')).toBe(NWB_VERSION);
    expect(NWB_VERSION).toBe('2.6.0');
    expect(attr(rootGroup, 'object_id')).toMatch(UUID4);
  });

  it('required root datasets with their values; date-times are ISO 8601 with a time zone', () => {
    expect(dataset('/identifier').value).toBe('synthetic-run-21');
    expect(dataset('/session_description').value as string).toMatch(/two-joint arm.*6 trials of 7 samples at dt = 0\.01 s/);
    expect(dataset('/session_start_time').value).toBe(SESSION_START);
    expect(dataset('/timestamps_reference_time').value).toBe(SESSION_START);
    const created = dataset('/file_create_date');
    expect(created.shape).toEqual([1]); // dims [num_modifications]
    expect(created.value).toEqual([CREATED]);
  });

  it('required groups: acquisition, analysis, processing, stimulus/presentation, stimulus/templates, general', () => {
    for (const path of ['/acquisition', '/analysis', '/processing', '/stimulus', '/stimulus/presentation', '/stimulus/templates', '/general']) group(path);
    expect(dataset('/general/notes').value as string).toContain('"seed":21');
    expect(attr(dataset('/general/source_script'), 'file_name')).toBe('experiments/export/nwb.ts');
  });

  it('every typed object carries namespace, neurodata_type and a unique uuid4 object_id (storage_hdf5.rst)', () => {
    const ids = new Set<string>();
    let typedCount = 0;
    const visit = (obj: Group | Dataset) => {
      const keys = Object.keys(obj.attrs);
      if (keys.includes('neurodata_type')) {
        typedCount++;
        expect(['core', 'hdmf-common'], obj.path).toContain(attr(obj, 'namespace'));
        const id = attr(obj, 'object_id') as string;
        expect(id).toMatch(UUID4);
        expect(ids.has(id), `${obj.path} object_id is unique`).toBe(false);
        ids.add(id);
      }
      if (obj instanceof h5wasm.Group) for (const k of obj.keys()) visit(obj.get(k) as Group | Dataset);
    };
    visit(group('/'));
    // NWBFile, 3 modules, Position, BehavioralTimeSeries, 8 series, TimeIntervals, id, 14 columns, 3 ScratchData.
    expect(typedCount).toBe(1 + 3 + 2 + 8 + 1 + 1 + 14 + 3);
  });
});

describe('NWB export: TimeSeries (nwb.base.yaml) in ProcessingModules', () => {
  const series: Array<[string, string, string, string]> = [
    // path, source array, neurodata_type, unit
    ['/processing/rnn/hidden', 'hidden', 'TimeSeries', 'a.u.'],
    ['/processing/rnn/inputs', 'inputs', 'TimeSeries', 'mixed (see columns)'],
    ['/processing/rnn/torques', 'torques', 'TimeSeries', 'newton-meters'],
    ['/processing/behavior/Position/hand_position', 'hand_position', 'SpatialSeries', 'meters'],
    ['/processing/behavior/BehavioralTimeSeries/hand_velocity', 'hand_velocity', 'TimeSeries', 'meters/second'],
    ['/processing/behavior/BehavioralTimeSeries/joint_angles', 'joint_angles', 'TimeSeries', 'radians'],
    ['/processing/behavior/BehavioralTimeSeries/joint_velocities', 'joint_velocities', 'TimeSeries', 'radians/second'],
    ['/processing/simulation/contact', 'contact', 'TimeSeries', '1'],
  ];

  it('ProcessingModule groups rnn, behavior, simulation with a description; Position and BehavioralTimeSeries containers', () => {
    for (const m of ['rnn', 'behavior', 'simulation']) {
      const g = group(`/processing/${m}`);
      expect(attr(g, 'neurodata_type')).toBe('ProcessingModule');
      expect((attr(g, 'description') as string).length).toBeGreaterThan(10);
    }
    expect(attr(group('/processing/behavior/Position'), 'neurodata_type')).toBe('Position');
    expect(attr(group('/processing/behavior/BehavioralTimeSeries'), 'neurodata_type')).toBe('BehavioralTimeSeries');
  });

  for (const [path, name, type, unit] of series) {
    it(`${path}: ${type}, data [trials·times, …] with the array's values, unit "${unit}", float64 timestamps in s`, () => {
      const a = arr(name);
      const g = group(path);
      expect(attr(g, 'neurodata_type')).toBe(type);
      expect(attr(g, 'namespace')).toBe('core');
      expect(attr(g, 'description') as string).toBe(a.description);
      const data = dataset(`${path}/data`);
      expect(data.shape).toEqual([K * T, ...a.shape.slice(2)]);
      const values = data.value as Float32Array | Float64Array | Int32Array;
      expect(values.constructor).toBe(a.data.constructor);
      expect(bytesOf(values)).toEqual(bytesOf(a.data));
      expect(attr(data, 'unit')).toBe(unit);
      expect(attr(data, 'conversion')).toBe(1);
      expect(attr(data, 'offset')).toBe(0);
      expect(attr(data, 'resolution')).toBe(-1);
      expect(data.attrs.conversion.metadata).toMatchObject({ type: 1, size: 4 }); // float32 per schema
      const ts = dataset(`${path}/timestamps`);
      expect(ts.dtype).toBe('<d');
      expect(ts.shape).toEqual([K * T]);
      expect(Array.from(ts.value as Float64Array)).toEqual(Array.from(expectedTimestamps()));
      expect(attr(ts, 'interval')).toBe(1);
      expect(ts.attrs.interval.metadata).toMatchObject({ type: 0, size: 4, signed: true }); // int32
      expect(attr(ts, 'unit')).toBe('seconds');
    });
  }

  it('hidden activity is float32 [trials·times, units]', () => {
    expect(dataset('/processing/rnn/hidden/data').dtype).toBe('<f');
    expect(dataset('/processing/rnn/hidden/data').shape).toEqual([K * T, U]);
  });

  it('hand position SpatialSeries states its reference frame (nwb.behavior.yaml)', () => {
    expect(dataset('/processing/behavior/Position/hand_position/reference_frame').value).toBe('origin at the shoulder, +x right, +y forward');
  });
});

describe('NWB export: /intervals/trials (nwb.epoch.yaml TimeIntervals, hdmf-common DynamicTable)', () => {
  const columns = ['start_time', 'stop_time', 'condition', 'target_x', 'target_y', 'start_x', 'start_y', 'target_angle', 'go_cue_time', 'movement_onset', 'endpoint_error', 'is_catch', 'targets', 'go_step'];

  it('TimeIntervals with colnames, description, id (ElementIdentifiers) and one VectorData per column', () => {
    const table = group('/intervals/trials');
    expect(attr(table, 'neurodata_type')).toBe('TimeIntervals');
    expect(attr(table, 'namespace')).toBe('core');
    expect(attr(table, 'colnames')).toEqual(columns);
    expect((attr(table, 'description') as string).length).toBeGreaterThan(10);
    const id = dataset('/intervals/trials/id');
    expect(attr(id, 'neurodata_type')).toBe('ElementIdentifiers');
    expect(attr(id, 'namespace')).toBe('hdmf-common');
    expect(Array.from(id.value as Int32Array)).toEqual(synthetic.trials.map((t) => t.trial));
    for (const c of columns) {
      const d = dataset(`/intervals/trials/${c}`);
      expect(attr(d, 'neurodata_type')).toBe('VectorData');
      expect(attr(d, 'namespace')).toBe('hdmf-common');
      expect((attr(d, 'description') as string).length).toBeGreaterThan(3);
      expect(d.shape?.[0], `${c} has one row per trial`).toBe(K);
    }
    expect(table.keys().sort()).toEqual([...columns, 'id'].sort());
  });

  it('column values: session-clock start/stop and go cue (NaN on the catch trial), targets, condition, catch flag', () => {
    const col = (c: string) => Array.from(dataset(`/intervals/trials/${c}`).value as ArrayLike<number>);
    const tr = synthetic.trials;
    expect(col('start_time')).toEqual(tr.map((t) => t.start_time));
    expect(col('stop_time')).toEqual(tr.map((t) => t.stop_time));
    expect(col('condition')).toEqual(tr.map((t) => t.condition));
    expect(col('target_x')).toEqual(tr.map((t) => t.target[0]));
    expect(col('target_y')).toEqual(tr.map((t) => t.target[1]));
    const go = col('go_cue_time');
    tr.forEach((t, k) => (k === CATCH ? expect(go[k]).toBeNaN() : expect(go[k]).toBe(t.start_time + (t.go_time as number))));
    expect(col('is_catch')).toEqual(tr.map((t) => (t.catch ? 1 : 0)));
    expect(dataset('/intervals/trials/targets').shape).toEqual([K, 2]);
  });

  it('arrays without a trial axis are ScratchData with notes (nwb.file.yaml /scratch)', () => {
    for (const name of ['readout_weights', 'gain', 'spare']) {
      const d = dataset(`/scratch/${name}`);
      expect(attr(d, 'neurodata_type')).toBe('ScratchData');
      expect(d.shape).toEqual(arr(name).shape);
      expect(attr(d, 'notes') as string).toContain(arr(name).description);
    }
  });
});

describe('NWB export: atomic file', () => {
  it('a failure midway leaves no run.nwb and no temp file; an earlier run.nwb stays as it was', async () => {
    const dir = join(root, 'nwb-fail');
    const fail = { progress: (m: string) => { if (m.includes('/intervals/trials')) throw new Error('interrupted (simulated)'); } };
    await expect(exportNwb(run, dir, fail)).rejects.toThrow('interrupted');
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, 'run.nwb'), 'previous export');
    await expect(exportNwb(run, dir, fail)).rejects.toThrow('interrupted');
    expect(readdirSync(dir)).toEqual(['run.nwb']);
    expect(readFileSync(join(dir, 'run.nwb'), 'utf8')).toBe('previous export');
  });

  it('rejects a session start without a time zone before creating anything', async () => {
    const dir = join(root, 'nwb-bad-date');
    await expect(exportNwb(run, dir, { sessionStartTime: '2024-05-01T09:30:00' })).rejects.toThrow(/ISO 8601 date-time with a time zone/);
    expect(existsSync(join(dir, 'run.nwb'))).toBe(false);
  });
});

const h5dumpMissing = spawnSync('h5dump', ['--version'], { encoding: 'utf8' }).status !== 0;
describe('NWB export: read by the HDF5 reference tools', () => {
  it.skipIf(h5dumpMissing)(
    `h5dump (HDF Group's C library) reads the whole file${h5dumpMissing ? ' — SKIPPED: h5dump not installed (apt-get install -y hdf5-tools)' : ''}`,
    () => {
      const r = spawnSync('h5dump', ['-H', join(out, 'run.nwb')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const g of ['GROUP "intervals"', 'GROUP "trials"', 'GROUP "rnn"', 'DATASET "timestamps"']) expect(r.stdout).toContain(g);
      const v = spawnSync('h5dump', ['-a', '/nwb_version', join(out, 'run.nwb')], { encoding: 'utf8' });
      expect(v.stdout).toContain(`"${NWB_VERSION}"`);
      const d = spawnSync('h5dump', ['-d', '/intervals/trials/start_time', join(out, 'run.nwb')], { encoding: 'utf8' });
      expect(d.stdout).toContain('H5T_IEEE_F64LE');
      expect(d.stdout).toMatch(new RegExp(`\\(0\\): 0, ${synthetic.trials[1].start_time}`));
    },
  );
});
