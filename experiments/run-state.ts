/**
 * Which part of a recorded network state an analysis reads. Every cell records its output h (run array
 * `hidden`); cells with a larger state record its other blocks too (the LSTM's cell state c as
 * `cell_state`), named by the cell's `stateParts` (model/cells/). A selection is a string of part keys:
 * 'h', 'c' or 'hc' (blocks side by side in the cell's order).
 */
import { cellOf, type StatePart } from '../model/cells/index.ts';
import { networkSpecSchema } from '../model/network.ts';
import { getRunArray, type RunData } from './run-dir.ts';

/** A selection of state blocks as one [trials, times, units] array. */
export interface SelectedState {
  /** The selection, e.g. 'hc'. */
  key: string;
  data: Float32Array;
  /** Units per sample (hidden × selected blocks). */
  units: number;
  /** Index of each selected unit in the cell's full state row: [units]. */
  inFullState: number[];
  /** The readout in these coordinates ([outputs, units]): W_out on h's columns, 0 on the others (they reach the torques only through h). */
  readout: Float64Array;
  outputs: number;
}

/** The state blocks a run's controller recorded (h alone when the run names no network). */
export function runStateParts(run: RunData): readonly StatePart[] {
  const network = networkSpecSchema.partial().safeParse((run.config as { network?: unknown }).network ?? {});
  const kind = network.success ? network.data.kind : undefined;
  return kind ? cellOf({ kind }).stateParts : [{ key: 'h', array: 'hidden', description: '' }];
}

/** The blocks `key` selects from the run's arrays; errors name the choices. */
export function selectState(run: RunData, key: string): SelectedState {
  const parts = runStateParts(run);
  const keys = [...key];
  const choices = parts.map((p) => p.key).join(', ');
  if (keys.length === 0 || new Set(keys).size !== keys.length) throw new Error(`state selection '${key}' must name each of ${choices} at most once`);
  const picked = keys.map((k) => {
    const i = parts.findIndex((p) => p.key === k);
    if (i < 0) throw new Error(`state '${k}' is not recorded by this run's controller (its state blocks: ${choices})`);
    return i;
  });
  const blocks = picked.map((i) => getRunArray(run, parts[i].array));
  const [B, T, n] = blocks[0].shape;
  for (const b of blocks) {
    if (b.shape.length !== 3 || b.shape[0] !== B || b.shape[1] !== T || b.shape[2] !== n) throw new Error(`run ${run.dir}: state array ${b.name} must be [${B}, ${T}, ${n}]`);
  }
  const units = n * blocks.length;
  const data = new Float32Array(B * T * units);
  for (let s = 0; s < B * T; s++) blocks.forEach((b, k) => data.set(b.data.subarray(s * n, (s + 1) * n), s * units + k * n));
  const w = getRunArray(run, 'readout_weights');
  if (w.shape.length !== 2 || w.shape[1] !== n) throw new Error(`run ${run.dir}: readout_weights must be [outputs, ${n}], got [${w.shape.join(', ')}]`);
  const outputs = w.shape[0];
  const readout = new Float64Array(outputs * units);
  const hAt = picked.indexOf(0);
  if (hAt >= 0) for (let o = 0; o < outputs; o++) for (let j = 0; j < n; j++) readout[o * units + hAt * n + j] = w.data[o * n + j];
  const inFullState = picked.flatMap((i) => Array.from({ length: n }, (_, j) => i * n + j));
  return { key, data, units, inFullState, readout, outputs };
}

/** Every block of the run's recorded state, in the cell's order (what fixed points are sought on). */
export function fullState(run: RunData): SelectedState {
  return selectState(run, runStateParts(run).map((p) => p.key).join(''));
}
