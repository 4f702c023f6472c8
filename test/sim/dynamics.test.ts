import { describe, expect, it } from 'vitest';
import { cloneArmParams, LI_TODOROV_ARM, MOTORNET_ARM, type ArmParams } from '../../sim/arm-params.ts';
import {
  armEnergy,
  coriolis,
  dynamicsJacobian,
  forwardDynamics,
  forwardKinematics,
  handPosition,
  handStateInto,
  handVelocity,
  inverseDynamics,
  inverseKinematics,
  jacobian,
  massMatrix,
  stepArm,
  stepArmBatchWithJacobian,
  stepArmWithJacobian,
} from '../../sim/dynamics.ts';
import { constantField } from '../../sim/force-fields.ts';
import { createRng, uniformIn, type Rng } from '../../core/random.ts';

const ARMS = [MOTORNET_ARM, LI_TODOROV_ARM];

function randomState(rng: Rng, p: ArmParams, vmax = 3): Float64Array {
  return new Float64Array([
    uniformIn(rng, p.qMin[0] + 0.2, p.qMax[0] - 0.2),
    uniformIn(rng, p.qMin[1] + 0.2, p.qMax[1] - 0.2),
    uniformIn(rng, -vmax, vmax),
    uniformIn(rng, -vmax, vmax),
  ]);
}

/** Textbook mass matrix Σ mᵢ·Jcᵢᵀ·Jcᵢ + Icᵢ·Jωᵢᵀ·Jωᵢ from the centre-of-mass Jacobians. */
function referenceMassMatrix(p: ArmParams, q1: number, q2: number): number[][] {
  const [l1] = p.l;
  const [s1, s2] = p.s;
  const Jc1 = [[-s1 * Math.sin(q1), 0], [s1 * Math.cos(q1), 0]];
  const Jc2 = [
    [-l1 * Math.sin(q1) - s2 * Math.sin(q1 + q2), -s2 * Math.sin(q1 + q2)],
    [l1 * Math.cos(q1) + s2 * Math.cos(q1 + q2), s2 * Math.cos(q1 + q2)],
  ];
  const Jw1 = [1, 0];
  const Jw2 = [1, 1];
  const M = [[0, 0], [0, 0]];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      M[i][j] =
        p.m[0] * (Jc1[0][i] * Jc1[0][j] + Jc1[1][i] * Jc1[1][j]) +
        p.m[1] * (Jc2[0][i] * Jc2[0][j] + Jc2[1][i] * Jc2[1][j]) +
        p.Ic[0] * Jw1[i] * Jw1[j] +
        p.Ic[1] * Jw2[i] * Jw2[j];
    }
  }
  return M;
}

function unlimited(p: ArmParams, B0 = false): ArmParams {
  const q = cloneArmParams(p);
  q.qMin = [-1e3, -1e3];
  q.qMax = [1e3, 1e3];
  if (B0) q.B = [[0, 0], [0, 0]];
  return q;
}

