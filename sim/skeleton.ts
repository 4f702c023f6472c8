/**
 * The skeleton of every body: a two-joint arm in the horizontal plane — kinematics, rigid-body
 * dynamics under given joint torques and their analytic Jacobian, and the joint limits. Integrators
 * (sim/body-step.ts) and the matter-js adapter build on these; actuators (sim/actuators/) supply τ.
 *
 * Conventions: shoulder at the origin, +x right, +y forward; q1 = shoulder angle from +x, q2 = elbow
 * angle relative to the upper arm. State x = [q1, q2, q̇1, q̇2] (rad, rad/s). Dynamics
 *   M(q2)·q̈ + c(q2, q̇) = τ − B·q̇ + Jᵀ·F_hand
 * with M11 = a1 + 2·a2·cos q2, M12 = a3 + a2·cos q2, M22 = a3,
 *   a1 = Ic1 + Ic2 + m1·s1² + m2·(l1² + s2²), a2 = m2·l1·s2, a3 = Ic2 + m2·s2²,
 *   c1 = −a2·sin q2·q̇2·(2q̇1 + q̇2), c2 = a2·sin q2·q̇1².
 */
import type { ArmParams } from './arm-params.ts';
import type { Vec2 } from './force-fields.ts';

export type { Vec2 } from './force-fields.ts';

/** Arm state [q1, q2, q̇1, q̇2] (rad, rad/s). */
export type ArmState = Float64Array | number[];

/** Anything indexable holding numbers (typed arrays or plain arrays). */
export type Num = Float64Array | Float32Array | number[];

/** State-dependent hand force (N) from hand position (m), hand velocity (m/s) and time (s). */
export type HandForceFn = (handPos: Vec2, handVel: Vec2, t: number) => Vec2;

/** Mass-matrix coefficients [a1, a2, a3] (kg·m²) of the header's formula. */
export function coeffs(p: ArmParams): [number, number, number] {
  const [m1, m2] = p.m;
  const l1 = p.l[0];
  const [s1, s2] = p.s;
  return [p.Ic[0] + p.Ic[1] + m1 * s1 * s1 + m2 * (l1 * l1 + s2 * s2), m2 * l1 * s2, p.Ic[1] + m2 * s2 * s2];
}

// [elbow x, elbow y, hand x, hand y, J11, J12, J21, J22] of the last kinematics() call.
const kin = new Float64Array(8);

/**
 * The one formula of the arm's kinematics at q: elbow and hand positions (m) and the hand Jacobian
 * ∂(x, y)/∂(q1, q2) (m/rad), into the module's buffer (read before the next call). Written into a buffer,
 * not returned, so that the training loop's calls per trial and step allocate nothing.
 */
function kinematics(p: ArmParams, q1: number, q2: number): Float64Array {
  const l1 = p.l[0];
  const l2 = p.l[1];
  const s1 = Math.sin(q1);
  const c1 = Math.cos(q1);
  const s12 = Math.sin(q1 + q2);
  const c12 = Math.cos(q1 + q2);
  kin[0] = l1 * c1;
  kin[1] = l1 * s1;
  kin[2] = l1 * c1 + l2 * c12;
  kin[3] = l1 * s1 + l2 * s12;
  kin[4] = -l1 * s1 - l2 * s12;
  kin[5] = -l2 * s12;
  kin[6] = kin[2];
  kin[7] = l2 * c12;
  return kin;
}

/** Elbow and hand positions (m). */
export function forwardKinematics(p: ArmParams, q1: number, q2: number): { elbow: Vec2; hand: Vec2 } {
  const k = kinematics(p, q1, q2);
  return { elbow: [k[0], k[1]], hand: [k[2], k[3]] };
}

/** Hand position (m). */
export function handPosition(p: ArmParams, q1: number, q2: number): Vec2 {
  const k = kinematics(p, q1, q2);
  return [k[2], k[3]];
}

/** Hand Jacobian ∂(x, y)/∂(q1, q2), row-major [J11, J12, J21, J22] (m/rad). */
export function jacobian(p: ArmParams, q1: number, q2: number): [number, number, number, number] {
  const k = kinematics(p, q1, q2);
  return [k[4], k[5], k[6], k[7]];
}

