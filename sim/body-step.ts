/**
 * The analytic integrator of every body: classical RK4 on the full state x = [q, q̇, actuator state] with
 * the inputs held over the control step (zero-order hold), `substeps` RK4 steps per step, and the exact
 * Jacobians of one step (for the training plant's backward pass). It calls only the skeleton's dynamics
 * and the actuator interface.
 *
 * Limits: every RK4 stage input and every substep result is put back inside the body's limits (joint
 * angles, joint speed ≤ MAX_JOINT_SPEED, actuator state range) by {@link applyBodyLimits}. So any finite
 * input gives a finite state inside the limits: a stage can no longer evaluate the dynamics at an angle
 * or speed the arm cannot have (which used to overflow to NaN at 1e6 N·m and steer huge torques into
 * the wrong joint-limit corner). Inputs are clamped to the actuator's range (excitations to [floor, 1])
 * once per step. The Jacobians treat each clamp as the piecewise map it is: a clamped component's row is
 * zero, a clamped input's column is zero.
 */
import type { Actuator } from './actuators/actuator.ts';
import type { Body } from './body.ts';
import { affineField, handForce as fieldForce, isActiveField, type ForceField } from './force-fields.ts';
import { accel, applyJointLimits, coeffs, handPosition, handVelocity, jac, type HandForceFn, type Num, type Vec2 } from './skeleton.ts';

/** Options of {@link stepBody}. */
export interface StepOptions {
  /** RK4 steps per control step dt. Default 1. */
  substeps?: number;
  /** External hand force: a force-field description or a function. Default none. */
  handForce?: ForceField | HandForceFn;
  /** Time at the start of the step (s), passed to time-dependent fields. Default 0. */
  t?: number;
}

/**
 * Put a body state back inside the limits in place: joint angles and speeds ({@link applyJointLimits}),
 * then the actuator state. Returns a mask with bit i set ⇔ x[o + i] changed.
 */
export function applyBodyLimits(b: Body, x: Num, o = 0): number {
  return applyJointLimits(b.skeleton, x, o) | (b.actuator.clampState(x, o + 4) << 4);
}

export function checkSubsteps(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`substeps must be a positive integer, got ${n}`);
}

// Scratch (single-threaded JS: module-level buffers keep the hot paths allocation-free), sized on demand.
let cap = { nx: 0, nu: 0 };
let sx = new Float64Array(0); // forward step: substep start state
let sy = new Float64Array(0); // forward step: stage state
let sk = new Float64Array(0); // forward step: k1..k4
let su = new Float64Array(0); // clamped inputs
const sTau = new Float64Array(2);
const sF: Vec2 = [0, 0];
let jx = new Float64Array(0); // substep start state
let jy = new Float64Array(0); // stage state
let jk = new Float64Array(0); // stage derivatives k1..k4
const jq = new Float64Array(2); // q̈ at a stage
const jTau = new Float64Array(2); // τ at a stage
const jdx = new Float64Array(8); // ∂q̈/∂(q, q̇) at fixed τ
const jdu = new Float64Array(4); // M⁻¹
let jdT = new Float64Array(0); // ∂τ/∂x, ∂τ/∂u from the actuator
let jQx = new Float64Array(0); // ∂q̈/∂x (2 × nx)
let jQu = new Float64Array(0); // ∂q̈/∂u (2 × nu)
let jdR = new Float64Array(0); // actuator rate partials [∂g_i/∂s_i, ∂g_i/∂u_i]
// The Jacobian step keeps only the entries that can be non-zero. Rows 0–3 (joints) are dense; the actuator
// rows of every matrix hold one entry each (each state variable follows its own input: the diagonal of
// ∂/∂x and entry i of row 4 + i of ∂/∂u), stored as vectors; rows 0, 1 of a stage's ∂k (∂q̇ = rows 2, 3 of
// that stage's D) are read from D rather than copied.
let jD = new Float64Array(0); // ∂(stage state)/∂(substep start state): joint rows (4 × nx)
let jDd = new Float64Array(0); // … its actuator diagonal (ns)
let jDu = new Float64Array(0); // ∂(stage state)/∂u: joint rows (4 × nu)
let jDud = new Float64Array(0); // … its actuator entries (ns)
let jK = new Float64Array(0); // ∂q̈/∂(substep start) at the current stage: rows 2, 3 of ∂k (2 × nx)
let jKd = new Float64Array(0); // … the actuator diagonal of ∂k (ns)
let jKu = new Float64Array(0); // ∂q̈/∂u at the current stage (2 × nu)
let jKud = new Float64Array(0); // … the actuator entries of ∂k/∂u (ns)
let jAs = new Float64Array(0); // ∂(substep end)/∂(substep start): joint rows (4 × nx)
let jAsd = new Float64Array(0); // … its actuator diagonal (ns)
let jBs = new Float64Array(0); // ∂(substep end)/∂u: joint rows (4 × nu)
let jBsd = new Float64Array(0); // … its actuator entries (ns)
let jAf = new Float64Array(0); // the substep's full ∂(end)/∂(start) and ∂(end)/∂u, for chaining substeps
let jBf = new Float64Array(0);
let jS = new Float64Array(0); // ∂(state)/∂(step start), accumulated over substeps
let jT = new Float64Array(0);
let jTmp = new Float64Array(0);
let jTmpU = new Float64Array(0);
// The Jacobian step's numbers live in arrays so that its calls pass no doubles (V8 boxes each one):
// [a1, a2, a3] = coeffs(skeleton); [substep h (s), step start time (s), current stage time (s)].
const jCoef = new Float64Array(3);
const jStep = new Float64Array(3);
// Hand force in the Jacobian step: the field (null: none), F = K·v + F0, and ∂(Jᵀ F)/∂(q, q̇) (2 × 4).
let jField: ForceField | null = null;
const jFK = new Float64Array(4);
const jF0 = new Float64Array(2);
const jE = new Float64Array(8);

