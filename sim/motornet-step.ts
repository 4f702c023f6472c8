/**
 * MotorNet's own stepping of a body (motornet 0.2, `Effector._euler` / `_rungekutta4` with
 * `Skeleton.integrate` and `RigidTendonHillMuscle.integrate`), for reproducing MotorNet trajectories to
 * float precision. The equations of motion are the body's; only the integration differs from
 * sim/body-step.ts, in three ways that MotorNet has and classical schemes do not:
 *  1. joint angles advance with the velocity at the start of each (sub)stage, q′ = q + h·q̇, while
 *     velocities and activations take the (RK4-averaged) derivative: positions are first order;
 *  2. the element forces are part of the state, recomputed after each stage from the new activation but
 *     the joint angles and velocities the stage started from, so the forces lag the joints by one stage;
 *  3. RK4's second and third stage inputs accumulate from the previous stage input rather than from the
 *     step start (y₂ = y₁ + h/2·k₂, y₃ = y₂ + h·k₃); only the final combination starts from the step start.
 * Joint speeds are bounded at ±1000 rad/s and angles clipped to the limits after each stage, as in MotorNet.
 * At 1 ms these put MotorNet's "RK4" 2–3 mrad (0.2 s) from the converged solution that sim/body-step.ts
 * computes; the training plant and the matter-js arm use body-step, this module only reproduces MotorNet.
 */
import type { Body } from './body.ts';
import { accel, coeffs, MAX_JOINT_SPEED, type Num } from './skeleton.ts';

/** A body state as MotorNet carries it: x = [q, q̇, actuator state] plus the (lagged) element forces. */
export interface MotorNetState {
  x: Float64Array;
  forces: Float64Array;
}

/** MotorNet's initial state at body state x: the forces at x (MotorNet integrates its muscles once with zero derivative). */
export function motorNetState(b: Body, x: ArrayLike<number>, u: Num = new Float64Array(b.actuator.nInputs)): MotorNetState {
  const s: MotorNetState = { x: Float64Array.from(x), forces: new Float64Array(b.actuator.nForces) };
  b.actuator.forces(s.x, 0, u, 0, s.forces, 0);
  return s;
}

interface Rates {
  qdd: Float64Array;
  ds: Float64Array;
}

function rates(b: Body, s: MotorNetState, u: Num, out: Rates): void {
  const p = b.skeleton;
  const [a1, a2, a3] = coeffs(p);
  const tau = new Float64Array(2);
  b.actuator.forcesToTorques(s.x[0], s.x[1], s.forces, 0, tau);
  accel(p, a1, a2, a3, s.x[0], s.x[1], s.x[2], s.x[3], tau[0], tau[1], 0, 0, out.qdd, 0);
  b.actuator.stateRate(s.x, 4, u, 0, out.ds, 0, null);
}

/** MotorNet's `integration_step`: advance `from` by h with derivative r; forces from the new activation at `from`'s joints. */
function integrate(b: Body, h: number, r: Rates, from: MotorNetState, u: Num): MotorNetState {
  const p = b.skeleton;
  const ns = b.actuator.nState;
  const x = new Float64Array(4 + ns);
  for (let i = 0; i < ns; i++) x[4 + i] = from.x[4 + i] + r.ds[i] * h;
  b.actuator.clampState(x, 4);
  // Forces of the new activation along the paths of the stage start.
  const g = Float64Array.from(from.x);
  g.set(x.subarray(4), 4);
  const forces = new Float64Array(b.actuator.nForces);
  b.actuator.forces(g, 0, u, 0, forces, 0);
  for (let j = 0; j < 2; j++) {
    const q = from.x[j] + from.x[2 + j] * h;
    let v = from.x[2 + j] + r.qdd[j] * h;
    v = Math.min(MAX_JOINT_SPEED, Math.max(-MAX_JOINT_SPEED, v));
    if ((v < 0 && q <= p.qMin[j]) || (v > 0 && q >= p.qMax[j])) v = 0;
    x[j] = Math.min(p.qMax[j], Math.max(p.qMin[j], q));
    x[2 + j] = v;
  }
  return { x, forces };
}

/** One MotorNet step of h seconds with inputs u held: 'euler' (MotorNet's default) or its 'rk4'. Returns the new state. */
export function stepMotorNet(b: Body, s: MotorNetState, u: Num, h: number, method: 'euler' | 'rk4'): MotorNetState {
  const act = b.actuator;
  const uc = new Float64Array(act.nInputs);
  for (let i = 0; i < act.nInputs; i++) uc[i] = act.clampInput(u[i], i);
  const ns = act.nState;
  const k = (): Rates => ({ qdd: new Float64Array(2), ds: new Float64Array(ns) });
  const k1 = k();
  rates(b, s, uc, k1);
  if (method === 'euler') return integrate(b, h, k1, s, uc);
  const s1 = integrate(b, h / 2, k1, s, uc);
  const k2 = k();
  rates(b, s1, uc, k2);
  const s2 = integrate(b, h / 2, k2, s1, uc);
  const k3 = k();
  rates(b, s2, uc, k3);
  const s3 = integrate(b, h, k3, s2, uc);
  const k4 = k();
  rates(b, s3, uc, k4);
  const avg = k();
  for (let j = 0; j < 2; j++) avg.qdd[j] = (k1.qdd[j] + 2 * (k2.qdd[j] + k3.qdd[j]) + k4.qdd[j]) / 6;
  for (let i = 0; i < ns; i++) avg.ds[i] = (k1.ds[i] + 2 * (k2.ds[i] + k3.ds[i]) + k4.ds[i]) / 6;
  return integrate(b, h, avg, s, uc);
}