/** {@link jacobian} written into out[o .. o + 4) instead of a new array. */
export function jacobianInto(p: ArmParams, q1: number, q2: number, out: Float64Array, o: number): void {
  const k = kinematics(p, q1, q2);
  out[o] = k[4];
  out[o + 1] = k[5];
  out[o + 2] = k[6];
  out[o + 3] = k[7];
}

// handVelocity's [x, y, ẋ, ẏ].
const handState = new Float64Array(4);

/** Hand velocity J·q̇ (m/s). */
export function handVelocity(p: ArmParams, q1: number, q2: number, qd1: number, qd2: number): Vec2 {
  handStateInto(p, q1, q2, qd1, qd2, handState, 0);
  return [handState[2], handState[3]];
}

/**
 * Hand position and velocity J·q̇ [x, y, ẋ, ẏ] (m, m/s) at state (q, q̇), written into out[o .. o + 4)
 * without allocating (the training loop's feedback and losses ask for them per trial and step).
 */
export function handStateInto(p: ArmParams, q1: number, q2: number, qd1: number, qd2: number, out: Num, o: number): void {
  const k = kinematics(p, q1, q2);
  out[o] = k[2];
  out[o + 1] = k[3];
  out[o + 2] = k[4] * qd1 + k[5] * qd2;
  out[o + 3] = k[6] * qd1 + k[7] * qd2;
}

/**
 * Joint angles (rad) that put the hand at (x, y) m, choosing the elbow branch (and the shoulder angle
 * modulo 2π) that lies inside the joint limits. Throws when the point is out of reach or only reachable
 * outside the limits.
 */
export function inverseKinematics(p: ArmParams, x: number, y: number): Vec2 {
  const [l1, l2] = p.l;
  const r2 = x * x + y * y;
  const c2 = (r2 - l1 * l1 - l2 * l2) / (2 * l1 * l2);
  if (!(c2 >= -1 - 1e-12 && c2 <= 1 + 1e-12)) {
    throw new Error(
      `hand position (${x}, ${y}) m is out of reach: distance ${Math.sqrt(r2).toFixed(4)} m is outside [${Math.abs(l1 - l2).toFixed(4)}, ${(l1 + l2).toFixed(4)}] m`,
    );
  }
  const base = Math.acos(Math.min(1, Math.max(-1, c2)));
  const tol = 1e-9;
  for (const q2 of [base, -base]) {
    if (q2 < p.qMin[1] - tol || q2 > p.qMax[1] + tol) continue;
    const q1 = Math.atan2(y, x) - Math.atan2(l2 * Math.sin(q2), l1 + l2 * Math.cos(q2));
    for (const turn of [0, 2 * Math.PI, -2 * Math.PI]) {
      const c = q1 + turn;
      if (c >= p.qMin[0] - tol && c <= p.qMax[0] + tol) {
        return [Math.min(p.qMax[0], Math.max(p.qMin[0], c)), Math.min(p.qMax[1], Math.max(p.qMin[1], q2))];
      }
    }
  }
  throw new Error(`hand position (${x}, ${y}) m is reachable only outside the joint limits of arm '${p.name}'`);
}

/** Mass matrix entries [M11, M12, M22] (kg·m²). */
export function massMatrix(p: ArmParams, q2: number): [number, number, number] {
  const [a1, a2, a3] = coeffs(p);
  const c = Math.cos(q2);
  return [a1 + 2 * a2 * c, a3 + a2 * c, a3];
}

/** Coriolis and centripetal torques [c1, c2] (N·m). */
export function coriolis(p: ArmParams, q2: number, qd1: number, qd2: number): Vec2 {
  const h = coeffs(p)[1] * Math.sin(q2);
  return [-h * qd2 * (2 * qd1 + qd2), h * qd1 * qd1];
}

/** Kinetic energy ½·q̇ᵀ·M·q̇ (J). */
export function armEnergy(p: ArmParams, x: ArmState): number {
  const [M11, M12, M22] = massMatrix(p, x[1]);
  const a = x[2];
  const b = x[3];
  return 0.5 * (M11 * a * a + 2 * M12 * a * b + M22 * b * b);
}