function ensureScratch(nx: number, nu: number): void {
  if (nx <= cap.nx && nu <= cap.nu) return;
  nx = Math.max(nx, cap.nx);
  nu = Math.max(nu, cap.nu);
  cap = { nx, nu };
  sx = new Float64Array(nx);
  sy = new Float64Array(nx);
  sk = new Float64Array(4 * nx);
  su = new Float64Array(nu);
  jx = new Float64Array(nx);
  jy = new Float64Array(nx);
  jk = new Float64Array(4 * nx);
  jdT = new Float64Array(2 * (nx + nu));
  jQx = new Float64Array(2 * nx);
  jQu = new Float64Array(2 * nu);
  jdR = new Float64Array(2 * nx);
  jD = new Float64Array(4 * nx);
  jDd = new Float64Array(nx);
  jDu = new Float64Array(4 * nu);
  jDud = new Float64Array(nx);
  jK = new Float64Array(2 * nx);
  jKd = new Float64Array(nx);
  jKu = new Float64Array(2 * nu);
  jKud = new Float64Array(nx);
  jAs = new Float64Array(4 * nx);
  jAsd = new Float64Array(nx);
  jBs = new Float64Array(4 * nu);
  jBsd = new Float64Array(nx);
  jAf = new Float64Array(nx * nx);
  jBf = new Float64Array(nx * nu);
  jS = new Float64Array(nx * nx);
  jTmp = new Float64Array(nx * nx);
  jT = new Float64Array(nx * nu);
  jTmpU = new Float64Array(nx * nu);
}

/**
 * Advance the body by dt seconds with inputs u held constant (zero-order hold), in `substeps` RK4 steps,
 * keeping every stage inside the limits. Writes the new state into `out` (may alias x).
 */