describe('analytic arm kinematics', () => {
  it('Jacobian equals finite differences of forward kinematics', () => {
    const rng = createRng(1);
    for (const p of ARMS) {
      for (let n = 0; n < 50; n++) {
        const [q1, q2] = randomState(rng, p);
        const J = jacobian(p, q1, q2);
        const e = 1e-6;
        for (let j = 0; j < 2; j++) {
          const a = forwardKinematics(p, q1 + (j === 0 ? e : 0), q2 + (j === 1 ? e : 0)).hand;
          const b = forwardKinematics(p, q1 - (j === 0 ? e : 0), q2 - (j === 1 ? e : 0)).hand;
          expect(J[j]).toBeCloseTo((a[0] - b[0]) / (2 * e), 8);
          expect(J[2 + j]).toBeCloseTo((a[1] - b[1]) / (2 * e), 8);
        }
      }
    }
  });

  it('handStateInto, handPosition and handVelocity give the textbook hand position and its time derivative along q̇ (finite differences)', () => {
    const rng = createRng(2);
    const out = new Float64Array(6);
    for (const p of ARMS) {
      const [l1, l2] = p.l;
      for (let n = 0; n < 50; n++) {
        const [q1, q2, w1, w2] = randomState(rng, p);
        const hand = [l1 * Math.cos(q1) + l2 * Math.cos(q1 + q2), l1 * Math.sin(q1) + l2 * Math.sin(q1 + q2)];
        const e = 1e-6;
        const a = forwardKinematics(p, q1 + e * w1, q2 + e * w2).hand;
        const b = forwardKinematics(p, q1 - e * w1, q2 - e * w2).hand;
        const velocity = [(a[0] - b[0]) / (2 * e), (a[1] - b[1]) / (2 * e)];
        handStateInto(p, q1, q2, w1, w2, out, 2);
        const position = handPosition(p, q1, q2);
        const v = handVelocity(p, q1, q2, w1, w2);
        for (let i = 0; i < 2; i++) {
          expect(out[2 + i]).toBeCloseTo(hand[i], 14);
          expect(position[i]).toBeCloseTo(hand[i], 14);
          expect(out[4 + i]).toBeCloseTo(velocity[i], 7);
          expect(v[i]).toBeCloseTo(velocity[i], 7);
        }
      }
    }
  });

  it('forward kinematics puts the hand at l1 + l2 along +x at q = 0 and the elbow on the unit circle of radius l1', () => {
    const fk = forwardKinematics(MOTORNET_ARM, 0, 0);
    expect(fk.hand[0]).toBeCloseTo(0.309 + 0.26, 14);
    expect(fk.hand[1]).toBeCloseTo(0, 14);
    const fk2 = forwardKinematics(MOTORNET_ARM, Math.PI / 2, Math.PI / 2);
    expect(fk2.elbow[1]).toBeCloseTo(0.309, 14);
    expect(fk2.hand[0]).toBeCloseTo(-0.26, 14);
  });

  it('IK∘FK is the identity inside the workspace', () => {
    const rng = createRng(2);
    for (const p of ARMS) {
      for (let n = 0; n < 200; n++) {
        const q1 = uniformIn(rng, p.qMin[0], p.qMax[0]);
        const q2 = uniformIn(rng, p.qMin[1] + 1e-3, p.qMax[1]);
        const { hand } = forwardKinematics(p, q1, q2);
        const [r1, r2] = inverseKinematics(p, hand[0], hand[1]);
        expect(r1).toBeCloseTo(q1, 9);
        expect(r2).toBeCloseTo(q2, 9);
      }
    }
  });

  it('IK rejects points out of reach and points reachable only outside the joint limits', () => {
    expect(() => inverseKinematics(MOTORNET_ARM, 1, 0)).toThrow(/out of reach/);
    expect(() => inverseKinematics(MOTORNET_ARM, 0.01, 0.0)).toThrow(/out of reach/);
    // Straight behind-and-below the shoulder needs q1 ≈ −90°, outside 0–140°.
    expect(() => inverseKinematics(MOTORNET_ARM, 0.0, -0.4)).toThrow(/outside the joint limits/);
  });
});

