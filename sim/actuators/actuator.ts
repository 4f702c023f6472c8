/**
 * The actuator interface: what turns a body's inputs into joint torques. A body is a skeleton
 * (sim/skeleton.ts: links, mass matrix, joint limits) plus one actuator; the integrators
 * (sim/body-step.ts) and the matter-js adapter (sim/matter-arm.ts) call only the functions below, so they
 * never ask which kind they hold. Variants, one module each: `torque.ts` (two joint torque motors, no
 * state) and `arm26.ts` (six Hill-type muscles with first-order activation).
 *
 * Body state layout: x = [q1, q2, q̇1, q̇2, s_0 … s_{nState−1}] (rad, rad/s, then the actuator state).
 * Each actuator state variable s_i is a first-order filter of its own input u_i (ds_i/dt = g_i(s_i, u_i)),
 * which keeps the step Jacobian's actuator block diagonal.
 */
import type { Num } from '../skeleton.ts';

/** The feedback option (sim/feedback.ts) that sets a proprioceptive channel's noise std. */
export type SenseNoise = 'jointAngleNoise' | 'jointVelocityNoise' | 'muscleLengthNoise' | 'muscleVelocityNoise';

/** One proprioceptive channel: its name, unit and which noise option applies to it. */
export interface SenseChannel {
  name: string;
  unit: string;
  noise: SenseNoise;
}

/** What turns nInputs inputs per control step (N·m or dimensionless excitations) into two joint torques (N·m), with nState state variables. */
export interface Actuator {
  /** 'torque' (inputs are joint torques) or 'muscle' (inputs are excitations). */
  readonly kind: 'torque' | 'muscle';
  /** Variant name, e.g. 'torque' or 'arm26'. */
  readonly name: string;
  /** Inputs per control step, held constant over the step (zero-order hold). */
  readonly nInputs: number;
  readonly inputNames: readonly string[];
  /** Unit of every input, e.g. 'N·m' or '1' (dimensionless excitation). */
  readonly inputUnit: string;
  /** What the inputs are, plural, for messages: 'torques' or 'excitations'. */
  readonly inputNoun: string;
  /** Actuator state size (0 for torque motors, one activation per muscle for muscles). */
  readonly nState: number;
  readonly stateNames: readonly string[];
  readonly stateUnit: string;
  /** Elements that carry a force (2 motors, 6 muscles). */
  readonly nForces: number;
  readonly forceNames: readonly string[];
  /** 'N·m' for motors, 'N' for muscles (tension along the path). */
  readonly forceUnit: string;
  /** Whether τ depends on the body state (muscles) or only on the input (motors); lets the step Jacobian skip zero blocks. */
  readonly torqueDependsOnState: boolean;
  /**
   * The range every input is used in ([lo, hi]), or null when inputs are unbounded. A controller for a
   * bounded actuator keeps its outputs strictly inside (clipped inputs carry no gradient).
   */
  readonly inputRange: readonly [number, number] | null;
  /** What proprioception reports for this actuator (motors: joint angles and velocities; muscles: fibre lengths and velocities). */
  readonly senses: readonly SenseChannel[];
  /**
   * Proprioception at joint state (q1, q2, q̇1, q̇2) into out[o … o + senses.length); with `jac` non-null,
   * also its Jacobian ∂/∂(q1, q2, q̇1, q̇2) (senses × 4, row-major) into jac[0 …).
   */
  sense(q1: number, q2: number, qd1: number, qd2: number, out: Num, o: number, jac: Num | null): void;
  /** Input i as the actuator uses it (excitations are clipped to their range; torques pass through). */
  clampInput(u: number, i: number): number;
  /** Actuator state at rest (no input yet) into out[o … o + nState). */
  restState(out: Num, o: number): void;
  /** Put an actuator state back into its range, in place; returns a mask with bit i set ⇔ s_i changed. */
  clampState(s: Num, o: number): number;
  /**
   * ds/dt into rate[or …] for state s[os …] and (clamped) input u[ou …]; with `dRate` non-null, also
   * ∂g_i/∂s_i into dRate[2i] and ∂g_i/∂u_i into dRate[2i + 1].
   */
  stateRate(s: Num, os: number, u: Num, ou: number, rate: Num, or: number, dRate: Num | null): void;
  /** Element forces into f[of …] at body state x[ox …] and (clamped) input u[ou …]. */
  forces(x: Num, ox: number, u: Num, ou: number, f: Num, of: number): void;
  /** Joint torques (N·m) into tau[0], tau[1] from element forces f[of …] at joint angles (q1, q2). */
  forcesToTorques(q1: number, q2: number, f: Num, of: number, tau: Num): void;
  /**
   * Joint torques (N·m) into tau[0], tau[1] — forcesToTorques(forces(x, u)) — at body state x[ox …] and (clamped) input u[ou …]. With
   * `dTau` non-null, also ∂τ/∂x (2 × (4 + nState), row-major) into dTau[0 …) and ∂τ/∂u (2 × nInputs)
   * right after it.
   */
  jointTorques(x: Num, ox: number, u: Num, ou: number, tau: Num, dTau: Num | null): void;
}