export function stepBody(b: Body, x: Num, u: Num, dt: number, out: Num, opts: StepOptions = {}): Num {
  const n = opts.substeps ?? 1;
  checkSubsteps(n);
  const p = b.skeleton;
  const act = b.actuator;
  const nx = 4 + act.nState;
  const nu = act.nInputs;
  ensureScratch(nx, nu);
  const [a1, a2, a3] = coeffs(p);
  const hf = opts.handForce;
  const t0 = opts.t ?? 0;
  const h = dt / n;
  for (let i = 0; i < nu; i++) su[i] = act.clampInput(u[i], i);
  for (let i = 0; i < nx; i++) sx[i] = x[i];
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
    act.jointTorques(y, 0, su, 0, sTau, null);
    const o = nx * k;
    sk[o] = y[2];
    sk[o + 1] = y[3];
    accel(p, a1, a2, a3, y[0], y[1], y[2], y[3], sTau[0], sTau[1], Fx, Fy, sk, o + 2);
    act.stateRate(y, 4, su, 0, sk, o + 4, null);
  };
  for (let s = 0; s < n; s++) {
    const ts = t0 + s * h;
    f(sx, ts, 0);
    for (let i = 0; i < nx; i++) sy[i] = sx[i] + 0.5 * h * sk[i];
    applyBodyLimits(b, sy);
    f(sy, ts + 0.5 * h, 1);
    for (let i = 0; i < nx; i++) sy[i] = sx[i] + 0.5 * h * sk[nx + i];
    applyBodyLimits(b, sy);
    f(sy, ts + 0.5 * h, 2);
    for (let i = 0; i < nx; i++) sy[i] = sx[i] + h * sk[2 * nx + i];
    applyBodyLimits(b, sy);
    f(sy, ts + h, 3);
    for (let i = 0; i < nx; i++) sx[i] += (h / 6) * (sk[i] + 2 * sk[nx + i] + 2 * sk[2 * nx + i] + sk[3 * nx + i]);
    applyBodyLimits(b, sx);
  }
  for (let i = 0; i < nx; i++) out[i] = sx[i];
  return out;
}

let ak = new Float64Array(0);
let ay = new Float64Array(0);

/**
 * Advance an actuator state s (in place) by h seconds with the (clamped) inputs u held: the actuator rows
 * of {@link stepBody}'s RK4 step, stage clamps included, for engines that move the joints themselves.
 */
export function stepActuatorState(act: Actuator, s: Float64Array, u: Num, h: number): void {
  const n = act.nState;
  if (ak.length < 4 * n) {
    ak = new Float64Array(4 * n);
    ay = new Float64Array(n);
  }
  act.stateRate(s, 0, u, 0, ak, 0, null);
  for (let i = 0; i < n; i++) ay[i] = s[i] + 0.5 * h * ak[i];
  act.clampState(ay, 0);
  act.stateRate(ay, 0, u, 0, ak, n, null);
  for (let i = 0; i < n; i++) ay[i] = s[i] + 0.5 * h * ak[n + i];
  act.clampState(ay, 0);
  act.stateRate(ay, 0, u, 0, ak, 2 * n, null);
  for (let i = 0; i < n; i++) ay[i] = s[i] + h * ak[2 * n + i];
  act.clampState(ay, 0);
  act.stateRate(ay, 0, u, 0, ak, 3 * n, null);
  for (let i = 0; i < n; i++) s[i] += (h / 6) * (ak[i] + 2 * ak[n + i] + 2 * ak[2 * n + i] + ak[3 * n + i]);
  act.clampState(s, 0);
}

