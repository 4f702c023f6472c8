/**
 * Activity a user brings to `reach analyze --input`: a `[conditions, times, units]` cube from
 *   - `.npy` (float32/float64, any NumPy header version);
 *   - a long CSV with header `condition,time,unit,value` (time in s; one row per cell of the cube;
 *     conditions and units may be numbers or names, numbers sort numerically, names keep their order);
 *   - this project's CSV export (`data.csv`, or the folder holding it): the `hidden_*` columns, averaged
 *     over the trials of each condition at each `time_s`.
 * CSV files are read line by line, so their size is bounded by the cube, not by the text.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { formatShape, type NpyDtype } from '../../core/npy.ts';
import { readNpyFile } from './files.ts';

export interface ActivityInput {
  /** Row-major `[conditions, times, units]`. */
  data: Float32Array | Float64Array | Int32Array;
  shape: [number, number, number];
  dtype: NpyDtype | 'csv';
  /** Bin times (s) when the file carries them (CSV). */
  times?: Float64Array;
  /** Condition labels when the file names them (CSV). */
  conditions?: string[];
  /** Unit labels when the file names them (CSV). */
  units?: string[];
}

/** Call `fn` on every line of a text file (without its line ending), reading 1 MB at a time. */
export function forEachLine(path: string, fn: (line: string, lineNumber: number) => void): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  const decoder = new TextDecoder();
  let rest = '';
  let n = 0;
  try {
    for (let got = readSync(fd, buf); got > 0; got = readSync(fd, buf)) {
      const lines = (rest + decoder.decode(buf.subarray(0, got), { stream: true })).split('\n');
      rest = lines.pop() as string;
      for (const l of lines) fn(l.endsWith('\r') ? l.slice(0, -1) : l, ++n);
    }
    rest += decoder.decode();
    if (rest !== '') fn(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++n);
  } finally {
    closeSync(fd);
  }
}

/** The first line of a text file, read a chunk at a time until its end. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 16);
  const chunks: Buffer[] = [];
  try {
    for (let got = readSync(fd, buf); got > 0; got = readSync(fd, buf)) {
      const chunk = buf.subarray(0, got);
      const end = chunk.indexOf(10);
      chunks.push(Buffer.from(end >= 0 ? chunk.subarray(0, end) : chunk));
      if (end >= 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
}

/** Labels in a stable order: numerically when every label is a number, else in order of appearance. */
function ordered(labels: Map<string, number>): string[] {
  const keys = [...labels.keys()];
  return keys.every((k) => k.trim() !== '' && Number.isFinite(Number(k))) ? keys.sort((a, b) => Number(a) - Number(b)) : keys;
}

function num(text: string, where: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new Error(`${where}: '${text}' is not a finite number`);
  return v;
}

/** A long table `condition,time,unit,value`: every (condition, time, unit) exactly once. */
function readLongCsv(path: string): ActivityInput {
  const conditions = new Map<string, number>();
  const times = new Map<string, number>();
  const units = new Map<string, number>();
  const cells = new Map<string, number>();
  forEachLine(path, (line, i) => {
    if (i === 1 || line === '') return;
    const parts = line.split(',');
    if (parts.length !== 4) throw new Error(`${path}: line ${i} has ${parts.length} fields, the header condition,time,unit,value has 4`);
    const [c, t, u, v] = parts.map((p) => p.trim());
    const key = `${c}\u0000${Number(num(t, `${path} line ${i} time`))}\u0000${u}`;
    if (cells.has(key)) throw new Error(`${path}: line ${i} repeats condition ${c}, time ${t}, unit ${u}`);
    cells.set(key, num(v, `${path} line ${i} value`));
    if (!conditions.has(c)) conditions.set(c, conditions.size);
    if (!times.has(String(Number(t)))) times.set(String(Number(t)), times.size);
    if (!units.has(u)) units.set(u, units.size);
  });
  const C = ordered(conditions);
  const T = [...times.keys()].sort((a, b) => Number(a) - Number(b));
  const U = ordered(units);
  const data = new Float64Array(C.length * T.length * U.length);
  C.forEach((c, ci) =>
    T.forEach((t, ti) =>
      U.forEach((u, ui) => {
        const v = cells.get(`${c}\u0000${t}\u0000${u}`);
        if (v === undefined) throw new Error(`${path}: no value for condition ${c}, time ${t}, unit ${u} (a long table needs every cell of the [conditions, times, units] cube)`);
        data[(ci * T.length + ti) * U.length + ui] = v;
      }),
    ),
  );
  return { data, shape: [C.length, T.length, U.length], dtype: 'csv', times: Float64Array.from(T, Number), conditions: C, units: U };
}

