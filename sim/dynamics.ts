/**
 * Analytic two-joint arm in the horizontal plane: kinematics, rigid-body dynamics, an RK4 integrator
 * with joint limits, and the exact Jacobians of one integration step (for the training plant's
 * backward pass).
 *
 * Conventions: shoulder at the origin, +x right, +y forward; q1 = shoulder angle from +x, q2 = elbow
 * angle relative to the upper arm. State x = [q1, q2, q̇1, q̇2] (rad, rad/s). Dynamics
 *   M(q2)·q̈ + c(q2, q̇) = τ − B·q̇ + Jᵀ·F_hand
 * with M11 = a1 + 2·a2·cos q2, M12 = a3 + a2·cos q2, M22 = a3,
 *   a1 = Ic1 + Ic2 + m1·s1² + m2·(l1² + s2²), a2 = m2·l1·s2, a3 = Ic2 + m2·s2²,
 *   c1 = −a2·sin q2·q̇2·(2q̇1 + q̇2), c2 = a2·sin q2·q̇1².
 */
import type { ArmParams } from './arm-params.ts';
import { handForce as fieldForce, type ForceField, type Vec2 } from './force-fields.ts';

export type { Vec2 } from './force-fields.ts';

/** Arm state [q1, q2, q̇1, q̇2] (rad, rad/s). */
export type ArmState = Float64Array | number[];

/** Anything indexable holding numbers (typed arrays or plain arrays). */
type Num = Float64Array | Float32Array | number[];

/** State-dependent hand force (N) from hand position (m), hand velocity (m/s) and time (s). */
export type HandForceFn = (handPos: Vec2, handVel: Vec2, t: number) => Vec2;

/** Options of {@link stepArm}. */
export interface StepOptions {
  /** RK4 steps per control step dt; joint limits are applied after each. Default 1. */
  substeps?: number;
  /** External hand force: a force-field description or a function. Default none. */
  handForce?: ForceField | HandForceFn;
  /** Time at the start of the step (s), passed to time-dependent fields. Default 0. */
  t?: number;
}

function coeffs(p: ArmParams): [number, number, number] {
  const [m1, m2] = p.m;
  const l1 = p.l[0];
  const [s1, s2] = p.s;
  return [p.Ic[0] + p.Ic[1] + m1 * s1 * s1 + m2 * (l1 * l1 + s2 * s2), m2 * l1 * s2, p.Ic[1] + m2 * s2 * s2];
}

/** Elbow and hand positions (m). */
export function forwardKinematics(p: ArmParams, q1: number, q2: number): { elbow: Vec2; hand: Vec2 } {
  const ex = p.l[0] * Math.cos(q1);
  const ey = p.l[0] * Math.sin(q1);
  return { elbow: [ex, ey], hand: [ex + p.l[1] * Math.cos(q1 + q2), ey + p.l[1] * Math.sin(q1 + q2)] };
}

/** Hand position (m). */
export function handPosition(p: ArmParams, q1: number, q2: number): Vec2 {
  return forwardKinematics(p, q1, q2).hand;
}

/** Hand Jacobian ∂(x, y)/∂(q1, q2), row-major [J11, J12, J21, J22] (m/rad). */
export function jacobian(p: ArmParams, q1: number, q2: number): [number, number, number, number] {
  const [l1, l2] = p.l;
  const s1 = Math.sin(q1);
  const c1 = Math.cos(q1);
  const s12 = Math.sin(q1 + q2);
  const c12 = Math.cos(q1 + q2);
  return [-l1 * s1 - l2 * s12, -l2 * s12, l1 * c1 + l2 * c12, l2 * c12];
}