/** One RK4 stage at jy: k = f(y), K = F(y)·D, Ku = F(y)·Du + G(y), with F = ∂f/∂x and G = ∂f/∂u. */
function stage(b: Body, nx: number, nu: number, k: number, first: boolean): void {
  const act = b.actuator;
  const ns = nx - 4;
  act.jointTorques(jy, 0, su, 0, jTau, jdT);
  if (jField) addHandForceTorque(b, jStep[2]);
  jac(b.skeleton, jCoef, jy, jTau, jq, 0, jdx, 0, jdu, 0);
  // ∂q̈/∂x = ∂q̈/∂(q, q̇) at fixed τ (zero on the actuator columns), + M⁻¹·∂τ/∂x when τ depends on the
  // state, + M⁻¹·∂(Jᵀ F)/∂(q, q̇) under a hand force: one pass, each entry's terms added in that order.
  const du0 = jdu[0];
  const du1 = jdu[1];
  const du2 = jdu[2];
  const du3 = jdu[3];
  const dep = act.torqueDependsOnState;
  const field = jField !== null;
  for (let c = 0; c < nx; c++) {
    let v1 = c < 4 ? jdx[c] : 0;
    let v2 = c < 4 ? jdx[4 + c] : 0;
    if (dep) {
      const t1 = jdT[c];
      const t2 = jdT[nx + c];
      v1 += du0 * t1 + du1 * t2;
      v2 += du2 * t1 + du3 * t2;
    }
    if (field && c < 4) {
      v1 += du0 * jE[c] + du1 * jE[4 + c];
      v2 += du2 * jE[c] + du3 * jE[4 + c];
    }
    jQx[c] = v1;
    jQx[nx + c] = v2;
  }
  const ou = 2 * nx;
  for (let c = 0; c < nu; c++) {
    const t1 = jdT[ou + c];
    const t2 = jdT[ou + nu + c];
    jQu[c] = du0 * t1 + du1 * t2;
    jQu[nu + c] = du2 * t1 + du3 * t2;
  }
  const ko = nx * k;
  jk[ko] = jy[2];
  jk[ko + 1] = jy[3];
  jk[ko + 2] = jq[0];
  jk[ko + 3] = jq[1];
  act.stateRate(jy, 4, su, 0, jk, ko + 4, jdR);
  const K = jK;
  const Ku = jKu;
  const Q = jQx;
  const R = jdR;
  if (first) {
    // D = I, Du = 0.
    for (let c = 0; c < nx; c++) {
      K[c] = Q[c];
      K[nx + c] = Q[nx + c];
    }
    for (let c = 0; c < nu; c++) {
      Ku[c] = jQu[c];
      Ku[nu + c] = jQu[nu + c];
    }
    for (let i = 0; i < ns; i++) {
      jKd[i] = R[2 * i];
      jKud[i] = R[2 * i + 1];
    }
    return;
  }
  // The actuator block of D and Du is diagonal (each state variable follows its own input), so only the
  // diagonal entries of the actuator rows enter.
  const D = jD;
  const Du = jDu;
  const q0 = Q[0];
  const q1 = Q[1];
  const q2 = Q[2];
  const q3 = Q[3];
  const r0 = Q[nx];
  const r1 = Q[nx + 1];
  const r2 = Q[nx + 2];
  const r3 = Q[nx + 3];
  for (let c = 0; c < nx; c++) {
    const d0 = D[c];
    const d1 = D[nx + c];
    const d2 = D[2 * nx + c];
    const d3 = D[3 * nx + c];
    let v1 = q0 * d0 + q1 * d1 + q2 * d2 + q3 * d3;
    let v2 = r0 * d0 + r1 * d1 + r2 * d2 + r3 * d3;
    if (c >= 4) {
      const d = jDd[c - 4];
      v1 += Q[c] * d;
      v2 += Q[nx + c] * d;
      jKd[c - 4] = R[2 * (c - 4)] * d;
    }
    K[c] = v1;
    K[nx + c] = v2;
  }
  for (let c = 0; c < nu; c++) {
    const d0 = Du[c];
    const d1 = Du[nu + c];
    const d2 = Du[2 * nu + c];
    const d3 = Du[3 * nu + c];
    let v1 = q0 * d0 + q1 * d1 + q2 * d2 + q3 * d3;
    let v2 = r0 * d0 + r1 * d1 + r2 * d2 + r3 * d3;
    if (c < ns) {
      const d = jDud[c];
      v1 += Q[4 + c] * d;
      v2 += Q[nx + 4 + c] * d;
      jKud[c] = R[2 * c] * d + R[2 * c + 1];
    }
    Ku[c] = v1 + jQu[c];
    Ku[nu + c] = v2 + jQu[nu + c];
  }
}

/**
 * Add the hand force's joint torque Jᵀ F at the stage state jy and time t (s) to jTau, and its
 * derivatives into jE: with F = K·v + F0, v = J q̇, ∂(Jᵀ F)/∂q̇ = Jᵀ K J and
 * ∂(Jᵀ F)/∂q_k = (∂J/∂q_k)ᵀ F + Jᵀ K (∂J/∂q_k) q̇.
 */
