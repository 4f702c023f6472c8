/**
 * A small synthetic run, deterministic from a seed, shaped like what `reach run` writes: per-time-step
 * arrays [trials, times, …] of every dtype, per-trial arrays, a trial-free array, a scalar, special
 * float values, one catch trial.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, fillNormal, randomInt, uniformIn } from '../../core/random.ts';
import { writeRunDir, type RunArray, type TrialRecord } from '../../experiments/run-dir.ts';

export const K = 6;
export const T = 7;
export const U = 5;
export const DT = 0.01;
/** Index of the catch trial. */
export const CATCH = 4;

export interface SyntheticRun {
  dir: string;
  arrays: RunArray[];
  trials: TrialRecord[];
  config: Record<string, unknown>;
}

export function syntheticArrays(seed: number): { arrays: RunArray[]; trials: TrialRecord[] } {
  const rng = createRng(seed);
  const times = Float64Array.from({ length: T }, (_, t) => t * DT);
  const trials: TrialRecord[] = Array.from({ length: K }, (_, k) => {
    const angle = (2 * Math.PI * (k % 4)) / 4;
    const start: [number, number] = [0, 0.4];
    return {
      trial: 10 + k,
      condition: k % 4,
      target: [start[0] + 0.1 * Math.cos(angle), start[1] + 0.1 * Math.sin(angle)],
      start,
      target_angle: angle,
      go_time: k === CATCH ? null : 0.02 + DT * randomInt(rng, 2),
      movement_onset: k === CATCH ? null : 0.04,
      endpoint_error: k === CATCH ? null : uniformIn(rng, 0, 0.01),
      catch: k === CATCH,
      start_time: k * T * DT,
      stop_time: (k + 1) * T * DT,
    };
  });
  const per = (name: string, data: Float32Array | Float64Array | Int32Array, last: number, unit: string, axis: string, columns?: string[]): RunArray => ({
    name,
    data,
    shape: [K, T, last],
    unit,
    axes: ['trials', 'times', axis],
    description: `synthetic ${name}`,
    ...(columns ? { columns } : {}),
  });
  const hidden = fillNormal(rng, new Float32Array(K * T * U));
  hidden[3] = -0;
  hidden[4] = 1e-40; // a float32 subnormal
  const jointAngles = fillNormal(rng, new Float64Array(K * T * 2), 1, 0.3);
  jointAngles[5] = NaN;
  jointAngles[6] = -0;
  jointAngles[7] = 5e-324;
  const arrays: RunArray[] = [
    { name: 'times', data: times, shape: [T], unit: 's', axes: ['times'], description: 'sample time from trial start' },
    per('inputs', fillNormal(rng, new Float32Array(K * T * 3)), 3, 'mixed (see columns)', 'inputs', ['target_x', 'target_y', 'go']),
    per('hidden', hidden, U, 'a.u.', 'units'),
    per('torques', fillNormal(rng, new Float32Array(K * T * 2)), 2, 'N*m', 'joints', ['shoulder', 'elbow']),
    per('joint_angles', jointAngles, 2, 'rad', 'joints', ['shoulder', 'elbow']),
    per('joint_velocities', fillNormal(rng, new Float64Array(K * T * 2)), 2, 'rad/s', 'joints', ['shoulder', 'elbow']),
    per('hand_position', fillNormal(rng, new Float64Array(K * T * 2), 0, 0.1), 2, 'm', 'xy', ['x', 'y']),
    per('hand_velocity', fillNormal(rng, new Float64Array(K * T * 2)), 2, 'm/s', 'xy', ['x', 'y']),
    per('contact', Int32Array.from({ length: K * T }, () => randomInt(rng, 3) - 1), 1, '1', 'flag'),
    { name: 'targets', data: Float64Array.from(trials.flatMap((t) => t.target)), shape: [K, 2], unit: 'm', axes: ['trials', 'xy'], description: 'target hand position', columns: ['x', 'y'] },
    { name: 'go_step', data: Int32Array.from(trials, (t) => (t.go_time === null ? T : Math.round(t.go_time / DT))), shape: [K], unit: '1', axes: ['trials'], description: 'go step' },
    { name: 'readout_weights', data: fillNormal(rng, new Float32Array(2 * U)), shape: [2, U], unit: 'N*m', axes: ['outputs', 'units'], description: 'readout' },
    { name: 'gain', data: new Float64Array([2.5]), shape: [], unit: 'a.u.', axes: [], description: 'a scalar' },
    { name: 'spare', data: new Float32Array(0), shape: [0, 3], unit: 'a.u.', axes: ['none', 'three'], description: 'zero-size array' },
  ];
  return { arrays, trials };
}

/** Write the synthetic run into a fresh temp folder. */
export function writeSyntheticRun(seed = 7, parent?: string): SyntheticRun {
  const dir = join(parent ?? mkdtempSync(join(tmpdir(), 'reach-export-')), 'run');
  const { arrays, trials } = syntheticArrays(seed);
  const config = { seed, packageVersion: 'test', backend: 'none', dt: DT, task: { kind: 'center-out' }, note: 'N·m in UTF-8' };
  writeRunDir(dir, { config, dt: DT, arrays, trials });
  return { dir, arrays, trials, config };
}

/** The bytes of a typed array (for bit-exact comparisons: NaN, −0 and subnormals included). */
export function bytesOf(a: Float32Array | Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