/** Joint torques (N·m) that produce accelerations q̈ at state (q, q̇) with no hand force: M·q̈ + c + B·q̇. */
export function inverseDynamics(p: ArmParams, x: ArmState, qdd1: number, qdd2: number): Vec2 {
  const [M11, M12, M22] = massMatrix(p, x[1]);
  const [c1, c2] = coriolis(p, x[1], x[2], x[3]);
  const B = p.B;
  return [
    M11 * qdd1 + M12 * qdd2 + c1 + B[0][0] * x[2] + B[0][1] * x[3],
    M12 * qdd1 + M22 * qdd2 + c2 + B[1][0] * x[2] + B[1][1] * x[3],
  ];
}

/**
 * Joint accelerations q̈ (rad/s²) into `out[0..1]` for state x, joint torques τ (N·m) and an optional
 * hand force F (N): τ_total = τ − B·q̇ + Jᵀ·F.
 */
export function forwardDynamics(p: ArmParams, x: ArmState, tau: Num, out: Num, handForce?: ArrayLike<number>): Num {
  const [a1, a2, a3] = coeffs(p);
  accel(p, a1, a2, a3, x[0], x[1], x[2], x[3], tau[0], tau[1], handForce ? handForce[0] : 0, handForce ? handForce[1] : 0, out, 0);
  return out;
}

/**
 * q̈ into out[o], out[o + 1] for joint torques (t1, t2) (N·m) and hand force (Fx, Fy) (N), with
 * [a1, a2, a3] = {@link coeffs}(p): the integrators' inner loop. Joints resting on a stop and pushed
 * into it are held ({@link heldJoints}); their stop torques (N·m) go into `reaction` when given.
 */
export function accel(
  p: ArmParams,
  a1: number,
  a2: number,
  a3: number,
  q1: number,
  q2: number,
  qd1: number,
  qd2: number,
  t1: number,
  t2: number,
  Fx: number,
  Fy: number,
  out: Num,
  o: number,
  reaction?: Num,
): void {
  const c = Math.cos(q2);
  const h = a2 * Math.sin(q2);
  const M11 = a1 + 2 * a2 * c;
  const M12 = a3 + a2 * c;
  const B = p.B;
  let u1 = t1 - B[0][0] * qd1 - B[0][1] * qd2 + h * qd2 * (2 * qd1 + qd2);
  let u2 = t2 - B[1][0] * qd1 - B[1][1] * qd2 - h * qd1 * qd1;
  if (Fx !== 0 || Fy !== 0) {
    // Jᵀ·F.
    const k = kinematics(p, q1, q2);
    u1 += k[4] * Fx + k[6] * Fy;
    u2 += k[5] * Fx + k[7] * Fy;
  }
  // Same expression order as jac(), so stepArm and stepArmWithJacobian agree to the last bit.
  const det = M11 * a3 - M12 * M12;
  const i11 = a3 / det;
  const i12 = -M12 / det;
  const i22 = M11 / det;
  let qdd1 = i11 * u1 + i12 * u2;
  let qdd2 = i12 * u1 + i22 * u2;
  const held = heldJoints(p, q1, q2, qd1, qd2, M11, M12, a3, u1, u2, qdd1, qdd2);
  if (held) {
    qdd1 = held & 1 ? 0 : u1 / M11;
    qdd2 = held & 2 ? 0 : u2 / a3;
  }
  out[o] = qdd1;
  out[o + 1] = qdd2;
  if (reaction) {
    // Stop torques λ = M·q̈ − u (zero on free joints).
    reaction[0] = held & 1 ? M11 * qdd1 + M12 * qdd2 - u1 : 0;
    reaction[1] = held & 2 ? M12 * qdd1 + a3 * qdd2 - u2 : 0;
  }
}