function addHandForceTorque(b: Body, t: number): void {
  const [l1, l2] = b.skeleton.l;
  const q1 = jy[0];
  const q2 = jy[1];
  const qd1 = jy[2];
  const qd2 = jy[3];
  affineField(jField!, t, jFK, jF0);
  const s1 = Math.sin(q1);
  const c1 = Math.cos(q1);
  const s12 = Math.sin(q1 + q2);
  const c12 = Math.cos(q1 + q2);
  // J = [[J11, J12], [J21, J22]]; ∂J/∂q1 = [[−J21, −J22], [J11, J12]], ∂J/∂q2 = [[−J22, −J22], [J12, J12]].
  const J11 = -l1 * s1 - l2 * s12;
  const J12 = -l2 * s12;
  const J21 = l1 * c1 + l2 * c12;
  const J22 = l2 * c12;
  const [K11, K12, K21, K22] = jFK;
  const vx = J11 * qd1 + J12 * qd2;
  const vy = J21 * qd1 + J22 * qd2;
  const Fx = K11 * vx + K12 * vy + jF0[0];
  const Fy = K21 * vx + K22 * vy + jF0[1];
  jTau[0] += J11 * Fx + J21 * Fy;
  jTau[1] += J12 * Fx + J22 * Fy;
  const dJ = [
    [-J21, -J22, J11, J12],
    [-J22, -J22, J12, J12],
  ];
  for (let k = 0; k < 2; k++) {
    const [d11, d12, d21, d22] = dJ[k];
    const dvx = d11 * qd1 + d12 * qd2;
    const dvy = d21 * qd1 + d22 * qd2;
    const dFx = K11 * dvx + K12 * dvy;
    const dFy = K21 * dvx + K22 * dvy;
    jE[k] = d11 * Fx + d21 * Fy + J11 * dFx + J21 * dFy;
    jE[4 + k] = d12 * Fx + d22 * Fy + J12 * dFx + J22 * dFy;
  }
  // ∂F/∂q̇_k = K·(column k of J).
  const cols = [
    [J11, J21],
    [J12, J22],
  ];
  for (let k = 0; k < 2; k++) {
    const [jx0, jy0] = cols[k];
    const dFx = K11 * jx0 + K12 * jy0;
    const dFy = K21 * jx0 + K22 * jy0;
    jE[2 + k] = J11 * dFx + J21 * dFy;
    jE[6 + k] = J12 * dFx + J22 * dFy;
  }
}

/**
 * Add w·∂k (rows 0, 1: rows 2, 3 of the stage's D; rows 2, 3: K; the actuator diagonal) to the substep
 * Jacobian; with `a` > 0 also make the next stage's D = I + a·∂k, Du = a·∂k/∂u. Rows 0, 1 go first: they
 * read rows 2, 3 of the D being replaced.
 */
function accumulateStage(nx: number, nu: number, ns: number, k: number): void {
  // RK4 weights of stage k (h/6, h/3, h/3, h/6) and the step to the next stage's input (h/2, h/2, h); k = 3 has no next stage.
  const h = jStep[0];
  const a = k === 2 ? h : 0.5 * h;
  const w = k === 0 || k === 3 ? h / 6 : h / 3;
  const next = k < 3;
  const D = jD;
  const Du = jDu;
  const K = jK;
  const Ku = jKu;
  const As = jAs;
  const Bs = jBs;
  const n2 = 2 * nx;
  const u2 = 2 * nu;
  // The same loops with and without the next stage's D, Du (no branch per entry).
  if (next) {
    for (let i = 0; i < n2; i++) {
      const v = D[n2 + i];
      D[i] = a * v + 0;
      As[i] += w * v;
    }
    for (let i = 0; i < n2; i++) {
      const v = K[i];
      D[n2 + i] = a * v + 0;
      As[n2 + i] += w * v;
    }
    for (let i = 0; i < ns; i++) {
      const v = jKd[i];
      jDd[i] = a * v + 1;
      jAsd[i] += w * v;
    }
    for (let i = 0; i < u2; i++) {
      const v = Du[u2 + i];
      Du[i] = a * v;
      Bs[i] += w * v;
    }
    for (let i = 0; i < u2; i++) {
      const v = Ku[i];
      Du[u2 + i] = a * v;
      Bs[u2 + i] += w * v;
    }
    for (let i = 0; i < ns; i++) {
      const v = jKud[i];
      jDud[i] = a * v;
      jBsd[i] += w * v;
    }
    for (let r = 0; r < 4; r++) D[r * nx + r] += 1;
    return;
  }
  for (let i = 0; i < n2; i++) As[i] += w * D[n2 + i];
  for (let i = 0; i < n2; i++) As[n2 + i] += w * K[i];
  for (let i = 0; i < ns; i++) jAsd[i] += w * jKd[i];
  for (let i = 0; i < u2; i++) Bs[i] += w * Du[u2 + i];
  for (let i = 0; i < u2; i++) Bs[u2 + i] += w * Ku[i];
  for (let i = 0; i < ns; i++) jBsd[i] += w * jKud[i];
}

