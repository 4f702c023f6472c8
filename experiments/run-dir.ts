/**
 * Run directories: the one on-disk definition of a closed-loop run, shared by `reach run` (writer) and
 * every reader (exports, report, analysis).
 *
 *   config.json     the resolved run config (free-form object)
 *   manifest.json   { format: "reach-run", version: 2, dt, trialsSha256, configSha256,
 *                     arrays: [{ name, file, dtype, shape, unit, axes, description, columns?, sha256 }] }
 *   <name>.npy      one file per array, C order
 *   trials.json     one TrialRecord per trial
 *
 * Axes are named; two arrays that use the same axis name must agree on its length, and an axis named
 * `trials` has one entry per trial record. Per-time-step arrays are `[trials, times, …]` with `times`
 * (s, from trial start) holding the sample times. The manifest holds the SHA-256 of every file it lists,
 * and readers check them: a file left from another run (or half-written) is refused, not mixed in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeNpy, encodeNpy, formatShape, NpyError, shapeSize, type NpyDtype } from '../core/npy.ts';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './io/files.ts';
import { openNpyRows, type NpyRows } from './io/npy-rows.ts';

export const RUN_FORMAT = 'reach-run';
/** Version of the run-directory layout this program reads and writes. */
export const RUN_FORMAT_VERSION = 2;
/** Axis name of the trial index. */
export const TRIAL_AXIS = 'trials';
/** Axis name of the within-trial time index. */
export const TIME_AXIS = 'times';
/** Name of the array holding the sample times (s, from trial start), axes `[times]`. */
export const TIMES_ARRAY = 'times';

/** The element types a run array may have (the .npy dtypes float32, float64, int32). */
export type RunTypedArray = Float32Array | Float64Array | Int32Array;

/** One array of a run, in memory. */
export interface RunArray {
  /** Array name, also the file stem: a letter, then letters, digits or underscores. */
  name: string;
  /** Row-major values. */
  data: RunTypedArray;
  /** Length of each axis. */
  shape: number[];
  /** Unit of every element (SI symbol, or "a.u."). */
  unit: string;
  /** One name per axis, e.g. ["trials", "times", "units"]. */
  axes: string[];
  /** What the array holds. */
  description: string;
  /** Optional labels along the last axis (e.g. ["x", "y"], ["shoulder", "elbow"]); used to name CSV columns. */
  columns?: string[];
}

/** A manifest entry: an array's metadata and the file that holds it. */
export interface RunArrayEntry {
  name: string;
  file: string;
  dtype: NpyDtype;
  shape: number[];
  unit: string;
  axes: string[];
  description: string;
  columns?: string[];
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
}

/** manifest.json of a run directory: control step (s) and every array file with its shape, unit, axes and SHA-256. */
export interface RunManifest {
  format: typeof RUN_FORMAT;
  version: typeof RUN_FORMAT_VERSION;
  /** Control step (s). */
  dt: number;
  /** SHA-256 (hex) of trials.json and of config.json. */
  trialsSha256: string;
  configSha256: string;
  arrays: RunArrayEntry[];
}

/**
 * One trial. `start_time`/`stop_time` are on the session clock (s); `go_time` and `movement_onset`
 * are from trial start (s), the clock of the `times` array.
 */
export interface TrialRecord {
  /** Trial id (unique). */
  trial: number;
  /** Condition index (e.g. center-out target), −1 when none. */
  condition: number;
  /** Target hand position [x, y] (m). */
  target: [number, number];
  /** Start hand position [x, y] (m). */
  start: [number, number];
  /** Direction from start to target (rad, from +x). */
  target_angle: number;
  /** Go cue time from trial start (s); null on catch trials. */
  go_time: number | null;
  /** Movement onset from trial start (s); null when the hand never moved. */
  movement_onset: number | null;
  /** Distance from hand to target at the end of the trial (m); null when not defined. */
  endpoint_error: number | null;
  /** True on catch trials (no go cue). */
  catch: boolean;
  /** Trial start on the session clock (s). */
  start_time: number;
  /** Trial end on the session clock (s). */
  stop_time: number;
}

/** What `writeRunDir` needs. */
export interface RunContents {
  /** Resolved run config, written back verbatim as config.json. */
  config: Record<string, unknown>;
  /** Control step (s). */
  dt: number;
  arrays: RunArray[];
  trials: TrialRecord[];
}

