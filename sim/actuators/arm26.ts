/**
 * The six-muscle actuator of the arm26 body: excitations u ∈ [floor, 1] (one per muscle) → activations
 * (the actuator state) → Hill-type forces along polynomial musculotendon paths → joint torques.
 *
 * Geometry (rigid tendon): with d = q − q_ref, musculotendon length L_m = a0_m + Σ_j (a1_jm + a2_jm·d_j)·d_j,
 * moment arm r_jm = ∂L_m/∂q_j = a1_jm + 2·a2_jm·d_j, lengthening velocity V_m = Σ_j r_jm·q̇_j, fibre length
 * l_m = max(L_m − tendon_m, 0). A muscle pulls its path shorter, so τ_j = −Σ_m F_m·r_jm.
 */
import type { Num } from '../skeleton.ts';
import type { Actuator } from './actuator.ts';
import type { MuscleSetParams } from './arm26-params.ts';
import { activationRates, hillConstants, hillForces } from './hill-muscle.ts';

/** Musculotendon lengths (m), velocities (m/s, lengthening > 0) and moment arms (m/rad) at one joint state. */
export interface MusclePaths {
  length: Float64Array;
  velocity: Float64Array;
  /** [joint, muscle] row-major: r_jm = ∂L_m/∂q_j. */
  momentArm: Float64Array;
}

export function allocMusclePaths(n: number): MusclePaths {
  return { length: new Float64Array(n), velocity: new Float64Array(n), momentArm: new Float64Array(2 * n) };
}

let sensePaths = allocMusclePaths(0);

/** Musculotendon paths at joint state (q1, q2, q̇1, q̇2) into `out`. */
export function musclePaths(p: MuscleSetParams, q1: number, q2: number, qd1: number, qd2: number, out: MusclePaths): MusclePaths {
  const g = p.geometry;
  const d1 = q1 - g.referencePosture[0];
  const d2 = q2 - g.referencePosture[1];
  const n = p.muscles.length;
  for (let m = 0; m < n; m++) {
    const r1 = g.linear[0][m] + 2 * g.quadratic[0][m] * d1;
    const r2 = g.linear[1][m] + 2 * g.quadratic[1][m] * d2;
    out.momentArm[m] = r1;
    out.momentArm[n + m] = r2;
    out.length[m] = g.offset[m] + (g.linear[0][m] + g.quadratic[0][m] * d1) * d1 + (g.linear[1][m] + g.quadratic[1][m] * d2) * d2;
    out.velocity[m] = r1 * qd1 + r2 * qd2;
  }
  return out;
}

/** Fibre length (m) of muscle m from its musculotendon length (m): the rigid tendon takes its fixed share. */
export function fibreLength(p: MuscleSetParams, m: number, musculotendonLength: number): number {
  const l = musculotendonLength - p.tendonLength[m];
  return l > 0 ? l : 0;
}

/** Maximal shortening speed v_max (m/s) of muscle m, the unit of normalised velocity. */
export function maxVelocity(p: MuscleSetParams, m: number): number {
  return p.hill.maxVelocity * p.optimalFibreLength[m];
}

/**
 * Muscle proprioception at joint state (q1, q2, q̇1, q̇2): normalised fibre lengths l/l_opt into
 * len[lo …] and normalised lengthening velocities v/v_max into vel[vo …]; with dLen/dVel non-null, their
 * Jacobians ∂/∂(q1, q2, q̇1, q̇2) (muscles × 4, row-major) into dLen[dlo …], dVel[dvo …], for sensory
 * feedback and its backward pass.
 */