/** Next stage input y = clamp(x + a·k) and its D, Du (rows of clamped components zero), adding w·∂k to the substep Jacobian. */
function advanceStage(b: Body, nx: number, nu: number, k: number): void {
  const ko = nx * k;
  const h = jStep[0];
  const a = k === 2 ? h : 0.5 * h;
  for (let i = 0; i < nx; i++) jy[i] = jx[i] + a * jk[ko + i];
  accumulateStage(nx, nu, nx - 4, k);
  const mask = applyBodyLimits(b, jy);
  if (mask) zeroRows(mask, nx, nu, jD, jDd, jDu, jDud);
}

/** Zero the rows set in `mask` of a compact pair (joint rows M, Mu; actuator entries Md, Mud). */
function zeroRows(mask: number, nx: number, nu: number, M: Float64Array, Md: Float64Array, Mu: Float64Array, Mud: Float64Array): void {
  for (let r = 0; r < nx; r++) {
    if (!(mask & (1 << r))) continue;
    if (r < 4) {
      M.fill(0, r * nx, (r + 1) * nx);
      Mu.fill(0, r * nu, (r + 1) * nu);
    } else {
      Md[r - 4] = 0;
      Mud[r - 4] = 0;
    }
  }
}

/** The compact substep Jacobian written out in full: ∂(end)/∂(start) into A[oa …] (nx × nx), ∂(end)/∂u into Bu[ob …] (nx × nu), columns of `clipped` inputs zero. */
function writeFull(nx: number, nu: number, A: Num, oa: number, Bu: Num, ob: number, clipped: number): void {
  const n4 = 4 * nx;
  for (let i = 0; i < n4; i++) A[oa + i] = jAs[i];
  for (let r = 4; r < nx; r++) {
    const o = oa + r * nx;
    for (let c = 0; c < nx; c++) A[o + c] = c === r ? jAsd[r - 4] : 0;
  }
  for (let r = 0; r < nx; r++) {
    const o = ob + r * nu;
    for (let c = 0; c < nu; c++) {
      Bu[o + c] = clipped & (1 << c) ? 0 : r < 4 ? jBs[r * nu + c] : c === r - 4 ? jBsd[r - 4] : 0;
    }
  }
}

/** The substep Jacobian in the compact layout ({@link compactJacobianSize}), columns of `clipped` inputs zero. */
function writeCompact(nx: number, nu: number, A: Num, oa: number, Bu: Num, ob: number, clipped: number): void {
  const ns = nx - 4;
  const n4 = 4 * nx;
  for (let i = 0; i < n4; i++) A[oa + i] = jAs[i];
  for (let i = 0; i < ns; i++) A[oa + n4 + i] = jAsd[i];
  for (let r = 0; r < 4; r++) {
    const o = r * nu;
    for (let c = 0; c < nu; c++) Bu[ob + o + c] = clipped & (1 << c) ? 0 : jBs[o + c];
  }
  const u4 = 4 * nu;
  for (let i = 0; i < ns; i++) Bu[ob + u4 + i] = clipped & (1 << i) ? 0 : jBsd[i];
}