/**
 * A run read from disk without its arrays (manifest, trial records, config, all checked): what a reader
 * needs to stream the arrays with `openRunArray`, in memory that does not grow with the run's length.
 */
export interface RunMeta {
  /** The directory it was read from. */
  dir: string;
  manifest: RunManifest;
  /** Control step (s). */
  dt: number;
  config: Record<string, unknown>;
  trials: TrialRecord[];
}

/** A run read from disk: arrays in manifest order, and the same arrays keyed by name. */
export interface RunData extends RunMeta, RunContents {
  arrays: RunArray[];
  byName: Record<string, RunArray>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
// zod 4 numbers reject NaN and ±Infinity.
const finite = z.number();
const point = z.tuple([finite, finite]);

const entrySchema = z
  .strictObject({
    name: z.string().regex(NAME, 'must start with a letter and hold only letters, digits and underscores'),
    file: z.string().regex(/^[A-Za-z0-9_.-]+\.npy$/, 'must be a plain file name ending in .npy (no folders)'),
    dtype: z.enum(['float32', 'float64', 'int32']),
    shape: z.array(z.number().int().min(0)),
    unit: z.string(),
    axes: z.array(z.string().min(1)),
    description: z.string(),
    columns: z.array(z.string().min(1)).optional(),
    sha256: SHA256,
  })
  .refine((e) => e.axes.length === e.shape.length, { message: 'axes must name every dimension of shape', path: ['axes'] })
  .refine((e) => !e.columns || (e.shape.length > 0 && e.columns.length === e.shape[e.shape.length - 1]), {
    message: 'columns must label every entry of the last axis',
    path: ['columns'],
  });

const manifestSchema = z.strictObject({
  format: z.literal(RUN_FORMAT),
  version: z.literal(RUN_FORMAT_VERSION),
  dt: z.number().positive(),
  trialsSha256: SHA256,
  configSha256: SHA256,
  arrays: z.array(entrySchema),
});

const trialSchema = z
  .strictObject({
    trial: z.number().int(),
    condition: z.number().int(),
    target: point,
    start: point,
    target_angle: finite,
    go_time: finite.nullable(),
    movement_onset: finite.nullable(),
    endpoint_error: finite.nullable(),
    catch: z.boolean(),
    start_time: finite,
    stop_time: finite,
  })
  .refine((t) => t.stop_time >= t.start_time, { message: 'stop_time must not precede start_time', path: ['stop_time'] });

const trialsSchema = z.array(trialSchema);

const issues = (error: z.ZodError) => formatIssues(error);

/** The `.npy` dtype of a typed array. */
export function dtypeOf(data: RunTypedArray): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * Check names, axis lengths and the trial count across arrays (same rules for writer and reader);
 * `where` names the run directory in messages.
 */
function checkConsistency(entries: Array<{ name: string; shape: number[]; axes: string[] }>, trialCount: number, where: string): void {
  const seen = new Set<string>();
  const axisLength = new Map<string, { length: number; array: string }>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new Error(`${where}: array name '${e.name}' appears twice`);
    seen.add(e.name);
    e.axes.forEach((axis, k) => {
      const length = e.shape[k];
      if (axis === TRIAL_AXIS && length !== trialCount) {
        throw new Error(`${where}: array '${e.name}' has ${length} entries on its '${TRIAL_AXIS}' axis but there are ${trialCount} trial records`);
      }
      const prior = axisLength.get(axis);
      if (prior && prior.length !== length) {
        throw new Error(`${where}: axis '${axis}' has length ${prior.length} in '${prior.array}' but ${length} in '${e.name}'`);
      }
      if (!prior) axisLength.set(axis, { length, array: e.name });
    });
  }
  const times = entries.find((e) => e.name === TIMES_ARRAY);
  if (times && (times.axes.length !== 1 || times.axes[0] !== TIME_AXIS)) {
    throw new Error(`${where}: array '${TIMES_ARRAY}' must have axes ['${TIME_AXIS}'], got [${times.axes.join(', ')}]`);
  }
}

function checkTrials(trials: unknown, where: string): TrialRecord[] {
  const parsed = trialsSchema.safeParse(trials, KEY_HINTS);
  if (!parsed.success) throw new Error(`${where}: invalid trial records: ${issues(parsed.error)}`);
  const ids = new Set<number>();
  for (const t of parsed.data) {
    if (ids.has(t.trial)) throw new Error(`${where}: trial id ${t.trial} appears twice`);
    ids.add(t.trial);
  }
  return parsed.data;
}

