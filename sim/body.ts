/**
 * A body = skeleton (ArmParams) + actuator (sim/actuators/). Presets by one key, as `"arm"` in configs and
 * `--arm` on the command line: `motornet` and `li-todorov` (torque motors) and `arm26` (six muscles).
 * State x = [q1, q2, q̇1, q̇2, actuator state…]; see sim/actuators/actuator.ts.
 */
import { ARM26_SKELETON, ARM_PRESETS, cloneArmParams, getArmPreset, type ArmParams } from './arm-params.ts';
import type { Actuator } from './actuators/actuator.ts';
import { allocMusclePaths, createMuscleActuator, fibreLength, musclePaths } from './actuators/arm26.ts';
import { ARM26_MUSCLES, type MuscleSetParams } from './actuators/arm26-params.ts';
import { TORQUE_ACTUATOR } from './actuators/torque.ts';
import type { Num } from './skeleton.ts';

/** A body: skeleton (link lengths m, masses kg, inertias kg·m²) plus actuator; its state is [q1, q2 (rad), q̇1, q̇2 (rad/s), actuator state…]. */
export interface Body {
  /** Preset or user name. */
  name: string;
  skeleton: ArmParams;
  actuator: Actuator;
  /** The muscle parameters behind a muscle actuator (null for torque motors), for muscle read-outs. */
  muscles: MuscleSetParams | null;
}

/** Every body preset name. */
export const BODY_PRESETS: readonly string[] = [...Object.keys(ARM_PRESETS), 'arm26'];

/** A torque-driven body on skeleton `p`. */
export function torqueBody(p: ArmParams): Body {
  return { name: p.name, skeleton: p, actuator: TORQUE_ACTUATOR, muscles: null };
}

/** A muscle-driven body: skeleton `p` with muscle set `m`. */
export function muscleBody(p: ArmParams, m: MuscleSetParams): Body {
  return { name: m.name, skeleton: p, actuator: createMuscleActuator(m), muscles: m };
}

/**
 * The body of a skeleton and, for a muscle body, its muscle set: how a body travels as plain data
 * (configs, checkpoints, worker messages) and is rebuilt.
 */
export function bodyOf(p: ArmParams, m: MuscleSetParams | null | undefined): Body {
  return m ? muscleBody(p, m) : torqueBody(p);
}

/** A body as given, or the torque-driven body of a bare skeleton (callers that predate bodies pass ArmParams). */
export function asBody(b: Body | ArmParams): Body {
  return 'skeleton' in b ? b : torqueBody(b);
}

/** A fresh body preset; throws naming the known presets when `name` is unknown. */
export function getBodyPreset(name: string): Body {
  if (name === 'arm26') return muscleBody(cloneArmParams(ARM26_SKELETON), structuredClone(ARM26_MUSCLES));
  if (!BODY_PRESETS.includes(name)) throw new Error(`unknown arm preset '${name}' (known: ${BODY_PRESETS.join(', ')})`);
  return torqueBody(getArmPreset(name));
}

/** Length of the body state: 4 joint variables + the actuator state. */
export function bodyStateSize(b: Body): number {
  return 4 + b.actuator.nState;
}

/** Body state at joint angles q (rad) and velocities qd (rad/s) with the actuator at rest. */
export function restBodyState(b: Body, q: readonly [number, number], qd: readonly [number, number] = [0, 0]): Float64Array {
  const x = new Float64Array(bodyStateSize(b));
  x[0] = q[0];
  x[1] = q[1];
  x[2] = qd[0];
  x[3] = qd[1];
  b.actuator.restState(x, 4);
  return x;
}

/** Muscle read-outs, each row-major [samples, muscles]. */
export interface MuscleTrace {
  /** Activation (dimensionless, 0–1). */
  activation: Float64Array | Float32Array;
  /** Fibre length = musculotendon length − rigid tendon (m). */
  length: Float64Array | Float32Array;
  /** Lengthening velocity (m/s; negative when shortening). */
  velocity: Float64Array | Float32Array;
  /** Tension (N). */
  force: Float64Array | Float32Array;
}

/**
 * Write the muscles of a muscle body at body state x (activations in x[4…]) under inputs u into row
 * `k` of `out`; a body without muscles writes nothing.
 */
export function readMuscles(b: Body, x: Num, u: Num, out: MuscleTrace, k: number): void {
  const m = b.muscles;
  if (!m) return;
  const n = m.muscles.length;
  const paths = musclePaths(m, x[0], x[1], x[2], x[3], allocMusclePaths(n));
  const f = new Float64Array(n);
  b.actuator.forces(x, 0, u, 0, f, 0);
  for (let i = 0; i < n; i++) {
    out.activation[n * k + i] = x[4 + i];
    out.length[n * k + i] = fibreLength(m, i, paths.length[i]);
    out.velocity[n * k + i] = paths.velocity[i];
    out.force[n * k + i] = f[i];
  }
}
