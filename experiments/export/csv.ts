/**
 * CSV export of a run, and its reader.
 *
 * Layout: WIDE, one row per (trial, time bin), one column per array component, units in the column
 * names: `trial,condition,time_s,hand_position_x_m,hand_position_y_m,…,hidden_0,hidden_1,…`. Every
 * per-time-step array shares the same (trial, time) index, so a row is one observation and a column one
 * variable — tidy in Wickham's sense. A long layout (trial, time, variable, component, value) would
 * repeat the index for each of the hundreds of components, multiply the row count by as much, and
 * pandas/R users would pivot it back to this shape before any analysis. CSV has no metadata, so the unit
 * goes into the name (`_m`, `_rad_per_s`, `_N_m`; none for a.u.).
 *
 * Files: data.csv (arrays with axes [trials, times, …]; `time_s` is from trial start), trials.csv (one
 * row per trial: the trial records plus arrays with axes [trials, …]), `<name>.csv` in long form
 * (one index column per axis, then the value) for any other array, and manifest.json mapping every
 * array to its columns so that `readCsvExport` rebuilds the arrays exactly.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shapeSize, type NpyDtype } from '../../core/npy.ts';
import { createStreamWriter, readJsonFile, writeJsonAtomic } from '../io/files.ts';
import { TIME_AXIS, TIMES_ARRAY, TRIAL_AXIS, withRunArrays, type RunArray, type RunArrayEntry, type RunMeta, type RunTypedArray, type TrialRecord } from '../run-dir.ts';
import type { ExportOptions } from './types.ts';

export const CSV_EXPORT_FORMAT = 'reach-export-csv';
export const CSV_EXPORT_VERSION = 2;
export const DATA_FILE = 'data.csv';
export const TRIALS_FILE = 'trials.csv';
export const TIME_COLUMN = 'time_s';

/** Where an array's values live in the CSV export. */
export interface CsvPlacement {
  file: string;
  /** `series`: data.csv components; `time`: the time column of data.csv; `trial`: trials.csv components; `long`: its own file. */
  layout: 'series' | 'time' | 'trial' | 'long';
  /** The array's columns (for `long`: one index column per axis, then the value column). */
  columns: string[];
}

export interface CsvManifest {
  format: typeof CSV_EXPORT_FORMAT;
  version: typeof CSV_EXPORT_VERSION;
  source: string;
  dt: number;
  /** SHA-256 (hex) of each CSV file, by file name: readers refuse a file that is not the one written. */
  sha256: Record<string, string>;
  arrays: Array<RunArrayEntry & { csv: CsvPlacement }>;
}

const TRIAL_COLUMNS = [
  'trial',
  'condition',
  'catch',
  'target_x_m',
  'target_y_m',
  'start_x_m',
  'start_y_m',
  'target_angle_rad',
  'go_time_s',
  'movement_onset_s',
  'endpoint_error_m',
  'start_time_s',
  'stop_time_s',
];

/**
 * Column-name suffix for a unit: `m_per_s` for m/s, `N_m` for N·m; '' for dimensionless and for a
 * phrase rather than a symbol (e.g. "mixed (see columns)"), which would only garble the name.
 */
export function unitSlug(unit: string): string {
  const u = unit.trim();
  if (u === '' || u === 'a.u.' || u === '1' || /\s/.test(u)) return '';
  return u
    .replace(/²/g, '2')
    .replace(/³/g, '3')
    .replace(/\^/g, '')
    .replace(/\//g, '_per_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function labelSlug(label: string): string {
  return label.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * Column names of the components of an array whose leading `lead` axes index rows: row-major over the
 * remaining axes, the last axis labelled by `columns` when given.
 */
function componentColumns(a: Pick<RunArrayEntry, 'name' | 'shape' | 'unit' | 'columns'>, lead: number): string[] {
  const rest = a.shape.slice(lead);
  const suffix = unitSlug(a.unit);
  const n = shapeSize(rest);
  const names: string[] = [];
  for (let flat = 0; flat < n; flat++) {
    const parts: string[] = [];
    let r = flat;
    const idx = new Array<number>(rest.length);
    for (let k = rest.length - 1; k >= 0; k--) {
      idx[k] = r % rest[k];
      r = Math.floor(r / rest[k]);
    }
    idx.forEach((i, k) => {
      const label = k === rest.length - 1 && a.columns ? labelSlug(a.columns[i]) : '';
      parts.push(label === '' ? String(i) : label);
    });
    names.push([a.name, ...parts, suffix].filter((s) => s !== '').join('_'));
  }
  return names;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * |x| (> 0) rounded to `digits` significant digits, its leading digit at 10^e: the nearest float64 to
 * that decimal, by exact powers of ten where they exist (≤ 10^22), else by toPrecision. Halves round
 * away from zero, as toPrecision does.
 */
function roundedMagnitude(ax: number, digits: number, e: number): number {
  const k = digits - 1 - e;
  if (Math.abs(k) > 22) return Number(ax.toPrecision(digits));
  return k >= 0 ? Math.round(ax * POW10[k]) / POW10[k] : Math.round(ax / POW10[-k]) * POW10[-k];
}

/**
 * Shortest decimal that reads back as the same float32 (at most 9 significant digits). The candidates
 * are made by arithmetic rather than toPrecision, which took most of a CSV export's time; the result is
 * checked to read back, with toPrecision(9) as the fallback.
 */
function formatFloat32(x: number): string {
  const ax = Math.abs(x);
  const e = Math.floor(Math.log10(ax));
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(roundedMagnitude(ax, mid, e)) === ax) hi = mid;
    else lo = mid + 1;
  }
  const m = roundedMagnitude(ax, lo, e);
  return Math.fround(m) === ax ? String(x < 0 ? -m : m) : String(Number(x.toPrecision(9)));
}

/** A value as CSV text that parses back to the same number (NaN, inf, -inf and -0 included). */
export function formatValue(x: number, dtype: NpyDtype): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return dtype === 'float32' ? formatFloat32(x) : String(x);
}

