/**
 * External forces on the hand, as plain data. The same description drives the analytic arm (as the joint
 * torque Jᵀ·F) and the matter-js arm (as a body force at the hand point), so force-field experiments
 * (Shadmehr & Mussa-Ivaldi 1994) behave identically in training and in the physics engine.
 */
import { z } from 'zod';

/** A 2-vector [x, y]. */
export type Vec2 = [number, number];

/** A hand force-field description. Forces in N, hand position in m, hand velocity in m/s, time in s. */
export type ForceField =
  | { kind: 'none' }
  /** Curl field F = c·[[0, 1], [−1, 0]]·ẋ: c > 0 pushes a forward (+y) movement to the right (+x). c in N·s/m. */
  | { kind: 'curl'; strength: number }
  /** General velocity-dependent field F = B·ẋ (N·s/m), e.g. Shadmehr & Mussa-Ivaldi's matrix. */
  | { kind: 'velocity'; B: [Vec2, Vec2] }
  /** Viscous field F = −b·ẋ (b in N·s/m, ≥ 0 damps). */
  | { kind: 'viscous'; b: number }
  /** Constant force F (N). */
  | { kind: 'constant'; F: Vec2 }
  /** Force pulses: F (N) during [start, start + duration) (s); overlapping pulses add. */
  | { kind: 'pulses'; pulses: ForcePulse[] }
  /** Sum of several fields. */
  | { kind: 'sum'; fields: ForceField[] };

/** One rectangular force pulse. */
export interface ForcePulse {
  /** Onset time (s). */
  start: number;
  /** Duration (s), > 0. */
  duration: number;
  /** Force during the pulse (N). */
  F: Vec2;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const vec2 = z.tuple([finite, finite]);

/** zod schema for {@link ForceField} (for configs and JSON files). */
export const forceFieldSchema: z.ZodType<ForceField> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('curl'), strength: finite }),
    z.object({ kind: z.literal('velocity'), B: z.tuple([vec2, vec2]) }),
    z.object({ kind: z.literal('viscous'), b: finite }),
    z.object({ kind: z.literal('constant'), F: vec2 }),
    z.object({
      kind: z.literal('pulses'),
      pulses: z.array(
        z.object({
          start: finite,
          duration: finite.refine((d) => d > 0, 'pulse duration must be > 0 (s)'),
          F: vec2,
        }),
      ),
    }),
    z.object({ kind: z.literal('sum'), fields: z.array(forceFieldSchema) }),
  ]),
);

/** No external force. */
export const NO_FIELD: ForceField = { kind: 'none' };

/** Curl field of strength c (N·s/m); the classic value is 13 (F = [[0, 13], [−13, 0]]·ẋ). */
export function curlField(strength: number): ForceField {
  return { kind: 'curl', strength };
}

/** Viscous field F = −b·ẋ (N·s/m). */
export function viscousField(b: number): ForceField {
  return { kind: 'viscous', b };
}

/** Constant hand force (N). */
export function constantField(Fx: number, Fy: number): ForceField {
  return { kind: 'constant', F: [Fx, Fy] };
}

/** Timed hand-force pulses: each a force F (N) from `start` for `duration` (s, from trial start). */
export function pulseField(pulses: ForcePulse[]): ForceField {
  return { kind: 'pulses', pulses: pulses.map((p) => ({ start: p.start, duration: p.duration, F: [p.F[0], p.F[1]] })) };
}

/** Sum of fields. */
export function sumFields(...fields: ForceField[]): ForceField {
  return { kind: 'sum', fields };
}

/**
 * Force on the hand (N) at time t (s), hand position (m) and hand velocity (m/s). Writes into `out` when
 * given (no allocation) and returns it.
 */
export function handForce(
  field: ForceField,
  t: number,
  handPos: ArrayLike<number>,
  handVel: ArrayLike<number>,
  out: Vec2 = [0, 0],
): Vec2 {
  out[0] = 0;
  out[1] = 0;
  accumulate(field, t, handPos, handVel, out);
  return out;
}

function accumulate(field: ForceField, t: number, pos: ArrayLike<number>, vel: ArrayLike<number>, out: Vec2): void {
  switch (field.kind) {
    case 'none':
      return;
    case 'curl':
      out[0] += field.strength * vel[1];
      out[1] -= field.strength * vel[0];
      return;
    case 'velocity':
      out[0] += field.B[0][0] * vel[0] + field.B[0][1] * vel[1];
      out[1] += field.B[1][0] * vel[0] + field.B[1][1] * vel[1];
      return;
    case 'viscous':
      out[0] -= field.b * vel[0];
      out[1] -= field.b * vel[1];
      return;
    case 'constant':
      out[0] += field.F[0];
      out[1] += field.F[1];
      return;
    case 'pulses':
      for (const p of field.pulses) {
        if (t >= p.start && t < p.start + p.duration) {
          out[0] += p.F[0];
          out[1] += p.F[1];
        }
      }
      return;
    case 'sum':
      for (const f of field.fields) accumulate(f, t, pos, vel, out);
      return;
  }
}