describe('analytic arm dynamics', () => {
  it('M(q) equals the textbook Σ m·Jcᵀ·Jc + Ic·Jωᵀ·Jω and is symmetric positive definite over the workspace', () => {
    for (const p of ARMS) {
      for (let i = 0; i <= 40; i++) {
        const q2 = p.qMin[1] + ((p.qMax[1] - p.qMin[1]) * i) / 40;
        const [M11, M12, M22] = massMatrix(p, q2);
        const ref = referenceMassMatrix(p, 0.7, q2);
        expect(ref[0][1]).toBeCloseTo(ref[1][0], 14);
        expect(M11).toBeCloseTo(ref[0][0], 12);
        expect(M12).toBeCloseTo(ref[0][1], 12);
        expect(M22).toBeCloseTo(ref[1][1], 12);
        expect(M11).toBeGreaterThan(0);
        expect(M11 * M22 - M12 * M12).toBeGreaterThan(0);
      }
    }
  });

  it('Coriolis torques equal Ṁ·q̇ − ½·∂(q̇ᵀMq̇)/∂q (Lagrange) by finite differences', () => {
    const rng = createRng(3);
    const p = MOTORNET_ARM;
    for (let n = 0; n < 30; n++) {
      const [, q2, qd1, qd2] = randomState(rng, p);
      const e = 1e-6;
      const Mp = massMatrix(p, q2 + e);
      const Mm = massMatrix(p, q2 - e);
      const dM = [(Mp[0] - Mm[0]) / (2 * e), (Mp[1] - Mm[1]) / (2 * e), (Mp[2] - Mm[2]) / (2 * e)];
      // Ṁ = ∂M/∂q2 · q̇2; ∂T/∂q2 = ½ q̇ᵀ ∂M/∂q2 q̇.
      const Mdot_qd = [(dM[0] * qd1 + dM[1] * qd2) * qd2, (dM[1] * qd1 + dM[2] * qd2) * qd2];
      const dT = 0.5 * (dM[0] * qd1 * qd1 + 2 * dM[1] * qd1 * qd2 + dM[2] * qd2 * qd2);
      const [c1, c2] = coriolis(p, q2, qd1, qd2);
      expect(c1).toBeCloseTo(Mdot_qd[0], 7);
      expect(c2).toBeCloseTo(Mdot_qd[1] - dT, 7);
    }
  });

  it('energy is conserved with zero torque and zero viscosity (relative drift < 1e-7 over 3 s of free swing)', () => {
    for (const arm of ARMS) {
      const p = unlimited(arm, true);
      const x = new Float64Array([0.5, 1.2, 4, -6]);
      const E0 = armEnergy(p, x);
      let maxDrift = 0;
      for (let k = 0; k < 300; k++) {
        stepArm(p, x, [0, 0], 0.01, x, { substeps: 10 });
        maxDrift = Math.max(maxDrift, Math.abs(armEnergy(p, x) - E0) / E0);
      }
      expect(maxDrift).toBeLessThan(1e-7);
    }
  });

  it('joint viscosity only removes energy: dE/dt = −q̇ᵀ·B·q̇ ≤ 0', () => {
    const p = unlimited(MOTORNET_ARM);
    const x = new Float64Array([0.5, 1.2, 4, -6]);
    let E = armEnergy(p, x);
    for (let k = 0; k < 100; k++) {
      const qd = [x[2], x[3]];
      const power = -(qd[0] * (p.B[0][0] * qd[0] + p.B[0][1] * qd[1]) + qd[1] * (p.B[1][0] * qd[0] + p.B[1][1] * qd[1]));
      stepArm(p, x, [0, 0], 0.001, x, { substeps: 1 });
      const E1 = armEnergy(p, x);
      expect(E1).toBeLessThan(E);
      expect((E1 - E) / 0.001).toBeCloseTo(power, 1);
      E = E1;
    }
  });

  it('a positive shoulder torque from rest increases q1', () => {
    for (const p of ARMS) {
      const x = new Float64Array([0.8, 1.5, 0, 0]);
      const qdd = [0, 0];
      forwardDynamics(p, x, [1, 0], qdd);
      expect(qdd[0]).toBeGreaterThan(0);
      stepArm(p, x, [1, 0], 0.05, x, { substeps: 5 });
      expect(x[0]).toBeGreaterThan(0.8);
      expect(x[2]).toBeGreaterThan(0);
    }
  });

  it('inverse dynamics inverts forward dynamics', () => {
    const rng = createRng(4);
    for (const p of ARMS) {
      for (let n = 0; n < 20; n++) {
        const x = randomState(rng, p);
        const tau = [uniformIn(rng, -5, 5), uniformIn(rng, -5, 5)];
        const qdd = [0, 0];
        forwardDynamics(p, x, tau, qdd);
        const back = inverseDynamics(p, x, qdd[0], qdd[1]);
        expect(back[0]).toBeCloseTo(tau[0], 10);
        expect(back[1]).toBeCloseTo(tau[1], 10);
      }
    }
  });

  it('a hand force F acts as the joint torque Jᵀ·F (virtual work)', () => {
    const rng = createRng(5);
    const p = MOTORNET_ARM;
    for (let n = 0; n < 20; n++) {
      const x = randomState(rng, p);
      const F: [number, number] = [uniformIn(rng, -10, 10), uniformIn(rng, -10, 10)];
      const J = jacobian(p, x[0], x[1]);
      const a = [0, 0];
      const b = [0, 0];
      forwardDynamics(p, x, [0, 0], a, F);
      forwardDynamics(p, x, [J[0] * F[0] + J[2] * F[1], J[1] * F[0] + J[3] * F[1]], b);
      expect(a[0]).toBeCloseTo(b[0], 10);
      expect(a[1]).toBeCloseTo(b[1], 10);
      const c = new Float64Array(x);
      const d = new Float64Array(x);
      stepArm(p, c, [0, 0], 0.01, c, { handForce: constantField(F[0], F[1]) });
      stepArm(p, d, [0, 0], 0.01, d, { handForce: () => F });
      expect(Array.from(c)).toEqual(Array.from(d));
    }
  });

  it('RK4 global error falls ~16× when the substep is halved', () => {
    const p = unlimited(MOTORNET_ARM);
    const run = (substeps: number) => {
      const x = new Float64Array([0.5, 1.2, 2, -3]);
      for (let k = 0; k < 50; k++) stepArm(p, x, [2, -1], 0.01, x, { substeps });
      return x;
    };
    const ref = run(256);
    const err = (x: Float64Array) => Math.hypot(...Array.from(x).map((v, i) => v - ref[i]));
    // h = 1.25 ms vs 0.625 ms: in the asymptotic range of this motion.
    const ratio = err(run(8)) / err(run(16));
    expect(ratio).toBeGreaterThan(14);
    expect(ratio).toBeLessThan(18.5);
  });

  it('joint limits are never crossed under large torques (analytic arm)', () => {
    const rng = createRng(6);
    for (const p of ARMS) {
      const x = new Float64Array([1, 1, 0, 0]);
      for (let k = 0; k < 400; k++) {
        const tau = [uniformIn(rng, -40, 40), uniformIn(rng, -40, 40)];
        stepArm(p, x, tau, 0.01, x, { substeps: 2 });
        for (let j = 0; j < 2; j++) {
          expect(x[j]).toBeGreaterThanOrEqual(p.qMin[j]);
          expect(x[j]).toBeLessThanOrEqual(p.qMax[j]);
        }
      }
    }
  });

  it('a joint driven into its limit stops there with zero velocity (inelastic stop)', () => {
    const p = MOTORNET_ARM;
    const x = new Float64Array([1, 0.3, 0, -5]);
    stepArm(p, x, [0, -20], 0.1, x, { substeps: 10 });
    expect(x[1]).toBe(p.qMin[1]);
    expect(x[3]).toBe(0);
  });
});