/** The dtype of array `name` as the export's manifest.json beside `path` records it, if there is one. */
function exportDtype(path: string, name: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(path), 'manifest.json'), 'utf8')) as { arrays?: Array<{ name?: string; dtype?: string }> };
    return manifest.arrays?.find((a) => a.name === name)?.dtype;
  } catch {
    return undefined;
  }
}

/** The project's CSV export: `hidden_*` columns averaged over the trials of each condition, per time_s. */
function readExportCsv(path: string, header: string[]): ActivityInput {
  const ci = header.indexOf('condition');
  const ti = header.indexOf('time_s');
  const unitCols = header.map((h, j) => (/^hidden_\d+$/.test(h) ? j : -1)).filter((j) => j >= 0);
  if (ci < 0 || ti < 0 || unitCols.length === 0) throw new Error(`${path}: a reach CSV export needs the columns condition, time_s and hidden_0, hidden_1, …`);
  const U = unitCols.length;
  // Values print as the shortest decimal of their dtype: read float32 ones back to the same float32.
  const round = exportDtype(path, 'hidden') === 'float32' ? Math.fround : (v: number) => v;
  const conditions = new Map<string, number>();
  const times = new Map<string, number>();
  const sums = new Map<string, Float64Array>();
  const counts = new Map<string, number>();
  forEachLine(path, (line, i) => {
    if (i === 1 || line === '') return;
    const parts = line.split(',');
    if (parts.length !== header.length) throw new Error(`${path}: line ${i} has ${parts.length} fields, the header has ${header.length}`);
    const c = parts[ci];
    const t = String(num(parts[ti], `${path} line ${i} time_s`));
    if (!conditions.has(c)) conditions.set(c, conditions.size);
    if (!times.has(t)) times.set(t, times.size);
    const key = `${c}\u0000${t}`;
    let s = sums.get(key);
    if (!s) sums.set(key, (s = new Float64Array(U)));
    for (let u = 0; u < U; u++) s[u] += round(num(parts[unitCols[u]], `${path} line ${i} ${header[unitCols[u]]}`));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const C = ordered(conditions);
  const T = [...times.keys()].sort((a, b) => Number(a) - Number(b));
  const data = new Float64Array(C.length * T.length * U);
  C.forEach((c, k) =>
    T.forEach((t, j) => {
      const key = `${c}\u0000${t}`;
      const s = sums.get(key);
      if (!s) throw new Error(`${path}: condition ${c} has no row at time ${t} s`);
      const n = counts.get(key) as number;
      for (let u = 0; u < U; u++) data[(k * T.length + j) * U + u] = s[u] / n;
    }),
  );
  return { data, shape: [C.length, T.length, U], dtype: 'csv', times: Float64Array.from(T, Number), conditions: C, units: unitCols.map((j) => header[j]) };
}

/** Read a `[conditions, times, units]` activity cube from `.npy`, a long CSV or a reach CSV export. */
export function readActivity(path: string): ActivityInput {
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (existsSync(join(path, 'data.csv'))) return readActivity(join(path, 'data.csv'));
    throw new Error(`${path} is a folder without data.csv; give a .npy file, a long CSV (condition,time,unit,value) or a reach CSV export`);
  }
  if (extname(path).toLowerCase() === '.csv') {
    if (!existsSync(path)) throw new Error(`cannot read ${path}: ENOENT`);
    const header = firstLine(path).split(',').map((h) => h.trim());
    if (header.join(',') === 'condition,time,unit,value') return readLongCsv(path);
    if (header[0] === 'trial' && header.includes('time_s')) return readExportCsv(path, header);
    throw new Error(`${path}: a CSV input must be a long table with header condition,time,unit,value, or data.csv of a reach CSV export; its header is '${header.slice(0, 5).join(',')}${header.length > 5 ? ',…' : ''}'`);
  }
  const npy = readNpyFile(path);
  if (npy.shape.length !== 3) throw new Error(`${path}: input must be 3-D [conditions, times, units], got shape ${formatShape(npy.shape)}`);
  return { data: npy.data, shape: npy.shape as [number, number, number], dtype: npy.dtype };
}