/**
 * Write a run directory: every array as `<name>.npy`, then trials.json, config.json and, last,
 * manifest.json, each atomically. Everything is validated before the first write, so bad input writes
 * nothing. Returns the manifest.
 */
export function writeRunDir(dir: string, run: RunContents): RunManifest {
  const where = `run ${dir}`;
  if (!Number.isFinite(run.dt) || run.dt <= 0) throw new Error(`${where}: dt must be a positive number of seconds, got ${run.dt}`);
  if (typeof run.config !== 'object' || run.config === null || Array.isArray(run.config)) {
    throw new Error(`${where}: config must be a plain object`);
  }
  const encoded = run.arrays.map((a) => {
    if (a.data.length !== shapeSize(a.shape)) {
      throw new Error(`${where}: array '${a.name}' has ${a.data.length} values but shape ${formatShape(a.shape)} holds ${shapeSize(a.shape)}`);
    }
    return encodeNpy(a.data, a.shape);
  });
  const entries: RunArrayEntry[] = run.arrays.map((a, i) => {
    const entry: RunArrayEntry = {
      name: a.name,
      file: `${a.name}.npy`,
      dtype: dtypeOf(a.data),
      shape: [...a.shape],
      unit: a.unit,
      axes: [...a.axes],
      description: a.description,
      ...(a.columns ? { columns: [...a.columns] } : {}),
      sha256: sha256(encoded[i]),
    };
    const checked = entrySchema.safeParse(entry, KEY_HINTS);
    if (!checked.success) throw new Error(`${where}: array '${a.name}': ${issues(checked.error)}`);
    return entry;
  });
  const trials = checkTrials(run.trials, where);
  checkConsistency(entries, trials.length, where);
  const trialsText = JSON.stringify(trials, null, 2) + '\n';
  const configText = JSON.stringify(run.config, null, 2) + '\n';
  const manifest: RunManifest = { format: RUN_FORMAT, version: RUN_FORMAT_VERSION, dt: run.dt, trialsSha256: sha256(trialsText), configSha256: sha256(configText), arrays: entries };

  entries.forEach((e, i) => writeFileAtomic(join(dir, e.file), encoded[i]));
  writeFileAtomic(join(dir, 'trials.json'), trialsText);
  writeFileAtomic(join(dir, 'config.json'), configText);
  writeJsonAtomic(join(dir, 'manifest.json'), manifest);
  return manifest;
}

/** A check of a listed file's SHA-256 against the manifest's, throwing with the run directory's wording. */
export function listedSha256(dir: string, file: string, expected: string): (actual: string) => void {
  return (actual) => {
    if (actual !== expected) {
      throw new Error(`${join(dir, file)} does not belong to ${join(dir, 'manifest.json')} (its SHA-256 differs from the one listed): the directory mixes files of different runs or was not written completely; write the run again`);
    }
  };
}

/** The bytes of a file the manifest lists, checked against its SHA-256. */
function readListed(dir: string, file: string, expected: string, what: string): Uint8Array {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path} (${what} in manifest.json) is missing`);
  const bytes = readFileSync(path);
  listedSha256(dir, file, expected)(sha256(bytes));
  return bytes;
}

/** Read and validate the manifest of a run directory; errors name the file. */
export function readRunManifest(dir: string): RunManifest {
  if (!existsSync(dir)) throw new Error(`run directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory (expected a run directory)`);
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${dir} is not a run directory: manifest.json is missing`);
  const raw = readJsonFile(path) as { version?: unknown } | null;
  if (raw && typeof raw === 'object' && raw.version === 1) {
    throw new Error(`${path}: run manifest version 1 (written before manifests listed checksums); this program reads version ${RUN_FORMAT_VERSION}: run it again`);
  }
  const parsed = manifestSchema.safeParse(raw, KEY_HINTS);
  if (!parsed.success) throw new Error(`${path}: invalid run manifest: ${issues(parsed.error)}`);
  return parsed.data;
}

/**
 * Read a run directory without its arrays: manifest (zod-validated), trials.json and config.json (each
 * checked against the manifest's SHA-256), and the consistency rules of the writer. Errors name the file.
 */