describe('step Jacobians', () => {
  const dt = 0.01;

  function fdJacobians(p: ArmParams, x: Float64Array, tau: number[], substeps: number) {
    const A = new Float64Array(16);
    const Bu = new Float64Array(8);
    const yp = new Float64Array(4);
    const ym = new Float64Array(4);
    for (let j = 0; j < 4; j++) {
      const e = 1e-6 * Math.max(1, Math.abs(x[j]));
      const xp = new Float64Array(x);
      const xm = new Float64Array(x);
      xp[j] += e;
      xm[j] -= e;
      stepArm(p, xp, tau, dt, yp, { substeps });
      stepArm(p, xm, tau, dt, ym, { substeps });
      for (let i = 0; i < 4; i++) A[4 * i + j] = (yp[i] - ym[i]) / (2 * e);
    }
    for (let j = 0; j < 2; j++) {
      const e = 1e-6 * Math.max(1, Math.abs(tau[j]));
      const tp = [...tau];
      const tm = [...tau];
      tp[j] += e;
      tm[j] -= e;
      stepArm(p, x, tp, dt, yp, { substeps });
      stepArm(p, x, tm, dt, ym, { substeps });
      for (let i = 0; i < 4; i++) Bu[2 * i + j] = (yp[i] - ym[i]) / (2 * e);
    }
    return { A, Bu };
  }

  function relErr(a: Float64Array, b: Float64Array): number {
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num = Math.max(num, Math.abs(a[i] - b[i]));
      den = Math.max(den, Math.abs(b[i]));
    }
    return num / den;
  }

  it('dynamicsJacobian (∂q̈/∂x, ∂q̈/∂τ) matches central finite differences of forward dynamics', () => {
    const rng = createRng(7);
    for (const p of ARMS) {
      for (let n = 0; n < 20; n++) {
        const x = randomState(rng, p);
        const tau = [uniformIn(rng, -3, 3), uniformIn(rng, -3, 3)];
        const qdd = new Float64Array(2);
        const dx = new Float64Array(8);
        const du = new Float64Array(4);
        dynamicsJacobian(p, x, tau, qdd, dx, du);
        const fd = new Float64Array(8);
        const a = [0, 0];
        const b = [0, 0];
        for (let j = 0; j < 4; j++) {
          const xp = new Float64Array(x);
          const xm = new Float64Array(x);
          xp[j] += 1e-6;
          xm[j] -= 1e-6;
          forwardDynamics(p, xp, tau, a);
          forwardDynamics(p, xm, tau, b);
          fd[j] = (a[0] - b[0]) / 2e-6;
          fd[4 + j] = (a[1] - b[1]) / 2e-6;
        }
        expect(relErr(dx, fd)).toBeLessThan(1e-7);
        const fdu = new Float64Array(4);
        for (let j = 0; j < 2; j++) {
          const tp = [...tau];
          const tm = [...tau];
          tp[j] += 1e-6;
          tm[j] -= 1e-6;
          forwardDynamics(p, x, tp, a);
          forwardDynamics(p, x, tm, b);
          fdu[j] = (a[0] - b[0]) / 2e-6;
          fdu[2 + j] = (a[1] - b[1]) / 2e-6;
        }
        expect(relErr(du, fdu)).toBeLessThan(1e-7);
      }
    }
  });

  it('stepArmWithJacobian matches central finite differences at random states (relative error < 1e-6)', () => {
    const rng = createRng(8);
    for (const p of ARMS) {
      for (const substeps of [1, 3]) {
        for (let n = 0; n < 20; n++) {
          const x = randomState(rng, p);
          const tau = [uniformIn(rng, -5, 5), uniformIn(rng, -5, 5)];
          const out = new Float64Array(4);
          const A = new Float64Array(16);
          const Bu = new Float64Array(8);
          stepArmWithJacobian(p, x, tau, dt, substeps, out, A, Bu);
          const ref = new Float64Array(4);
          stepArm(p, x, tau, dt, ref, { substeps });
          expect(Array.from(out)).toEqual(Array.from(ref));
          const fd = fdJacobians(p, x, tau, substeps);
          expect(relErr(A, fd.A)).toBeLessThan(1e-6);
          expect(relErr(Bu, fd.Bu)).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('stepArmWithJacobian matches finite differences when a joint is held at its limit', () => {
    const p = MOTORNET_ARM;
    // Elbow at its lower limit moving outward under an outward torque: it is clamped, so its rows vanish.
    const x = new Float64Array([0.9, p.qMin[1] + 1e-4, 0.5, -2]);
    const tau = [1, -8];
    const out = new Float64Array(4);
    const A = new Float64Array(16);
    const Bu = new Float64Array(8);
    stepArmWithJacobian(p, x, tau, dt, 2, out, A, Bu);
    expect(out[1]).toBe(p.qMin[1]);
    expect(out[3]).toBe(0);
    const fd = fdJacobians(p, x, tau, 2);
    expect(relErr(A, fd.A)).toBeLessThan(1e-6);
    expect(relErr(Bu, fd.Bu)).toBeLessThan(1e-6);
    for (let c = 0; c < 4; c++) {
      expect(A[4 + c]).toBe(0);
      expect(A[12 + c]).toBe(0);
    }
  });

  it('the batched step equals the single-arm step for every arm, in float64 and float32 buffers', () => {
    const rng = createRng(9);
    const p = LI_TODOROV_ARM;
    const n = 16;
    const X = new Float64Array(4 * n);
    const Tau = new Float64Array(2 * n);
    for (let b = 0; b < n; b++) {
      X.set(randomState(rng, p), 4 * b);
      Tau[2 * b] = uniformIn(rng, -5, 5);
      Tau[2 * b + 1] = uniformIn(rng, -5, 5);
    }
    const Xo = new Float64Array(4 * n);
    const A = new Float64Array(16 * n);
    const Bu = new Float64Array(8 * n);
    stepArmBatchWithJacobian(p, n, X, Tau, dt, 2, Xo, A, Bu);
    for (let b = 0; b < n; b++) {
      const one = new Float64Array(4);
      stepArm(p, X.subarray(4 * b, 4 * b + 4), Tau.subarray(2 * b, 2 * b + 2), dt, one, { substeps: 2 });
      expect(Array.from(one)).toEqual(Array.from(Xo.subarray(4 * b, 4 * b + 4)));
    }
    const X32 = new Float32Array(X);
    const Xo32 = new Float32Array(4 * n);
    stepArmBatchWithJacobian(p, n, X32, new Float32Array(Tau), dt, 2, Xo32, new Float32Array(16 * n), new Float32Array(8 * n));
    for (let b = 0; b < n; b++) {
      const out = new Float64Array(4);
      const A1 = new Float64Array(16);
      const B1 = new Float64Array(8);
      stepArmWithJacobian(p, X.subarray(4 * b, 4 * b + 4), Tau.subarray(2 * b, 2 * b + 2), dt, 2, out, A1, B1);
      expect(Array.from(Xo.subarray(4 * b, 4 * b + 4))).toEqual(Array.from(out));
      expect(Array.from(A.subarray(16 * b, 16 * b + 16))).toEqual(Array.from(A1));
      expect(Array.from(Bu.subarray(8 * b, 8 * b + 8))).toEqual(Array.from(B1));
      for (let i = 0; i < 4; i++) expect(Xo32[4 * b + i]).toBeCloseTo(out[i], 4);
    }
  });
});