/** Hand velocity J·q̇ (m/s). */
export function handVelocity(p: ArmParams, q1: number, q2: number, qd1: number, qd2: number): Vec2 {
  const J = jacobian(p, q1, q2);
  return [J[0] * qd1 + J[1] * qd2, J[2] * qd1 + J[3] * qd2];
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

function accel(
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
): void {
  const c = Math.cos(q2);
  const h = a2 * Math.sin(q2);
  const M11 = a1 + 2 * a2 * c;
  const M12 = a3 + a2 * c;
  const B = p.B;
  let u1 = t1 - B[0][0] * qd1 - B[0][1] * qd2 + h * qd2 * (2 * qd1 + qd2);
  let u2 = t2 - B[1][0] * qd1 - B[1][1] * qd2 - h * qd1 * qd1;
  if (Fx !== 0 || Fy !== 0) {
    const [l1, l2] = p.l;
    const s12 = Math.sin(q1 + q2);
    const c12 = Math.cos(q1 + q2);
    const J12 = -l2 * s12;
    const J22 = l2 * c12;
    u1 += (-l1 * Math.sin(q1) + J12) * Fx + (l1 * Math.cos(q1) + J22) * Fy;
    u2 += J12 * Fx + J22 * Fy;
  }
  // Same expression order as jac(), so stepArm and stepArmWithJacobian agree to the last bit.
  const det = M11 * a3 - M12 * M12;
  const i11 = a3 / det;
  const i12 = -M12 / det;
  const i22 = M11 / det;
  out[o] = i11 * u1 + i12 * u2;
  out[o + 1] = i12 * u1 + i22 * u2;
}

/**
 * Apply the joint limits to x in place (an inelastic stop): an angle beyond a limit is put on the limit
 * and its velocity, if it points further out, is set to zero. Returns a bit mask of the changed
 * components (bit i set ⇔ x[i] was changed).
 */
export function applyJointLimits(p: ArmParams, x: Num, o = 0): number {
  let mask = 0;
  for (let j = 0; j < 2; j++) {
    const q = x[o + j];
    if (q < p.qMin[j]) {
      x[o + j] = p.qMin[j];
      mask |= 1 << j;
      if (x[o + 2 + j] < 0) {
        x[o + 2 + j] = 0;
        mask |= 1 << (2 + j);
      }
    } else if (q > p.qMax[j]) {
      x[o + j] = p.qMax[j];
      mask |= 1 << j;
      if (x[o + 2 + j] > 0) {
        x[o + 2 + j] = 0;
        mask |= 1 << (2 + j);
      }
    }
  }
  return mask;
}

const sx = new Float64Array(4);
const sk = new Float64Array(16);
const sy = new Float64Array(4);
const sF: Vec2 = [0, 0];

/**
 * Advance the arm by dt seconds with torque τ (N·m) held constant (zero-order hold), using `substeps`
 * RK4 steps and applying the joint limits after each. Writes the new state into `out` (may alias x).
 */
export function stepArm(p: ArmParams, x: ArmState, tau: Num, dt: number, out: ArmState, opts: StepOptions = {}): ArmState {
  const n = opts.substeps ?? 1;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`substeps must be a positive integer, got ${n}`);
  const [a1, a2, a3] = coeffs(p);
  const hf = opts.handForce;
  const t0 = opts.t ?? 0;
  const h = dt / n;
  const t1 = tau[0];
  const t2 = tau[1];
  for (let i = 0; i < 4; i++) sx[i] = x[i];
  const f = (y: Float64Array, t: number, k: number) => {
    let Fx = 0;
    let Fy = 0;
    if (hf) {
      const pos = handPosition(p, y[0], y[1]);
      const vel = handVelocity(p, y[0], y[1], y[2], y[3]);
      const F = typeof hf === 'function' ? hf(pos, vel, t) : fieldForce(hf, t, pos, vel, sF);
      Fx = F[0];
      Fy = F[1];
    }
    sk[4 * k] = y[2];
    sk[4 * k + 1] = y[3];
    accel(p, a1, a2, a3, y[0], y[1], y[2], y[3], t1, t2, Fx, Fy, sk, 4 * k + 2);
  };
  for (let s = 0; s < n; s++) {
    const ts = t0 + s * h;
    f(sx, ts, 0);
    for (let i = 0; i < 4; i++) sy[i] = sx[i] + 0.5 * h * sk[i];
    f(sy, ts + 0.5 * h, 1);
    for (let i = 0; i < 4; i++) sy[i] = sx[i] + 0.5 * h * sk[4 + i];
    f(sy, ts + 0.5 * h, 2);
    for (let i = 0; i < 4; i++) sy[i] = sx[i] + h * sk[8 + i];
    f(sy, ts + h, 3);
    for (let i = 0; i < 4; i++) sx[i] += (h / 6) * (sk[i] + 2 * sk[4 + i] + 2 * sk[8 + i] + sk[12 + i]);
    applyJointLimits(p, sx);
  }
  for (let i = 0; i < 4; i++) out[i] = sx[i];
  return out;
}