export function openRunDir(dir: string): RunMeta {
  const manifest = readRunManifest(dir);
  const files = new Set<string>();
  for (const e of manifest.arrays) {
    if (files.has(e.file)) throw new Error(`${join(dir, 'manifest.json')}: file ${e.file} is listed twice`);
    files.add(e.file);
  }
  const text = (file: string, sha: string) => new TextDecoder().decode(readListed(dir, file, sha, file));
  const parseJson = (file: string, sha: string) => {
    const content = text(file, sha);
    try {
      return JSON.parse(content) as unknown;
    } catch (err) {
      throw new Error(`${join(dir, file)} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  };
  const trialsPath = join(dir, 'trials.json');
  const trials = checkTrials(parseJson('trials.json', manifest.trialsSha256), trialsPath);
  checkConsistency(manifest.arrays, trials.length, dir);

  const configPath = join(dir, 'config.json');
  const config = parseJson('config.json', manifest.configSha256);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${configPath}: must hold a JSON object`);
  return { dir, manifest, dt: manifest.dt, config: config as Record<string, unknown>, trials };
}

/** An array of a run opened for reading a block of rows (trials, for `[trials, …]` arrays) at a time. */
export interface RunArrayRows extends NpyRows {
  entry: RunArrayEntry;
}

/**
 * Open the array `name` of a run for streaming: its file's SHA-256 is checked against the manifest in
 * one streaming pass, and its dtype and shape against the manifest's, before any row is read. The
 * caller closes it.
 */
export function openRunArray(run: RunMeta, name: string): RunArrayRows {
  const entry = run.manifest.arrays.find((e) => e.name === name);
  if (!entry) throw new Error(`run ${run.dir} has no array '${name}' (it has: ${run.manifest.arrays.map((e) => e.name).join(', ')})`);
  const path = join(run.dir, entry.file);
  if (!existsSync(path)) throw new Error(`${path} (array '${entry.name}' in manifest.json) is missing`);
  const rows = openNpyRows(path, listedSha256(run.dir, entry.file, entry.sha256));
  try {
    checkAgainstEntry(path, rows, entry);
  } catch (err) {
    rows.close();
    throw err;
  }
  return { ...rows, entry };
}

/** Run `work` with the arrays `names` of a run open for streaming (`openRunArray`); closes them whatever happens. */
export function withRunArrays<R>(run: RunMeta, names: string[], work: (arrays: RunArrayRows[]) => R): R {
  const open: RunArrayRows[] = [];
  try {
    for (const name of names) open.push(openRunArray(run, name));
    return work(open);
  } finally {
    for (const a of open) a.close();
  }
}

function checkAgainstEntry(path: string, npy: { dtype: NpyDtype; shape: number[] }, e: RunArrayEntry): void {
  if (npy.dtype !== e.dtype) throw new Error(`${path}: dtype is ${npy.dtype} but manifest.json says ${e.dtype}`);
  if (npy.shape.length !== e.shape.length || npy.shape.some((d, k) => d !== e.shape[k])) {
    throw new Error(`${path}: shape is ${formatShape(npy.shape)} but manifest.json says ${formatShape(e.shape)}`);
  }
}

/**
 * Read a run directory whole: `openRunDir`, then every listed array (file present, SHA-256, dtype and
 * shape as listed). Errors name the offending file.
 */
export function readRunDir(dir: string): RunData {
  const meta = openRunDir(dir);
  const arrays: RunArray[] = meta.manifest.arrays.map((e) => {
    const path = join(dir, e.file);
    let npy;
    try {
      npy = decodeNpy(readListed(dir, e.file, e.sha256, `array '${e.name}'`));
    } catch (err) {
      if (err instanceof NpyError) throw new NpyError(`${path}: ${err.message}`);
      throw err;
    }
    checkAgainstEntry(path, npy, e);
    return {
      name: e.name,
      data: npy.data,
      shape: npy.shape,
      unit: e.unit,
      axes: e.axes,
      description: e.description,
      ...(e.columns ? { columns: e.columns } : {}),
    };
  });
  const byName: Record<string, RunArray> = {};
  for (const a of arrays) byName[a.name] = a;
  return { ...meta, arrays, byName };
}

/** The array called `name`; throws naming the run and the arrays it does have. */
export function getRunArray(run: RunData, name: string): RunArray {
  const a = run.byName[name];
  if (!a) throw new Error(`run ${run.dir} has no array '${name}' (it has: ${run.arrays.map((x) => x.name).join(', ')})`);
  return a;
}