/**
 * The joints held by their stops (bit j set ⇔ joint j held), solving the two-joint complementarity
 * problem of an inelastic stop: M·q̈ = u + λ with, for each joint j resting on a limit (on it, not
 * moving inward), either λ_j = 0 and q̈_j not pointing out, or q̈_j = 0 and λ_j pushing inward only.
 * Without it a joint pinned on its stop would keep the unconstrained coupling acceleration of the
 * other joint (e.g. an elbow pressed into full extension would swing the shoulder the wrong way).
 * `qdd1`, `qdd2` are the unconstrained accelerations M⁻¹u.
 */
export function heldJoints(
  p: ArmParams,
  q1: number,
  q2: number,
  qd1: number,
  qd2: number,
  M11: number,
  M12: number,
  M22: number,
  u1: number,
  u2: number,
  qdd1: number,
  qdd2: number,
): number {
  const o1 = q1 <= p.qMin[0] ? -1 : q1 >= p.qMax[0] ? 1 : 0;
  const o2 = q2 <= p.qMin[1] ? -1 : q2 >= p.qMax[1] ? 1 : 0;
  const r1 = o1 !== 0 && qd1 * o1 >= 0;
  const r2 = o2 !== 0 && qd2 * o2 >= 0;
  if (!(r1 && qdd1 * o1 > 0) && !(r2 && qdd2 * o2 > 0)) return 0;
  if (r1) {
    const b = u2 / M22;
    if ((M12 * b - u1) * o1 <= 0 && !(r2 && b * o2 > 0)) return 1;
  }
  if (r2) {
    const b = u1 / M11;
    if ((M12 * b - u2) * o2 <= 0 && !(r1 && b * o1 > 0)) return 2;
  }
  return r1 && r2 ? 3 : 0;
}

/**
 * Largest joint speed (rad/s) of every arm (MotorNet's skeletons bound joint speed at the same ±1000 rad/s).
 * Far above any reach (≲ 20 rad/s), it only acts under absurd inputs, where it keeps each integration
 * stage finite: without it a 1e6 N·m torque overflows the Coriolis terms within one RK4 step.
 */
export const MAX_JOINT_SPEED = 50;

/**
 * Apply the joint limits to x in place (an inelastic stop): an angle beyond a limit is put on the limit
 * and its velocity, if it points further out, is set to zero; a joint speed beyond
 * {@link MAX_JOINT_SPEED} is set to it. Returns a bit mask of the changed components (bit i set ⇔ x[i]
 * was changed), whose rows a step Jacobian zeroes.
 */
export function applyJointLimits(p: ArmParams, x: Num, o = 0): number {
  let mask = 0;
  for (let j = 0; j < 2; j++) {
    const q = x[o + j];
    const v = o + 2 + j;
    if (q < p.qMin[j]) {
      x[o + j] = p.qMin[j];
      mask |= 1 << j;
      if (x[v] < 0) {
        x[v] = 0;
        mask |= 1 << (2 + j);
      }
    } else if (q > p.qMax[j]) {
      x[o + j] = p.qMax[j];
      mask |= 1 << j;
      if (x[v] > 0) {
        x[v] = 0;
        mask |= 1 << (2 + j);
      }
    }
    if (x[v] > MAX_JOINT_SPEED) {
      x[v] = MAX_JOINT_SPEED;
      mask |= 1 << (2 + j);
    } else if (x[v] < -MAX_JOINT_SPEED) {
      x[v] = -MAX_JOINT_SPEED;
      mask |= 1 << (2 + j);
    }
  }
  return mask;
}

/**
 * Continuous-time dynamics and its analytic Jacobian at state x and torque τ (no hand force):
 * q̈ into `qdd[0..1]`, ∂q̈/∂x into `dx` (2×4 row-major; the q1 column is zero because the dynamics do
 * not depend on the shoulder angle, except through which joints a stop holds) and ∂q̈/∂τ into `du`
 * (2×2 row-major: M⁻¹ while no joint is held, see {@link heldJoints}).
 */
export function dynamicsJacobian(p: ArmParams, x: ArmState, tau: Num, qdd: Num, dx: Num, du: Num): void {
  jac(p, Float64Array.from(coeffs(p)), Float64Array.from(x), Float64Array.from(tau), qdd, 0, dx, 0, du, 0);
}

