/**
 * NWB 2.6.0 export (HDF5 through h5wasm), following the core schema files nwb.file.yaml, nwb.base.yaml,
 * nwb.behavior.yaml and nwb.epoch.yaml of NeurodataWithoutBorders/nwb-schema (commit 007c6073, core
 * 2.6.0), hdmf-common table.yaml (DynamicTable, VectorData, ElementIdentifiers), and the HDF5 storage
 * mapping in docs/storage/source/storage_hdf5.rst: every typed object carries `neurodata_type`,
 * `namespace` and `object_id` attributes; links are never hard links; isodatetime is an ASCII string.
 *
 * Per-time-step arrays ([trials, times, …]) become TimeSeries with trials concatenated in time: row
 * k·T + t is trial k, sample t, at timestamp start_time[k] + times[t] on the session clock.
 *   /processing/rnn          hidden, inputs, torques (network state, input, output)
 *   /processing/behavior     Position/hand_position (SpatialSeries) and BehavioralTimeSeries/<hand_*|joint_*>
 *   /processing/simulation   any other per-time-step array
 *   /intervals/trials        TimeIntervals: trial records, plus arrays with axes [trials, …] as columns
 *   /scratch/<name>          ScratchData: arrays with no trial axis (other than `times`)
 * The format's schema cache (/specifications) is not written: the storage spec calls it optional, and
 * readers fall back to their own copy of the core namespace.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Dataset, Group } from 'h5wasm/node';
import { shapeSize } from '../../core/npy.ts';
import { copyFileAtomic } from '../io/files.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../package-info.ts';
import { listedSha256, TIME_AXIS, TIMES_ARRAY, TRIAL_AXIS, withRunArrays, type RunArrayEntry, type RunArrayRows, type RunMeta } from '../run-dir.ts';
import type { ExportOptions } from './types.ts';

/** NWB core schema version of the files `exportNwb` writes. */
export const NWB_VERSION = '2.6.0';
export const NWB_FILE = 'run.nwb';
/** The reference frame of every hand position in the project. */
export const HAND_REFERENCE_FRAME = 'origin at the shoulder, +x right, +y forward';

export interface NwbExportOptions extends ExportOptions {
  /** Session start, ISO 8601 with time zone. Default: when the run's manifest.json was written. */
  sessionStartTime?: string;
  /** Creation time recorded in file_create_date, ISO 8601 with time zone. Default: now. */
  fileCreateDate?: string;
  /** Unique identifier of the file. Default: a random UUID. */
  identifier?: string;
}

/** Arrays that belong to the network, whatever else the run holds. */
const RNN_ARRAYS = new Set(['hidden', 'inputs', 'torques', 'outputs']);
const BEHAVIOR_PREFIX = /^(hand|joint)_/;

/** NWB files spell units out (SpatialSeries defaults to "meters"); symbols not listed pass through. */
const NWB_UNITS: Record<string, string> = {
  m: 'meters',
  'm/s': 'meters/second',
  'm/s²': 'meters/second^2',
  rad: 'radians',
  'rad/s': 'radians/second',
  'rad/s²': 'radians/second^2',
  s: 'seconds',
  'N·m': 'newton-meters',
  'N*m': 'newton-meters',
  'N.m': 'newton-meters',
  N: 'newtons',
};