/**
 * Continuous-time dynamics and its analytic Jacobian at state x and torque τ (no hand force):
 * q̈ into `qdd[0..1]`, ∂q̈/∂x into `dx` (2×4 row-major; the q1 column is zero because the dynamics do
 * not depend on the shoulder angle) and ∂q̈/∂τ = M⁻¹ into `du` (2×2 row-major).
 */
export function dynamicsJacobian(p: ArmParams, x: ArmState, tau: Num, qdd: Num, dx: Num, du: Num): void {
  const [a1, a2, a3] = coeffs(p);
  jac(p.B, a1, a2, a3, x[1], x[2], x[3], tau[0], tau[1], qdd, 0, dx, 0, du, 0);
}

function jac(
  B: ArmParams['B'],
  a1: number,
  a2: number,
  a3: number,
  q2: number,
  qd1: number,
  qd2: number,
  t1: number,
  t2: number,
  qdd: Num,
  oq: number,
  dx: Num,
  ox: number,
  du: Num,
  ou: number,
): void {
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
  qdd[oq] = qdd1;
  qdd[oq + 1] = qdd2;
  // ∂(M⁻¹u)/∂q2 = M⁻¹(∂u/∂q2 − ∂M/∂q2·q̈), with ∂M11/∂q2 = −2h, ∂M12/∂q2 = −h, ∂M22/∂q2 = 0.
  const r1 = hp * qd2 * (2 * qd1 + qd2) + 2 * h * qdd1 + h * qdd2;
  const r2 = -hp * qd1 * qd1 + h * qdd1;
  const u11 = -B[0][0] + 2 * h * qd2;
  const u12 = -B[0][1] + 2 * h * (qd1 + qd2);
  const u21 = -B[1][0] - 2 * h * qd1;
  const u22 = -B[1][1];
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

// Scratch for the Jacobian step (single-threaded JS: module-level buffers keep the hot path allocation-free).
const jx = new Float64Array(4); // substep start state
const jy = new Float64Array(4); // stage state
const jk = new Float64Array(16); // stage derivatives k1..k4
const jq = new Float64Array(2); // q̈ at a stage
const jdx = new Float64Array(8); // ∂q̈/∂x at a stage
const jdu = new Float64Array(4); // ∂q̈/∂τ at a stage
const jD = new Float64Array(16); // ∂(stage state)/∂(substep start state)
const jDu = new Float64Array(8); // ∂(stage state)/∂τ
const jK = new Float64Array(16); // ∂k/∂x at the current stage
const jKu = new Float64Array(8); // ∂k/∂τ at the current stage
const jAs = new Float64Array(16); // ∂(substep end)/∂(substep start), accumulated over the stages
const jBs = new Float64Array(8);
const jS = new Float64Array(16); // ∂(state)/∂(step start), accumulated over substeps
const jT = new Float64Array(8);
const jTmp = new Float64Array(16);
const jTmpU = new Float64Array(8);

/** One RK4 stage: k = f(y), K = F(y)·D, Ku = F(y)·Du + G(y), with F = [[0, I], [∂q̈/∂x]] and G = [[0], [M⁻¹]]. */
function stage(
  B: ArmParams['B'],
  a1: number,
  a2: number,
  a3: number,
  t1: number,
  t2: number,
  k: number,
  first: boolean,
): void {
  jac(B, a1, a2, a3, jy[1], jy[2], jy[3], t1, t2, jq, 0, jdx, 0, jdu, 0);
  const ko = 4 * k;
  jk[ko] = jy[2];
  jk[ko + 1] = jy[3];
  jk[ko + 2] = jq[0];
  jk[ko + 3] = jq[1];
  if (first) {
    // D = I, Du = 0.
    for (let c = 0; c < 4; c++) {
      jK[c] = c === 2 ? 1 : 0;
      jK[4 + c] = c === 3 ? 1 : 0;
      jK[8 + c] = jdx[c];
      jK[12 + c] = jdx[4 + c];
    }
    for (let c = 0; c < 2; c++) {
      jKu[c] = 0;
      jKu[2 + c] = 0;
      jKu[4 + c] = jdu[c];
      jKu[6 + c] = jdu[2 + c];
    }
    return;
  }
  for (let c = 0; c < 4; c++) {
    const d1 = jD[4 + c];
    const d2 = jD[8 + c];
    const d3 = jD[12 + c];
    jK[c] = d2;
    jK[4 + c] = d3;
    jK[8 + c] = jdx[0] * jD[c] + jdx[1] * d1 + jdx[2] * d2 + jdx[3] * d3;
    jK[12 + c] = jdx[4] * jD[c] + jdx[5] * d1 + jdx[6] * d2 + jdx[7] * d3;
  }
  for (let c = 0; c < 2; c++) {
    const d1 = jDu[2 + c];
    const d2 = jDu[4 + c];
    const d3 = jDu[6 + c];
    jKu[c] = d2;
    jKu[2 + c] = d3;
    jKu[4 + c] = jdx[0] * jDu[c] + jdx[1] * d1 + jdx[2] * d2 + jdx[3] * d3 + jdu[c];
    jKu[6 + c] = jdx[4] * jDu[c] + jdx[5] * d1 + jdx[6] * d2 + jdx[7] * d3 + jdu[2 + c];
  }
}

/** Prepare the next stage input y = x + a·k, D = I + a·K, Du = a·Ku, and add w·K, w·Ku to the step Jacobian. */
function advanceStage(k: number, a: number, w: number): void {
  const ko = 4 * k;
  for (let i = 0; i < 4; i++) jy[i] = jx[i] + a * jk[ko + i];
  for (let i = 0; i < 16; i++) {
    jD[i] = a * jK[i] + ((i & 3) === i >> 2 ? 1 : 0);
    jAs[i] += w * jK[i];
  }
  for (let i = 0; i < 8; i++) {
    jDu[i] = a * jKu[i];
    jBs[i] += w * jKu[i];
  }
}

function stepJacCore(
  p: ArmParams,
  a1: number,
  a2: number,
  a3: number,
  x: Num,
  ox: number,
  t1: number,
  t2: number,
  h: number,
  n: number,
  out: Num,
  oo: number,
  A: Num,
  oa: number,
  Bu: Num,
  ob: number,
): void {
  const B = p.B;
  for (let i = 0; i < 4; i++) jx[i] = x[ox + i];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < 16; i++) jAs[i] = (i & 3) === i >> 2 ? 1 : 0;
    jBs.fill(0);
    for (let i = 0; i < 4; i++) jy[i] = jx[i];
    stage(B, a1, a2, a3, t1, t2, 0, true);
    advanceStage(0, 0.5 * h, h / 6);
    stage(B, a1, a2, a3, t1, t2, 1, false);
    advanceStage(1, 0.5 * h, h / 3);
    stage(B, a1, a2, a3, t1, t2, 2, false);
    advanceStage(2, h, h / 3);
    stage(B, a1, a2, a3, t1, t2, 3, false);
    for (let i = 0; i < 16; i++) jAs[i] += (h / 6) * jK[i];
    for (let i = 0; i < 8; i++) jBs[i] += (h / 6) * jKu[i];
    for (let i = 0; i < 4; i++) jx[i] += (h / 6) * (jk[i] + 2 * jk[4 + i] + 2 * jk[8 + i] + jk[12 + i]);
    const mask = applyJointLimits(p, jx);
    // A clamped component no longer depends on its inputs: zero its row.
    if (mask) {
      for (let r = 0; r < 4; r++) {
        if (mask & (1 << r)) {
          for (let c = 0; c < 4; c++) jAs[4 * r + c] = 0;
          jBs[2 * r] = 0;
          jBs[2 * r + 1] = 0;
        }
      }
    }
    if (s === 0) {
      jS.set(jAs);
      jT.set(jBs);
    } else {
      // S ← As·S, T ← As·T + Bs.
      for (let r = 0; r < 4; r++) {
        const a0 = jAs[4 * r];
        const a1r = jAs[4 * r + 1];
        const a2r = jAs[4 * r + 2];
        const a3r = jAs[4 * r + 3];
        for (let c = 0; c < 4; c++) jTmp[4 * r + c] = a0 * jS[c] + a1r * jS[4 + c] + a2r * jS[8 + c] + a3r * jS[12 + c];
        for (let c = 0; c < 2; c++) {
          jTmpU[2 * r + c] = a0 * jT[c] + a1r * jT[2 + c] + a2r * jT[4 + c] + a3r * jT[6 + c] + jBs[2 * r + c];
        }
      }
      jS.set(jTmp);
      jT.set(jTmpU);
    }
  }
  for (let i = 0; i < 4; i++) out[oo + i] = jx[i];
  for (let i = 0; i < 16; i++) A[oa + i] = jS[i];
  for (let i = 0; i < 8; i++) Bu[ob + i] = jT[i];
}