function stepJacCore(b: Body, x: Num, ox: number, u: Num, ouIn: number, n: number, out: Num, oo: number, A: Num, oa: number, Bu: Num, ob: number, compact: boolean): void {
  const h = jStep[0];
  const t0 = jStep[1];
  const act = b.actuator;
  const nx = 4 + act.nState;
  const nu = act.nInputs;
  const ns = act.nState;
  let clipped = 0;
  for (let i = 0; i < nu; i++) {
    const v = u[ouIn + i];
    su[i] = act.clampInput(v, i);
    if (su[i] !== v) clipped |= 1 << i;
  }
  for (let i = 0; i < nx; i++) jx[i] = x[ox + i];
  const nn = nx * nx;
  const nb = nx * nu;
  for (let s = 0; s < n; s++) {
    const ts = t0 + s * h;
    // As = I, Bs = 0; D = I, Du = 0 before the first stage (whose ∂k rows 0, 1 are rows 2, 3 of D).
    // Plain loops: TypedArray fill is a call into C++, dearer than these few stores.
    for (let i = 0; i < 4 * nx; i++) {
      jAs[i] = 0;
      jD[i] = 0;
    }
    for (let i = 0; i < 4 * nu; i++) {
      jBs[i] = 0;
      jDu[i] = 0;
    }
    for (let r = 0; r < 4; r++) {
      jAs[r * nx + r] = 1;
      jD[r * nx + r] = 1;
    }
    for (let i = 0; i < ns; i++) {
      jAsd[i] = 1;
      jBsd[i] = 0;
    }
    for (let i = 0; i < nx; i++) jy[i] = jx[i];
    jStep[2] = ts;
    stage(b, nx, nu, 0, true);
    advanceStage(b, nx, nu, 0);
    jStep[2] = ts + 0.5 * h;
    stage(b, nx, nu, 1, false);
    advanceStage(b, nx, nu, 1);
    stage(b, nx, nu, 2, false);
    advanceStage(b, nx, nu, 2);
    jStep[2] = ts + h;
    stage(b, nx, nu, 3, false);
    accumulateStage(nx, nu, ns, 3);
    for (let i = 0; i < nx; i++) jx[i] += (h / 6) * (jk[i] + 2 * jk[nx + i] + 2 * jk[2 * nx + i] + jk[3 * nx + i]);
    const mask = applyBodyLimits(b, jx);
    if (mask) zeroRows(mask, nx, nu, jAs, jAsd, jBs, jBsd);
    if (n === 1) break;
    writeFull(nx, nu, jAf, 0, jBf, 0, 0);
    if (s === 0) {
      for (let i = 0; i < nn; i++) jS[i] = jAf[i];
      for (let i = 0; i < nb; i++) jT[i] = jBf[i];
    } else {
      // S ← As·S, T ← As·T + Bs.
      for (let r = 0; r < nx; r++) {
        const ro = r * nx;
        // Zero entries of As (the actuator block is diagonal) are skipped.
        for (let c = 0; c < nx; c++) {
          let v = jAf[ro] * jS[c];
          for (let m = 1; m < nx; m++) {
            const a = jAf[ro + m];
            if (a !== 0) v += a * jS[m * nx + c];
          }
          jTmp[ro + c] = v;
        }
        for (let c = 0; c < nu; c++) {
          let v = jAf[ro] * jT[c];
          for (let m = 1; m < nx; m++) {
            const a = jAf[ro + m];
            if (a !== 0) v += a * jT[m * nu + c];
          }
          jTmpU[r * nu + c] = v + jBf[r * nu + c];
        }
      }
      jS.set(jTmp.subarray(0, nn));
      jT.set(jTmpU.subarray(0, nb));
    }
  }
  for (let i = 0; i < nx; i++) out[oo + i] = jx[i];
  if (n > 1 && !compact) {
    for (let i = 0; i < nn; i++) A[oa + i] = jS[i];
    for (let i = 0; i < nb; i++) Bu[ob + i] = clipped & (1 << i % nu) ? 0 : jT[i];
    return;
  }
  if (n > 1) {
    // The product of substeps keeps the layout (actuator rows: one entry each): read it back compact.
    for (let i = 0; i < 4 * nx; i++) jAs[i] = jS[i];
    for (let i = 0; i < 4 * nu; i++) jBs[i] = jT[i];
    for (let i = 0; i < ns; i++) {
      jAsd[i] = jS[(4 + i) * nx + 4 + i];
      jBsd[i] = jT[(4 + i) * nu + i];
    }
  }
  if (compact) writeCompact(nx, nu, A, oa, Bu, ob, clipped);
  else writeFull(nx, nu, A, oa, Bu, ob, clipped);
}