/** Parse a CSV number written by `formatValue` (also accepts `Infinity`, `nan`). */
export function parseValue(text: string, where: string): number {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new Error(`${where}: '${text}' is not a number`);
  return v;
}

function optional(x: number | null): string {
  return x === null ? '' : formatValue(x, 'float64');
}

interface Plan {
  series: RunArrayEntry[];
  perTrial: RunArrayEntry[];
  times: RunArrayEntry | undefined;
  long: RunArrayEntry[];
  placements: Map<string, CsvPlacement>;
}

function plan(run: RunMeta): Plan {
  const entries = run.manifest.arrays;
  const T = entries.find((a) => a.axes[0] === TRIAL_AXIS && a.axes[1] === TIME_AXIS)?.shape[1];
  const series: RunArrayEntry[] = [];
  const perTrial: RunArrayEntry[] = [];
  const long: RunArrayEntry[] = [];
  let times: RunArrayEntry | undefined;
  const placements = new Map<string, CsvPlacement>();
  for (const a of entries) {
    if (a.axes[0] === TRIAL_AXIS && a.axes[1] === TIME_AXIS) {
      series.push(a);
      placements.set(a.name, { file: DATA_FILE, layout: 'series', columns: componentColumns(a, 2) });
    } else if (a.axes[0] === TRIAL_AXIS) {
      perTrial.push(a);
      placements.set(a.name, { file: TRIALS_FILE, layout: 'trial', columns: componentColumns(a, 1) });
    } else if (a.name === TIMES_ARRAY && T !== undefined && run.trials.length > 0) {
      // The time column holds these values on every trial's rows; with no rows they go to their own file.
      times = a;
      placements.set(a.name, { file: DATA_FILE, layout: 'time', columns: [TIME_COLUMN] });
    } else {
      long.push(a);
      const index = a.axes.map((axis, k) => (a.axes.indexOf(axis) === k ? labelSlug(axis) || `axis${k}` : `${labelSlug(axis)}_${k}`));
      const value = ['value', unitSlug(a.unit)].filter((s) => s !== '').join('_');
      placements.set(a.name, { file: `${a.name}.csv`, layout: 'long', columns: [...index, value] });
    }
  }
  const check = (file: string, fixed: string[]) => {
    const seen = new Set(fixed);
    for (const [name, p] of placements) {
      if (p.file !== file || p.layout === 'time') continue;
      for (const c of p.columns) {
        if (seen.has(c)) throw new Error(`CSV export: column '${c}' of array '${name}' clashes with another column of ${file}; rename the array`);
        seen.add(c);
      }
    }
  };
  check(DATA_FILE, ['trial', 'condition', TIME_COLUMN]);
  check(TRIALS_FILE, TRIAL_COLUMNS);
  return { series, perTrial, times, long, placements };
}

/**
 * Write one CSV table row by row in bounded memory (a run of any length streams through), to a temp
 * name renamed into place when complete. Returns the SHA-256 of the file.
 */