export function muscleSense(
  p: MuscleSetParams,
  q1: number,
  q2: number,
  qd1: number,
  qd2: number,
  len: Num,
  vel: Num,
  dLen: Num | null,
  dVel: Num | null,
  lo = 0,
  vo = 0,
  dlo = 0,
  dvo = 0,
): void {
  const n = p.muscles.length;
  // Scratch reused across calls: this runs for every trial at every training step, forward and backward.
  if (sensePaths.length.length !== n) sensePaths = allocMusclePaths(n);
  const paths = musclePaths(p, q1, q2, qd1, qd2, sensePaths);
  const a2 = p.geometry.quadratic;
  for (let m = 0; m < n; m++) {
    const lopt = p.optimalFibreLength[m];
    const vmax = maxVelocity(p, m);
    const slack = paths.length[m] > p.tendonLength[m];
    len[lo + m] = fibreLength(p, m, paths.length[m]) / lopt;
    vel[vo + m] = paths.velocity[m] / vmax;
    const r1 = paths.momentArm[m];
    const r2 = paths.momentArm[n + m];
    if (dLen) {
      const o = dlo + 4 * m;
      dLen[o] = slack ? r1 / lopt : 0;
      dLen[o + 1] = slack ? r2 / lopt : 0;
      dLen[o + 2] = 0;
      dLen[o + 3] = 0;
    }
    if (dVel) {
      const o = dvo + 4 * m;
      dVel[o] = (2 * a2[0][m] * qd1) / vmax;
      dVel[o + 1] = (2 * a2[1][m] * qd2) / vmax;
      dVel[o + 2] = r1 / vmax;
      dVel[o + 3] = r2 / vmax;
    }
  }
}