/**
 * Every field kind is affine in the hand velocity and independent of the hand position:
 * F = K·v + F0(t). Writes K (row-major [K11, K12, K21, K22], N·s/m) and F0 (N) at time t (s); the
 * differentiable plant uses them for the force's exact Jacobian.
 */
export function affineField(field: ForceField, t: number, K: Float64Array, F0: Float64Array): void {
  K.fill(0);
  F0.fill(0);
  accumulateAffine(field, t, K, F0);
}

function accumulateAffine(field: ForceField, t: number, K: Float64Array, F0: Float64Array): void {
  switch (field.kind) {
    case 'none':
      return;
    case 'curl':
      K[1] += field.strength;
      K[2] -= field.strength;
      return;
    case 'velocity':
      K[0] += field.B[0][0];
      K[1] += field.B[0][1];
      K[2] += field.B[1][0];
      K[3] += field.B[1][1];
      return;
    case 'viscous':
      K[0] -= field.b;
      K[3] -= field.b;
      return;
    case 'constant':
      F0[0] += field.F[0];
      F0[1] += field.F[1];
      return;
    case 'pulses':
      for (const p of field.pulses) {
        if (t >= p.start && t < p.start + p.duration) {
          F0[0] += p.F[0];
          F0[1] += p.F[1];
        }
      }
      return;
    case 'sum':
      for (const f of field.fields) accumulateAffine(f, t, K, F0);
      return;
  }
}

/** True when the field can exert a non-zero force (lets callers skip the hand-force computation). */
export function isActiveField(field: ForceField): boolean {
  switch (field.kind) {
    case 'none':
      return false;
    case 'curl':
      return field.strength !== 0;
    case 'velocity':
      return field.B.some((r) => r.some((v) => v !== 0));
    case 'viscous':
      return field.b !== 0;
    case 'constant':
      return field.F[0] !== 0 || field.F[1] !== 0;
    case 'pulses':
      return field.pulses.some((p) => p.F[0] !== 0 || p.F[1] !== 0);
    case 'sum':
      return field.fields.some(isActiveField);
  }
}

/**
 * Parse a command-line field spec: `none`, `curl:C` (N·s/m), `viscous:b` (N·s/m), `constant:Fx,Fy` (N),
 * `pulse:start,duration,Fx,Fy` (s, s, N, N); several specs joined by `+` are summed.
 */
export function parseFieldSpec(spec: string): ForceField {
  const parts = spec.split('+').map((s) => s.trim());
  const fields = parts.map(parseOne);
  return fields.length === 1 ? fields[0] : { kind: 'sum', fields };
}

function parseOne(spec: string): ForceField {
  const usage = "expected none, curl:C, viscous:b, constant:Fx,Fy or pulse:start,duration,Fx,Fy";
  if (spec === 'none') return NO_FIELD;
  const m = /^([a-z]+):(.*)$/.exec(spec);
  if (!m) throw new Error(`invalid force field '${spec}': ${usage}`);
  const nums = m[2].split(',').map((s) => Number(s.trim()));
  if (m[2].trim() === '' || nums.some((v) => !Number.isFinite(v))) {
    throw new Error(`invalid force field '${spec}': '${m[2]}' is not a list of finite numbers`);
  }
  const want = (n: number) => {
    if (nums.length !== n) throw new Error(`invalid force field '${spec}': ${m[1]} takes ${n} number(s), got ${nums.length}`);
  };
  switch (m[1]) {
    case 'curl':
      want(1);
      return curlField(nums[0]);
    case 'viscous':
      want(1);
      return viscousField(nums[0]);
    case 'constant':
      want(2);
      return constantField(nums[0], nums[1]);
    case 'pulse':
      want(4);
      if (nums[1] <= 0) throw new Error(`invalid force field '${spec}': pulse duration must be > 0 (s)`);
      return pulseField([{ start: nums[0], duration: nums[1], F: [nums[2], nums[3]] }]);
    default:
      throw new Error(`invalid force field '${spec}': unknown kind '${m[1]}'; ${usage}`);
  }
}