/**
 * {@link dynamicsJacobian} at state x[0 … 3] and torques tau[0], tau[1] with k = {@link coeffs}(p), into
 * offsets of its outputs: the integrators' inner loop, which passes arrays rather than numbers so that a
 * call does not box them.
 */
export function jac(p: ArmParams, k: Float64Array, x: Float64Array, tau: Float64Array, qdd: Num, oq: number, dx: Num, ox: number, du: Num, ou: number): void {
  const a1 = k[0];
  const a2 = k[1];
  const a3 = k[2];
  const q1 = x[0];
  const q2 = x[1];
  const qd1 = x[2];
  const qd2 = x[3];
  const t1 = tau[0];
  const t2 = tau[1];
  const B = p.B;
  const c = Math.cos(q2);
  const s = Math.sin(q2);
  const h = a2 * s;
  const hp = a2 * c;
  const M11 = a1 + 2 * a2 * c;
  const M12 = a3 + a2 * c;
  const M22 = a3;
  const u1 = t1 - B[0][0] * qd1 - B[0][1] * qd2 + h * qd2 * (2 * qd1 + qd2);
  const u2 = t2 - B[1][0] * qd1 - B[1][1] * qd2 - h * qd1 * qd1;
  const det = M11 * M22 - M12 * M12;
  const i11 = M22 / det;
  const i12 = -M12 / det;
  const i22 = M11 / det;
  const qdd1 = i11 * u1 + i12 * u2;
  const qdd2 = i12 * u1 + i22 * u2;
  const u11 = -B[0][0] + 2 * h * qd2;
  const u12 = -B[0][1] + 2 * h * (qd1 + qd2);
  const u21 = -B[1][0] - 2 * h * qd1;
  const u22 = -B[1][1];
  const held = heldJoints(p, q1, q2, qd1, qd2, M11, M12, M22, u1, u2, qdd1, qdd2);
  if (held) {
    // A held joint has q̈ = 0; the free one moves alone: q̈_f = u_f/M_ff (∂M11/∂q2 = −2h, M22 constant).
    for (let i = 0; i < 8; i++) dx[ox + i] = 0;
    for (let i = 0; i < 4; i++) du[ou + i] = 0;
    qdd[oq] = 0;
    qdd[oq + 1] = 0;
    if (held === 1) {
      qdd[oq + 1] = u2 / M22;
      dx[ox + 5] = (-hp * qd1 * qd1) / M22;
      dx[ox + 6] = u21 / M22;
      dx[ox + 7] = u22 / M22;
      du[ou + 3] = 1 / M22;
    } else if (held === 2) {
      const b = u1 / M11;
      qdd[oq] = b;
      dx[ox + 1] = (hp * qd2 * (2 * qd1 + qd2) + 2 * h * b) / M11;
      dx[ox + 2] = u11 / M11;
      dx[ox + 3] = u12 / M11;
      du[ou] = 1 / M11;
    }
    return;
  }
  qdd[oq] = qdd1;
  qdd[oq + 1] = qdd2;
  // ∂(M⁻¹u)/∂q2 = M⁻¹(∂u/∂q2 − ∂M/∂q2·q̈), with ∂M11/∂q2 = −2h, ∂M12/∂q2 = −h, ∂M22/∂q2 = 0.
  const r1 = hp * qd2 * (2 * qd1 + qd2) + 2 * h * qdd1 + h * qdd2;
  const r2 = -hp * qd1 * qd1 + h * qdd1;
  dx[ox] = 0;
  dx[ox + 1] = i11 * r1 + i12 * r2;
  dx[ox + 2] = i11 * u11 + i12 * u21;
  dx[ox + 3] = i11 * u12 + i12 * u22;
  dx[ox + 4] = 0;
  dx[ox + 5] = i12 * r1 + i22 * r2;
  dx[ox + 6] = i12 * u11 + i22 * u21;
  dx[ox + 7] = i12 * u12 + i22 * u22;
  du[ou] = i11;
  du[ou + 1] = i12;
  du[ou + 2] = i12;
  du[ou + 3] = i22;
}