/** The unit string written to NWB for a run unit. */
export function nwbUnit(unit: string): string {
  return NWB_UNITS[unit] ?? unit;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function checkIso(name: string, value: string): string {
  if (!ISO_WITH_ZONE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Error(`${name} must be an ISO 8601 date-time with a time zone (e.g. 2024-05-01T09:30:00Z), got '${value}'`);
  }
  return value;
}

function emptyOf(dtype: RunArrayEntry['dtype']): Float32Array | Float64Array | Int32Array {
  return dtype === 'float32' ? new Float32Array(0) : dtype === 'float64' ? new Float64Array(0) : new Int32Array(0);
}

function typed(obj: Group | Dataset, neurodataType: string, namespace: 'core' | 'hdmf-common'): void {
  obj.create_attribute('namespace', namespace);
  obj.create_attribute('neurodata_type', neurodataType);
  obj.create_attribute('object_id', randomUUID());
}

function text(parent: Group, name: string, value: string): Dataset {
  return parent.create_dataset({ name, data: value });
}

/** Where a per-time-step array goes: module, optional container, NWB type. */
interface SeriesPlan {
  array: RunArrayEntry;
  module: 'rnn' | 'behavior' | 'simulation';
  container?: 'Position' | 'BehavioralTimeSeries';
  type: 'TimeSeries' | 'SpatialSeries';
}

const EXPERIMENT_DESCRIPTION =
  'A recurrent neural network, trained by backpropagation through time through a differentiable model of the arm, ' +
  'controls a simulated two-joint arm (shoulder and elbow, horizontal plane) reaching to targets; its hidden units ' +
  'are analysed like motor-cortex recordings.';

const MODULE_DESCRIPTIONS: Record<SeriesPlan['module'], string> = {
  rnn: 'Recurrent network controller: hidden state, inputs (delayed sensory feedback and task cues) and outputs (joint torques). Trials are concatenated in time.',
  behavior: `Kinematics of the simulated two-joint arm (${HAND_REFERENCE_FRAME}). Trials are concatenated in time.`,
  simulation: 'Other per-time-step arrays of the run. Trials are concatenated in time.',
};

function planSeries(a: RunArrayEntry): SeriesPlan {
  if (RNN_ARRAYS.has(a.name)) return { array: a, module: 'rnn', type: 'TimeSeries' };
  if (BEHAVIOR_PREFIX.test(a.name)) {
    const rest = a.shape.slice(2);
    // nwb.behavior.yaml: SpatialSeries data is [num_times] or [num_times, 1|2|3].
    if (a.name === 'hand_position' && (rest.length === 0 || (rest.length === 1 && rest[0] >= 1 && rest[0] <= 3))) {
      return { array: a, module: 'behavior', container: 'Position', type: 'SpatialSeries' };
    }
    return { array: a, module: 'behavior', container: 'BehavioralTimeSeries', type: 'TimeSeries' };
  }
  return { array: a, module: 'simulation', type: 'TimeSeries' };
}

interface TrialColumn {
  name: string;
  description: string;
  data: Float64Array | Float32Array | Int32Array | Uint8Array;
  shape: number[];
}

function trialColumns(run: RunMeta, perTrial: RunArrayRows[]): TrialColumn[] {
  const tr = run.trials;
  const K = tr.length;
  const f64 = (f: (i: number) => number) => Float64Array.from({ length: K }, (_, i) => f(i));
  const orNaN = (x: number | null) => (x === null ? NaN : x);
  const cols: TrialColumn[] = [
    { name: 'start_time', description: 'Start time of the trial on the session clock (s).', data: f64((i) => tr[i].start_time), shape: [K] },
    { name: 'stop_time', description: 'Stop time of the trial on the session clock (s).', data: f64((i) => tr[i].stop_time), shape: [K] },
    { name: 'condition', description: 'Condition index (center-out target index; -1 when none).', data: Int32Array.from(tr, (t) => t.condition), shape: [K] },
    { name: 'target_x', description: `Target hand position x (m; ${HAND_REFERENCE_FRAME}).`, data: f64((i) => tr[i].target[0]), shape: [K] },
    { name: 'target_y', description: `Target hand position y (m; ${HAND_REFERENCE_FRAME}).`, data: f64((i) => tr[i].target[1]), shape: [K] },
    { name: 'start_x', description: 'Start hand position x (m).', data: f64((i) => tr[i].start[0]), shape: [K] },
    { name: 'start_y', description: 'Start hand position y (m).', data: f64((i) => tr[i].start[1]), shape: [K] },
    { name: 'target_angle', description: 'Direction from start to target (rad, from +x).', data: f64((i) => tr[i].target_angle), shape: [K] },
    {
      name: 'go_cue_time',
      description: 'Go cue time on the session clock (s); NaN on catch trials.',
      data: f64((i) => tr[i].start_time + orNaN(tr[i].go_time)),
      shape: [K],
    },
    {
      name: 'movement_onset',
      description: 'Movement onset time on the session clock (s); NaN when the hand never moved.',
      data: f64((i) => tr[i].start_time + orNaN(tr[i].movement_onset)),
      shape: [K],
    },
    { name: 'endpoint_error', description: 'Hand-to-target distance at the end of the trial (m); NaN when undefined.', data: f64((i) => orNaN(tr[i].endpoint_error)), shape: [K] },
    { name: 'is_catch', description: 'Catch trial (no go cue): 1, else 0 (uint8: h5wasm cannot write the HDF5 enum h5py uses for bool).', data: Uint8Array.from(tr, (t) => (t.catch ? 1 : 0)), shape: [K] },
  ];
  const taken = new Set(cols.map((c) => c.name));
  for (const rows of perTrial) {
    const a = rows.entry;
    if (taken.has(a.name)) throw new Error(`NWB export: array '${a.name}' would clash with the trials table column of that name; rename the array`);
    taken.add(a.name);
    cols.push({ name: a.name, description: `${a.description} (${a.unit}; axes ${a.axes.join(' × ')}).`, data: rows.readAll(), shape: a.shape });
  }
  return cols;
}

let tmpCounter = 0;

/** Chunks of whole trials of about this many bytes (HDF5's guidance: 10 KiB to 1 MiB). */
const CHUNK_TARGET_BYTES = 1 << 16;

/**
 * A dataset of `K` trials of `T` rows each (each row `rowShape`), written one trial at a time in
 * chunks of whole trials, so that neither this process nor h5wasm's heap ever holds the whole series.
 * `trial(k)` gives trial k's rows, row-major. Empty series are written plainly (HDF5 has no empty chunk).
 */
function writeTrialSeries(
  parent: Group,
  name: string,
  empty: Float32Array | Float64Array | Int32Array,
  K: number,
  T: number,
  rowShape: number[],
  trial: (k: number) => Float32Array | Float64Array | Int32Array,
): Dataset {
  const shape = [K * T, ...rowShape];
  const rowElements = shapeSize(rowShape);
  if (K * T === 0 || rowElements === 0) return parent.create_dataset({ name, data: empty, shape });
  const trialsPerChunk = Math.max(1, Math.min(K, Math.floor(CHUNK_TARGET_BYTES / (T * rowElements * empty.BYTES_PER_ELEMENT))));
  const d = parent.create_dataset({ name, data: empty, shape: [0, ...rowShape], maxshape: shape, chunks: [trialsPerChunk * T, ...rowShape] });
  d.resize(shape);
  const rest = rowShape.map((n): [number, number] => [0, n]);
  for (let k = 0; k < K; k++) d.write_slice([[k * T, (k + 1) * T], ...rest], trial(k));
  return d;
}

/**
 * Write the run as an NWB file (`run.nwb`) plus its hidden-state cube [trials, times, units] as
 * `hidden.npy` into `outDir`. The file is built under a temporary name and renamed when complete, so a
 * failure never leaves a partial file. Per-time-step arrays are read from the run a trial at a time and
 * written as chunked datasets, and hidden.npy is copied in chunks: memory does not grow with the run's
 * length (the trials table and the arrays without a trial-time axis are read whole). Every file's
 * SHA-256 is checked against the run's manifest. Returns the paths written.
 */
export async function exportNwb(run: RunMeta, outDir: string, options: NwbExportOptions = {}): Promise<string[]> {
  const entries = run.manifest.arrays;
  const series = entries.filter((a) => a.axes[0] === TRIAL_AXIS && a.axes[1] === TIME_AXIS).map(planSeries);
  const perTrial = entries.filter((a) => a.axes[0] === TRIAL_AXIS && a.axes[1] !== TIME_AXIS);
  const scratch = entries.filter((a) => a.axes[0] !== TRIAL_AXIS && a.name !== TIMES_ARRAY);
  const columns = withRunArrays(run, perTrial.map((e) => e.name), (arrays) => trialColumns(run, arrays));
  const sessionStart = checkIso('session start time', options.sessionStartTime ?? statSync(join(run.dir, 'manifest.json')).mtime.toISOString());
  const created = checkIso('file creation date', options.fileCreateDate ?? new Date().toISOString());
  const identifier = options.identifier ?? randomUUID();

  const K = run.trials.length;
  const T = series.length > 0 ? series[0].array.shape[1] : 0;
  const timesEntry = entries.find((e) => e.name === TIMES_ARRAY);
  const times = timesEntry ? withRunArrays(run, [timesEntry.name], ([a]) => a.readAll()) : undefined;
  const timestamps = (k: number) => Float64Array.from({ length: T }, (_, t) => run.trials[k].start_time + (times ? times[t] : t * run.dt));

  mkdirSync(outDir, { recursive: true });
  const finalPath = resolve(outDir, NWB_FILE);
  const tmpPath = `${finalPath}.${process.pid}.${tmpCounter++}.tmp`;
  // h5wasm (a 4 MB wasm module) is loaded only when an NWB file is written.
  const { default: h5wasm } = await import('h5wasm/node');
  await h5wasm.ready;
  const progress = options.progress ?? (() => {});
  let file: InstanceType<typeof h5wasm.File> | null = null;
  try {
    progress(`nwb: creating ${NWB_FILE} (NWB ${NWB_VERSION})`);
    file = new h5wasm.File(tmpPath, 'w');
    const f = file;
    typed(f, 'NWBFile', 'core');
    f.create_attribute('nwb_version', NWB_VERSION);
    f.create_dataset({ name: 'file_create_date', data: [created], shape: [1], dtype: 'A' });
    text(f, 'identifier', identifier);
    const seed = typeof run.config.seed === 'number' ? `, seed ${run.config.seed}` : '';
    text(
      f,
      'session_description',
      `Closed-loop reaching: a recurrent network drives a simulated two-joint arm (run ${basename(run.dir)}${seed}; ${K} trials of ${T} samples at dt = ${run.dt} s).`,
    );
    f.create_dataset({ name: 'session_start_time', data: sessionStart, dtype: 'A' });
    f.create_dataset({ name: 'timestamps_reference_time', data: sessionStart, dtype: 'A' });
    f.create_group('acquisition');
    f.create_group('analysis');
    const stimulus = f.create_group('stimulus');
    stimulus.create_group('presentation');
    stimulus.create_group('templates');
    const general = f.create_group('general');
    text(general, 'experiment_description', EXPERIMENT_DESCRIPTION);
    text(general, 'session_id', basename(run.dir));
    text(general, 'notes', `Resolved run config (config.json): ${JSON.stringify(run.config)}`);
    const script = text(general, 'source_script', `${PACKAGE_NAME} ${PACKAGE_VERSION}: reach export --format nwb`);
    script.create_attribute('file_name', 'experiments/export/nwb.ts');

    const processing = f.create_group('processing');
    const modules = new Map<string, Group>();
    const containers = new Map<string, Group>();
    for (const s of series) {
      let module = modules.get(s.module);
      if (!module) {
        module = processing.create_group(s.module);
        module.create_attribute('description', MODULE_DESCRIPTIONS[s.module]);
        typed(module, 'ProcessingModule', 'core');
        modules.set(s.module, module);
      }
      let parent = module;
      if (s.container) {
        const key = `${s.module}/${s.container}`;
        let c = containers.get(key);
        if (!c) {
          c = module.create_group(s.container);
          typed(c, s.container, 'core');
          containers.set(key, c);
        }
        parent = c;
      }
      const a = s.array;
      progress(`nwb: /processing/${s.module}/${s.container ? `${s.container}/` : ''}${a.name}`);
      const g = parent.create_group(a.name);
      g.create_attribute('comments', `Trials concatenated in time: row k*${T} + t is trial k (row k of /intervals/trials), sample t. Source array axes: ${a.axes.join(' × ')}.`);
      g.create_attribute('description', a.description);
      typed(g, s.type, 'core');
      const rest = a.shape.slice(2);
      // nwb.base.yaml: TimeSeries data has at most 4 dimensions, time first.
      const rowShape = rest.length <= 3 ? rest : [shapeSize(rest)];
      const data = withRunArrays(run, [a.name], ([rows]) => writeTrialSeries(g, 'data', emptyOf(a.dtype), K, T, rowShape, (k) => rows.read(k, 1)));
      data.create_attribute('conversion', new Float32Array([1]), []);
      data.create_attribute('offset', new Float32Array([0]), []);
      data.create_attribute('resolution', new Float32Array([-1]), []);
      data.create_attribute('unit', nwbUnit(a.unit));
      const ts = writeTrialSeries(g, 'timestamps', new Float64Array(0), K, T, [], timestamps);
      ts.create_attribute('interval', new Int32Array([1]), []);
      ts.create_attribute('unit', 'seconds');
      if (s.type === 'SpatialSeries') text(g, 'reference_frame', HAND_REFERENCE_FRAME);
    }

    progress('nwb: /intervals/trials');
    const table = f.create_group('intervals').create_group('trials');
    table.create_attribute('colnames', columns.map((c) => c.name));
    table.create_attribute('description', 'Reaching trials: targets, conditions, go cues, movement onsets, endpoint errors (times on the session clock, s).');
    typed(table, 'TimeIntervals', 'core');
    const id = table.create_dataset({ name: 'id', data: Int32Array.from(run.trials, (t) => t.trial) });
    typed(id, 'ElementIdentifiers', 'hdmf-common');
    for (const c of columns) {
      const d = table.create_dataset({ name: c.name, data: c.data, shape: c.shape });
      d.create_attribute('description', c.description);
      typed(d, 'VectorData', 'hdmf-common');
    }

    if (scratch.length > 0) {
      const g = f.create_group('scratch');
      for (const a of scratch) {
        progress(`nwb: /scratch/${a.name}`);
        const values = withRunArrays(run, [a.name], ([rows]) => rows.readAll());
        const d = g.create_dataset({ name: a.name, data: values, shape: a.shape });
        d.create_attribute('notes', `${a.description} (${a.unit}; axes ${a.axes.join(' × ') || 'scalar'}).`);
        typed(d, 'ScratchData', 'core');
      }
    }
    progress('nwb: closing');
    f.close();
    file = null;
    renameSync(tmpPath, finalPath);
  } catch (err) {
    if (file) {
      try {
        file.close();
      } catch {
        // The original error matters; a failed close of a file about to be deleted does not.
      }
    }
    rmSync(tmpPath, { force: true });
    throw err;
  }

  const written = [finalPath];
  const hidden = entries.find((e) => e.name === 'hidden');
  if (hidden) {
    const cube = join(outDir, 'hidden.npy');
    copyFileAtomic(join(run.dir, hidden.file), cube, listedSha256(run.dir, hidden.file, hidden.sha256));
    written.push(cube);
  }
  return written;
}