function checkSubsteps(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`substeps must be a positive integer, got ${n}`);
}

/**
 * The same step as {@link stepArm} without hand force, plus its exact Jacobians:
 * A = ∂x'/∂x (4×4 row-major, 16 numbers) and Bu = ∂x'/∂τ (4×2 row-major, 8 numbers), chained
 * analytically through the RK4 stages, the substeps and the joint-limit clamp. `out` may alias x.
 */
export function stepArmWithJacobian(
  p: ArmParams,
  x: ArmState,
  tau: Num,
  dt: number,
  substeps: number,
  out: ArmState,
  A: Num,
  Bu: Num,
): void {
  checkSubsteps(substeps);
  const [a1, a2, a3] = coeffs(p);
  stepJacCore(p, a1, a2, a3, x, 0, tau[0], tau[1], dt / substeps, substeps, out, 0, A, 0, Bu, 0);
}

/**
 * Batched {@link stepArmWithJacobian} over n arms sharing parameters: X [n, 4], Tau [n, 2] in;
 * Xout [n, 4], A [n, 4, 4], Bu [n, 4, 2] out (row-major; Xout may alias X). Float32 buffers are accepted
 * and computed in float64 internally.
 */
export function stepArmBatchWithJacobian(
  p: ArmParams,
  n: number,
  X: Num,
  Tau: Num,
  dt: number,
  substeps: number,
  Xout: Num,
  A: Num,
  Bu: Num,
): void {
  checkSubsteps(substeps);
  if (X.length < 4 * n || Tau.length < 2 * n || Xout.length < 4 * n || A.length < 16 * n || Bu.length < 8 * n) {
    throw new Error(`stepArmBatchWithJacobian: buffers too small for ${n} arms`);
  }
  const [a1, a2, a3] = coeffs(p);
  const h = dt / substeps;
  for (let b = 0; b < n; b++) {
    stepJacCore(p, a1, a2, a3, X, 4 * b, Tau[2 * b], Tau[2 * b + 1], h, substeps, Xout, 4 * b, A, 16 * b, Bu, 8 * b);
  }
}