/** The muscle actuator of `p` (six muscles for arm26). Parameters are read, not copied: do not mutate them afterwards. */
export function createMuscleActuator(p: MuscleSetParams): Actuator {
  const n = p.muscles.length;
  const nx = 4 + n;
  const floor = p.activation.minActivation;
  const paths = allocMusclePaths(n);
  const hf = new Float64Array(7 * n);
  const hc = hillConstants(p.hill, p.passiveSlackLength);
  const lnBuf = new Float64Array(n);
  const vnBuf = new Float64Array(n);
  const stretched = new Uint8Array(n);
  const clip = (v: number) => (v > 1 ? 1 : v > floor ? v : floor);

  // Per-muscle constants in flat arrays: the force evaluation runs 4 × substeps times per body and step.
  const Fmax = Float64Array.from(p.maxIsometricForce);
  const lopt = Float64Array.from(p.optimalFibreLength);
  const vmax = Float64Array.from(p.muscles, (_, m) => maxVelocity(p, m));
  const tendon = Float64Array.from(p.tendonLength);
  const g = p.geometry;
  const a0 = Float64Array.from(g.offset);
  const a11 = Float64Array.from(g.linear[0]);
  const a12 = Float64Array.from(g.linear[1]);
  const a21 = Float64Array.from(g.quadratic[0]);
  const a22 = Float64Array.from(g.quadratic[1]);
  const [ref1, ref2] = g.referencePosture;

  /**
   * Forces (N) into f[of…] and the moment arms into paths.momentArm (the same polynomial as
   * {@link musclePaths}); with `d` non-null also the per-muscle partials [∂F/∂a, ∂F/∂L, ∂F/∂V] into d[3m…].
   */
  function muscleForces(x: Num, ox: number, f: Num, of: number, d: Float64Array | null): void {
    const d1 = x[ox] - ref1;
    const d2 = x[ox + 1] - ref2;
    const qd1 = x[ox + 2];
    const qd2 = x[ox + 3];
    const r = paths.momentArm;
    for (let m = 0; m < n; m++) {
      const r1 = a11[m] + 2 * a21[m] * d1;
      const r2 = a12[m] + 2 * a22[m] * d2;
      r[m] = r1;
      r[n + m] = r2;
      const L = a0[m] + (a11[m] + a21[m] * d1) * d1 + (a12[m] + a22[m] * d2) * d2 - tendon[m];
      const V = r1 * qd1 + r2 * qd2;
      lnBuf[m] = (L > 0 ? L : 0) / lopt[m];
      vnBuf[m] = V / vmax[m];
      stretched[m] = L > 0 ? 1 : 0;
    }
    hillForces(hc, n, x, ox + 4, lnBuf, vnBuf, hf);
    for (let m = 0; m < n; m++) {
      const F = Fmax[m];
      f[of + m] = F * hf[7 * m];
      if (d) {
        d[3 * m] = F * hf[7 * m + 1];
        d[3 * m + 1] = stretched[m] ? (F * hf[7 * m + 2]) / lopt[m] : 0;
        d[3 * m + 2] = (F * hf[7 * m + 3]) / vmax[m];
      }
    }
  }

  const fBuf = new Float64Array(n);
  const dBuf = new Float64Array(3 * n);

  return {
    kind: 'muscle',
    name: p.name,
    nInputs: n,
    inputNames: p.muscles,
    inputUnit: '1',
    inputNoun: 'excitations',
    nState: n,
    stateNames: p.muscles.map((m) => `${m} activation`),
    stateUnit: '1',
    nForces: n,
    forceNames: p.muscles,
    forceUnit: 'N',
    torqueDependsOnState: true,
    inputRange: [floor, 1],
    senses: [
      ...p.muscles.map((m) => ({ name: `${m}_length`, unit: 'l_opt', noise: 'muscleLengthNoise' as const })),
      ...p.muscles.map((m) => ({ name: `${m}_velocity`, unit: 'v_max', noise: 'muscleVelocityNoise' as const })),
    ],
    sense(q1: number, q2: number, qd1: number, qd2: number, out: Num, o: number, jac: Num | null): void {
      muscleSense(p, q1, q2, qd1, qd2, out, out, jac, jac, o, o + n, 0, 4 * n);
    },
    clampInput: (u) => clip(u),
    restState(out: Num, o: number): void {
      for (let m = 0; m < n; m++) out[o + m] = floor;
    },
    clampState(s: Num, o: number): number {
      let mask = 0;
      for (let m = 0; m < n; m++) {
        const v = s[o + m];
        const c = clip(v);
        if (c !== v) {
          s[o + m] = c;
          mask |= 1 << m;
        }
      }
      return mask;
    },
    stateRate(s: Num, os: number, u: Num, ou: number, rate: Num, or: number, dRate: Num | null): void {
      activationRates(p.activation, n, s, os, u, ou, rate, or, dRate);
    },
    forces(x: Num, ox: number, _u: Num, _ou: number, f: Num, of: number): void {
      muscleForces(x, ox, f, of, null);
    },
    forcesToTorques(q1: number, q2: number, f: Num, of: number, tau: Num): void {
      musclePaths(p, q1, q2, 0, 0, paths);
      let t1 = 0;
      let t2 = 0;
      for (let m = 0; m < n; m++) {
        t1 -= f[of + m] * paths.momentArm[m];
        t2 -= f[of + m] * paths.momentArm[n + m];
      }
      tau[0] = t1;
      tau[1] = t2;
    },
    jointTorques(x: Num, ox: number, _u: Num, _ou: number, tau: Num, dTau: Num | null): void {
      muscleForces(x, ox, fBuf, 0, dTau ? dBuf : null);
      const r = paths.momentArm;
      let t1 = 0;
      let t2 = 0;
      for (let m = 0; m < n; m++) {
        t1 -= fBuf[m] * r[m];
        t2 -= fBuf[m] * r[n + m];
      }
      tau[0] = t1;
      tau[1] = t2;
      if (!dTau) return;
      const qd1 = x[ox + 2];
      const qd2 = x[ox + 3];
      // Row j of ∂τ/∂x is −Σ_m over muscles, accumulated in muscle order; ∂τ/∂u is zero (forces follow activations, not excitations).
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      for (let m = 0; m < n; m++) {
        const Fa = dBuf[3 * m];
        const FL = dBuf[3 * m + 1];
        const FV = dBuf[3 * m + 2];
        const r1 = r[m];
        const r2 = r[n + m];
        // ∂F/∂q_k = F_L·r_k + F_V·2·a2_k·q̇_k ; ∂F/∂q̇_k = F_V·r_k ; ∂r_j/∂q_k = 2·a2_j (j = k only).
        const dFq1 = FL * r1 + FV * 2 * a21[m] * qd1;
        const dFq2 = FL * r2 + FV * 2 * a22[m] * qd2;
        const dFv1 = FV * r1;
        const dFv2 = FV * r2;
        const F = fBuf[m];
        s10 -= dFq1 * r1 + F * 2 * a21[m];
        s11 -= dFq2 * r1 + 0;
        s12 -= dFv1 * r1;
        s13 -= dFv2 * r1;
        dTau[4 + m] = -Fa * r1;
        s20 -= dFq1 * r2 + 0;
        s21 -= dFq2 * r2 + F * 2 * a22[m];
        s22 -= dFv1 * r2;
        s23 -= dFv2 * r2;
        dTau[nx + 4 + m] = -Fa * r2;
      }
      dTau[0] = s10;
      dTau[1] = s11;
      dTau[2] = s12;
      dTau[3] = s13;
      dTau[nx] = s20;
      dTau[nx + 1] = s21;
      dTau[nx + 2] = s22;
      dTau[nx + 3] = s23;
      for (let i = 2 * nx; i < 2 * (nx + n); i++) dTau[i] = 0;
    },
  };
}