function streamTable(path: string, header: string[], fill: (row: (cells: string[]) => void) => void): string {
  const w = createStreamWriter(path);
  try {
    w.write(header.join(',') + '\n');
    fill((cells) => w.write(cells.join(',') + '\n'));
    return w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/**
 * Write the CSV export of a run into `outDir`; returns the paths written (manifest.json last). Arrays
 * are read from the run's files a trial at a time (each file's SHA-256 checked first in a streaming
 * pass) and rows written through a bounded buffer, so memory does not grow with the run's length.
 */
export function exportCsv(run: RunMeta, outDir: string, options: ExportOptions = {}): string[] {
  const p = plan(run);
  const written: string[] = [];
  const sha256: Record<string, string> = {};
  const K = run.trials.length;

  if (p.series.length > 0) {
    options.progress?.(`csv: ${DATA_FILE}`);
    const T = p.series[0].shape[1];
    const header = ['trial', 'condition', TIME_COLUMN];
    for (const a of p.series) header.push(...(p.placements.get(a.name) as CsvPlacement).columns);
    const path = join(outDir, DATA_FILE);
    const times = p.times ? withRunArrays(run, [p.times.name], ([a]) => a.readAll()) : Float64Array.from({ length: T }, (_, t) => t * run.dt);
    const timeCells = Array.from(times, (x) => formatValue(x, 'float64'));
    sha256[DATA_FILE] = withRunArrays(run, p.series.map((e) => e.name), (arrays) =>
      streamTable(path, header, (emit) => {
        const row: string[] = [];
        for (let k = 0; k < K; k++) {
          const tr = run.trials[k];
          const blocks = arrays.map((a) => a.read(k, 1));
          for (let t = 0; t < T; t++) {
            row.length = 0;
            row.push(String(tr.trial), String(tr.condition), timeCells[t]);
            arrays.forEach((a, j) => {
              const C = a.rowSize / T;
              const block = blocks[j];
              for (let c = t * C; c < (t + 1) * C; c++) row.push(formatValue(block[c], a.dtype));
            });
            emit(row);
          }
        }
      }),
    );
    written.push(path);
  }

  options.progress?.(`csv: ${TRIALS_FILE}`);
  const header = [...TRIAL_COLUMNS];
  for (const a of p.perTrial) header.push(...(p.placements.get(a.name) as CsvPlacement).columns);
  const trialsPath = join(outDir, TRIALS_FILE);
  sha256[TRIALS_FILE] = withRunArrays(run, p.perTrial.map((e) => e.name), (arrays) =>
    streamTable(trialsPath, header, (emit) =>
      run.trials.forEach((tr, k) => {
        const row = [
          String(tr.trial),
          String(tr.condition),
          String(tr.catch),
          formatValue(tr.target[0], 'float64'),
          formatValue(tr.target[1], 'float64'),
          formatValue(tr.start[0], 'float64'),
          formatValue(tr.start[1], 'float64'),
          formatValue(tr.target_angle, 'float64'),
          optional(tr.go_time),
          optional(tr.movement_onset),
          optional(tr.endpoint_error),
          formatValue(tr.start_time, 'float64'),
          formatValue(tr.stop_time, 'float64'),
        ];
        for (const a of arrays) for (const x of a.read(k, 1)) row.push(formatValue(x, a.dtype));
        emit(row);
      }),
    ),
  );
  written.push(trialsPath);

  for (const e of p.long) {
    const placement = p.placements.get(e.name) as CsvPlacement;
    options.progress?.(`csv: ${placement.file}`);
    const path = join(outDir, placement.file);
    sha256[placement.file] = withRunArrays(run, [e.name], ([a]) =>
      streamTable(path, placement.columns, (emit) => {
        // Row by row along the first axis (the whole of a 0-d array), the other indices counted alongside.
        const rows = e.shape.length === 0 ? 1 : e.shape[0];
        const idx = new Array<number>(e.shape.length).fill(0);
        for (let r = 0; r < rows; r++) {
          for (const x of e.shape.length === 0 ? a.readAll() : a.read(r, 1)) {
            emit([...idx.map(String), formatValue(x, a.dtype)]);
            for (let k = idx.length - 1; k >= 0; k--) {
              if (++idx[k] < e.shape[k]) break;
              idx[k] = 0;
            }
          }
        }
      }),
    );
    written.push(path);
  }

  const manifest: CsvManifest = {
    format: CSV_EXPORT_FORMAT,
    version: CSV_EXPORT_VERSION,
    source: run.dir,
    dt: run.dt,
    sha256,
    arrays: run.manifest.arrays.map((e) => ({ ...e, csv: p.placements.get(e.name) as CsvPlacement })),
  };
  const manifestPath = join(outDir, 'manifest.json');
  writeJsonAtomic(manifestPath, manifest);
  written.push(manifestPath);
  return written;
}

interface Table {
  path: string;
  header: string[];
  rows: string[][];
}

function readTable(path: string, sha256: string | undefined): Table {
  if (!existsSync(path)) throw new Error(`${path} is missing`);
  const bytes = readFileSync(path);
  if (sha256 === undefined || createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new Error(`${path} does not belong to the export's manifest.json (${sha256 === undefined ? 'not listed' : 'its SHA-256 differs from the one listed'})`);
  }
  const lines = bytes.toString('utf8').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${path} is empty (no header line)`);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(',');
    if (cells.length !== header.length) throw new Error(`${path}: line ${i + 2} has ${cells.length} fields, the header has ${header.length}`);
    return cells;
  });
  return { path, header, rows };
}

function column(table: Table, name: string): string[] {
  const j = table.header.indexOf(name);
  if (j < 0) throw new Error(`${table.path}: column '${name}' is missing`);
  return table.rows.map((r) => r[j]);
}

function allocate(dtype: NpyDtype, n: number): RunTypedArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'float64' ? new Float64Array(n) : new Int32Array(n);
}

/** Read a CSV export back into arrays and trial records (the inverse of `exportCsv`). */
export function readCsvExport(dir: string): { dt: number; arrays: RunArray[]; trials: TrialRecord[] } {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = readJsonFile(manifestPath) as CsvManifest;
  if (manifest?.format !== CSV_EXPORT_FORMAT) throw new Error(`${manifestPath}: not a CSV export manifest (format '${String(manifest?.format)}')`);
  const version: unknown = manifest.version;
  if (version !== CSV_EXPORT_VERSION) throw new Error(`${manifestPath}: CSV export version ${JSON.stringify(version)}; this program reads version ${CSV_EXPORT_VERSION} (export the run again)`);
  const tables = new Map<string, Table>();
  const table = (file: string) => {
    if (!tables.has(file)) tables.set(file, readTable(join(dir, file), manifest.sha256?.[file]));
    return tables.get(file) as Table;
  };

  const trialsTable = table(TRIALS_FILE);
  const num = (name: string) => column(trialsTable, name).map((s, i) => parseValue(s, `${trialsTable.path} row ${i + 2} ${name}`));
  const opt = (name: string) => column(trialsTable, name).map((s, i) => (s === '' ? null : parseValue(s, `${trialsTable.path} row ${i + 2} ${name}`)));
  const [trial, condition, tx, ty, sx, sy, angle, start, stop] = ['trial', 'condition', 'target_x_m', 'target_y_m', 'start_x_m', 'start_y_m', 'target_angle_rad', 'start_time_s', 'stop_time_s'].map(num);
  const [go, onset, err] = ['go_time_s', 'movement_onset_s', 'endpoint_error_m'].map(opt);
  const isCatch = column(trialsTable, 'catch');
  const trials: TrialRecord[] = trial.map((id, k) => ({
    trial: id,
    condition: condition[k],
    target: [tx[k], ty[k]],
    start: [sx[k], sy[k]],
    target_angle: angle[k],
    go_time: go[k],
    movement_onset: onset[k],
    endpoint_error: err[k],
    catch: isCatch[k] === 'true',
    start_time: start[k],
    stop_time: stop[k],
  }));

  const arrays = manifest.arrays.map((e): RunArray => {
    const t = table(e.csv.file);
    const n = shapeSize(e.shape);
    const data = allocate(e.dtype, n);
    const cols = e.csv.columns.map((c) => column(t, c));
    const at = (c: number, r: number) => parseValue(cols[c][r], `${t.path} row ${r + 2} ${e.csv.columns[c]}`);
    if (e.csv.layout === 'series' || e.csv.layout === 'trial') {
      const rows = e.csv.layout === 'series' ? e.shape[0] * e.shape[1] : e.shape[0];
      if (t.rows.length !== rows) throw new Error(`${t.path}: ${t.rows.length} rows, array '${e.name}' needs ${rows}`);
      const C = cols.length;
      for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) data[r * C + c] = at(c, r);
    } else if (e.csv.layout === 'time') {
      for (let r = 0; r < n; r++) data[r] = at(0, r);
    } else {
      if (t.rows.length !== n) throw new Error(`${t.path}: ${t.rows.length} rows, array '${e.name}' needs ${n}`);
      for (let r = 0; r < n; r++) data[r] = at(cols.length - 1, r);
    }
    return {
      name: e.name,
      data,
      shape: e.shape,
      unit: e.unit,
      axes: e.axes,
      description: e.description,
      ...(e.columns ? { columns: e.columns } : {}),
    };
  });
  return { dt: manifest.dt, arrays, trials };
}