/** Options of the Jacobian steps: a hand force given as a field description (a function has no Jacobian). */
export interface JacobianStepOptions {
  /** External hand force (affine in hand velocity, see affineField). Default none. */
  handForce?: ForceField;
  /** Time at the start of the step (s), passed to time-dependent fields. Default 0. */
  t?: number;
}

/**
 * The same step as {@link stepBody}, plus its exact Jacobians A = ∂x′/∂x (nx × nx, row-major) and
 * Bu = ∂x′/∂u (nx × nu), chained analytically through the RK4 stages, the substeps, every clamp and
 * the hand force; nx = 4 + actuator state size, nu = actuator inputs. `out` may alias x.
 */
export function stepBodyWithJacobian(b: Body, x: Num, u: Num, dt: number, substeps: number, out: Num, A: Num, Bu: Num, opts: JacobianStepOptions = {}): void {
  stepBodyBatchWithJacobian(b, 1, x, u, dt, substeps, out, A, Bu, opts);
}

/**
 * Batched {@link stepBodyWithJacobian} over n bodies sharing parameters: X [n, nx], U [n, nu] in;
 * Xout [n, nx], A [n, nx, nx], Bu [n, nx, nu] out (row-major; Xout may alias X). Float32 buffers are
 * accepted and computed in float64 internally.
 */
export function stepBodyBatchWithJacobian(b: Body, n: number, X: Num, U: Num, dt: number, substeps: number, Xout: Num, A: Num, Bu: Num, opts: JacobianStepOptions = {}): void {
  stepBatch(b, n, X, U, dt, substeps, Xout, A, Bu, opts, false);
}

/**
 * Sizes of one body's compact step Jacobian: the entries of ∂x′/∂x and ∂x′/∂u that can be non-zero.
 * Rows 0–3 (joint angles and velocities) are dense; actuator state i follows only itself and its own
 * input, so its row holds one entry. Layout: A = [rows 0–3 (4 × nx), ∂s_i′/∂s_i (ns)], Bu = [rows 0–3
 * (4 × nu), ∂s_i′/∂u_i (ns)].
 */
export function compactJacobianSize(b: Body): { a: number; b: number } {
  const ns = b.actuator.nState;
  return { a: 4 * (4 + ns) + ns, b: 4 * b.actuator.nInputs + ns };
}

/**
 * {@link stepBodyBatchWithJacobian} with the Jacobians in the compact layout of
 * {@link compactJacobianSize}: A [n, size.a], Bu [n, size.b]. The same numbers, without the zeros.
 */
export function stepBodyBatchWithCompactJacobian(b: Body, n: number, X: Num, U: Num, dt: number, substeps: number, Xout: Num, A: Num, Bu: Num, opts: JacobianStepOptions = {}): void {
  stepBatch(b, n, X, U, dt, substeps, Xout, A, Bu, opts, true);
}

function stepBatch(b: Body, n: number, X: Num, U: Num, dt: number, substeps: number, Xout: Num, A: Num, Bu: Num, opts: JacobianStepOptions, compact: boolean): void {
  checkSubsteps(substeps);
  const nx = 4 + b.actuator.nState;
  const nu = b.actuator.nInputs;
  const size = compact ? compactJacobianSize(b) : { a: nx * nx, b: nx * nu };
  if (X.length < nx * n || U.length < nu * n || Xout.length < nx * n || A.length < size.a * n || Bu.length < size.b * n) {
    throw new Error(`${compact ? 'stepBodyBatchWithCompactJacobian' : 'stepBodyBatchWithJacobian'}: buffers too small for ${n} bodies of state size ${nx} and ${nu} inputs`);
  }
  ensureScratch(nx, nu);
  jCoef.set(coeffs(b.skeleton));
  jStep[0] = dt / substeps;
  jStep[1] = opts.t ?? 0;
  jField = opts.handForce && isActiveField(opts.handForce) ? opts.handForce : null;
  try {
    for (let i = 0; i < n; i++) {
      stepJacCore(b, X, nx * i, U, nu * i, substeps, Xout, nx * i, A, size.a * i, Bu, size.b * i, compact);
    }
  } finally {
    jField = null;
  }
}
