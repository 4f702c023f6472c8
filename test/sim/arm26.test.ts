import { afterEach, describe, expect, it } from 'vitest';
import { createRng, uniformIn } from '../../core/random.ts';
import { allocMusclePaths, musclePaths, muscleSense } from '../../sim/actuators/arm26.ts';
import { ARM26_MUSCLES, parseMuscleSetParams } from '../../sim/actuators/arm26-params.ts';
import { activationRate, hillForce } from '../../sim/actuators/hill-muscle.ts';
import { stepBody, stepBodyBatchWithJacobian } from '../../sim/body-step.ts';
import { getBodyPreset, restBodyState } from '../../sim/body.ts';
import { motorNetState, stepMotorNet } from '../../sim/motornet-step.ts';
import { handPosition } from '../../sim/dynamics.ts';
import { createMatterBody, type MatterArm } from '../../sim/matter-arm.ts';
import { readFixture } from '../analysis/fixtures.ts';

const P = ARM26_MUSCLES;
const BODY = getBodyPreset('arm26');
const NX = 10;
const NU = 6;
const live: MatterArm[] = [];
afterEach(() => {
  for (const a of live.splice(0)) a.dispose();
});

describe('arm26 muscle geometry and Hill-type muscle', () => {
  it('the parameters validate and name their sources', () => {
    expect(parseMuscleSetParams(structuredClone(P)).muscles).toHaveLength(6);
    expect(() => parseMuscleSetParams({ ...P, maxIsometricForce: [1, 2] })).toThrow(/one value per muscle/);
    expect(() => parseMuscleSetParams({ ...P, extra: 1 })).toThrow(/extra/);
    expect(P.source).toMatch(/Nijhof/);
  });

  it('moment arm is the derivative of musculotendon length (central finite differences)', () => {
    const rng = createRng(1);
    const a = allocMusclePaths(6);
    const b = allocMusclePaths(6);
    const c = allocMusclePaths(6);
    const eps = 1e-6;
    for (let t = 0; t < 50; t++) {
      const q1 = uniformIn(rng, 0, BODY.skeleton.qMax[0]);
      const q2 = uniformIn(rng, 0, BODY.skeleton.qMax[1]);
      musclePaths(P, q1, q2, 0, 0, c);
      for (let j = 0; j < 2; j++) {
        musclePaths(P, q1 + (j === 0 ? eps : 0), q2 + (j === 1 ? eps : 0), 0, 0, a);
        musclePaths(P, q1 - (j === 0 ? eps : 0), q2 - (j === 1 ? eps : 0), 0, 0, b);
        for (let m = 0; m < 6; m++) {
          expect(c.momentArm[6 * j + m]).toBeCloseTo((a.length[m] - b.length[m]) / (2 * eps), 8);
        }
      }
    }
  });

  it('muscle proprioception (normalised fibre length and velocity) has the Jacobian of central finite differences', () => {
    const rng = createRng(4);
    const len = new Float64Array(6);
    const vel = new Float64Array(6);
    const dLen = new Float64Array(24);
    const dVel = new Float64Array(24);
    const lp = new Float64Array(6);
    const vp = new Float64Array(6);
    const lm = new Float64Array(6);
    const vm = new Float64Array(6);
    const eps = 1e-6;
    for (let t = 0; t < 20; t++) {
      const x = [uniformIn(rng, 0.1, 2.2), uniformIn(rng, 0.1, 2.6), uniformIn(rng, -3, 3), uniformIn(rng, -3, 3)];
      muscleSense(P, x[0], x[1], x[2], x[3], len, vel, dLen, dVel);
      for (let c = 0; c < 4; c++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[c] += eps;
        xm[c] -= eps;
        muscleSense(P, xp[0], xp[1], xp[2], xp[3], lp, vp, null, null);
        muscleSense(P, xm[0], xm[1], xm[2], xm[3], lm, vm, null, null);
        for (let m = 0; m < 6; m++) {
          expect(dLen[4 * m + c]).toBeCloseTo((lp[m] - lm[m]) / (2 * eps), 7);
          expect(dVel[4 * m + c]).toBeCloseTo((vp[m] - vm[m]) / (2 * eps), 7);
        }
      }
    }
  });

  it('force–length: isometric active force peaks at the optimal fibre length', () => {
    const out = new Float64Array(7);
    let best = -1;
    let bestLn = 0;
    for (let ln = 0.5; ln <= 1.5 + 1e-12; ln += 0.001) {
      hillForce(P.hill, P.passiveSlackLength, 1, ln, 0, out);
      if (out[6] > best) {
        best = out[6];
        bestLn = ln;
      }
    }
    expect(bestLn).toBeCloseTo(1, 6);
    expect(best).toBeCloseTo(1, 12);
  });

  it('force–velocity: zero active force at the maximal shortening velocity, eccentric force above isometric', () => {
    const out = new Float64Array(7);
    for (const a of [0.1, 0.5, 1]) {
      for (const ln of [0.8, 1, 1.2]) {
        hillForce(P.hill, P.passiveSlackLength, a, ln, 0, out);
        const iso = out[6];
        // Hill's hyperbola reaches zero at ṽ = −f_L·b_rel/a_rel (a_rel ∝ f_L beyond the optimum).
        const fL = out[5];
        const A = ln > 1 ? P.hill.aRel * fL : P.hill.aRel;
        const B = a < P.hill.bRelKnee ? P.hill.bRel * (1 - (P.hill.bRelDrop * (a - P.hill.bRelKnee)) / (P.hill.bRelFloorActivation - P.hill.bRelKnee)) ** 2 : P.hill.bRel;
        const vZero = (-fL * B) / A;
        hillForce(P.hill, P.passiveSlackLength, a, ln, vZero, out);
        expect(out[6]).toBeCloseTo(0, 12);
        hillForce(P.hill, P.passiveSlackLength, a, ln, 1.5 * vZero, out);
        expect(out[6]).toBe(0);
        for (const v of [0.01, 0.1, 1]) {
          hillForce(P.hill, P.passiveSlackLength, a, ln, v, out);
          expect(out[6]).toBeGreaterThan(iso);
          expect(out[6]).toBeLessThan(P.hill.eccentricMax * iso + P.hill.eccentricSlope * v + 1e-12);
        }
      }
    }
  });

  it('activation rises faster than it falls', () => {
    const h = 1e-4;
    const rise = new Float64Array([P.activation.minActivation]);
    const fall = new Float64Array([1]);
    const r = new Float64Array(3);
    let tRise = NaN;
    let tFall = NaN;
    for (let k = 1; k <= 5000 && (Number.isNaN(tRise) || Number.isNaN(tFall)); k++) {
      activationRate(P.activation, rise[0], 1, r);
      rise[0] += h * r[0];
      activationRate(P.activation, fall[0], P.activation.minActivation, r);
      fall[0] += h * r[0];
      if (Number.isNaN(tRise) && rise[0] >= 0.9) tRise = k * h;
      if (Number.isNaN(tFall) && fall[0] <= 0.1) tFall = k * h;
    }
    expect(tRise).toBeLessThan(tFall / 2);
  });

  it('the passive element pulls only beyond its slack length, with F_max at l̃ = 1.66', () => {
    const out = new Float64Array(7);
    hillForce(P.hill, P.passiveSlackLength, P.activation.minActivation, 1.39, 0, out);
    expect(out[4]).toBe(0);
    hillForce(P.hill, P.passiveSlackLength, P.activation.minActivation, 1.66, 0, out);
    expect(out[4]).toBeCloseTo(1, 12);
  });
});

const CASES = ['minimal_excitation', 'pectoralis_burst', 'biceps_then_triceps', 'smooth_random'];

interface Gaps {
  angle: number;
  hand: number;
  activation: number;
}

/**
 * Max joint-angle (rad), hand (m) and activation gaps between a fixture trajectory and `step`, which
 * advances its own state by one fixture row and returns [q1, q2, activations…].
 */
function gaps(file: string, step: (u: Float64Array) => ArrayLike<number>): Gaps {
  const e = readFixture(`motornet-arm26/${file}_excitation.npy`);
  const joint = readFixture(`motornet-arm26/${file}_joint.npy`);
  const tip = readFixture(`motornet-arm26/${file}_fingertip.npy`);
  const act = readFixture(`motornet-arm26/${file}_activation.npy`);
  const g: Gaps = { angle: 0, hand: 0, activation: 0 };
  for (let k = 0; k < e.shape[0]; k++) {
    const y = step(Float64Array.from(e.data.subarray(NU * k, NU * k + NU)));
    const r = k + 1;
    g.angle = Math.max(g.angle, Math.abs(y[0] - joint.data[4 * r]), Math.abs(y[1] - joint.data[4 * r + 1]));
    const hp = handPosition(BODY.skeleton, y[0], y[1]);
    g.hand = Math.max(g.hand, Math.hypot(hp[0] - tip.data[2 * r], hp[1] - tip.data[2 * r + 1]));
    for (let m = 0; m < NU; m++) g.activation = Math.max(g.activation, Math.abs(y[2 + m] - act.data[NU * r + m]));
  }
  return g;
}

function initialState(file: string): Float64Array {
  const joint = readFixture(`motornet-arm26/${file}_joint.npy`);
  return restBodyState(BODY, [joint.data[0], joint.data[1]], [joint.data[2], joint.data[3]]);
}

const pick = (x: ArrayLike<number>) => [x[0], x[1], ...Array.from(x).slice(4)];

/** The arm26 body under MotorNet's own stepping (sim/motornet-step.ts). */
function motorNetGaps(file: string, h: number, method: 'euler' | 'rk4'): Gaps {
  let s = motorNetState(BODY, initialState(file));
  return gaps(file, (u) => {
    s = stepMotorNet(BODY, s, u, h, method);
    return pick(s.x);
  });
}

/** The arm26 body under the project's integrator: classical RK4 with `substeps` per 1 ms row. */
function rk4Gaps(file: string, substeps: number): Gaps {
  const x = initialState(file);
  return gaps(file, (u) => pick(stepBody(BODY, x, u, 0.001, x, { substeps })));
}

const fmt = (g: Gaps) => `${(g.angle * 1e3).toFixed(4)} mrad, ${(g.hand * 1e3).toFixed(4)} mm, activation ${g.activation.toExponential(1)}`;

describe('arm26 dynamics against MotorNet (test/fixtures/motornet-arm26)', () => {
  it('with MotorNet\'s own stepping, the arm26 body reproduces MotorNet RigidTendonArm26 at RK4 1 ms within 2 mrad and 1 mm over 0.2 s (and its Euler 10 ms)', () => {
    for (const name of CASES) {
      const rk4 = motorNetGaps(`${name}_rk4_1ms`, 0.001, 'rk4');
      const euler = motorNetGaps(`${name}_euler_10ms`, 0.01, 'euler');
      console.log(`MotorNet stepping, ${name}: rk4 1 ms ${fmt(rk4)}; euler 10 ms ${fmt(euler)}`);
      for (const g of [rk4, euler]) {
        expect(g.angle).toBeLessThan(2e-3);
        expect(g.hand).toBeLessThan(1e-3);
        // float32 reference: the same equations agree to its precision.
        expect(g.angle).toBeLessThan(1e-5);
        expect(g.activation).toBeLessThan(1e-5);
      }
    }
  });

  it('classical RK4 at 1 ms is converged (0.1 ms agrees within 1 µrad) and within 3 mrad and 1 mm of MotorNet\'s RK4, whose first-order joint-angle update lags', () => {
    for (const name of CASES) {
      const file = `${name}_rk4_1ms`;
      const g = rk4Gaps(file, 1);
      const x1 = initialState(file);
      const x10 = initialState(file);
      const e = readFixture(`motornet-arm26/${file}_excitation.npy`);
      let conv = 0;
      for (let k = 0; k < e.shape[0]; k++) {
        const u = Float64Array.from(e.data.subarray(NU * k, NU * k + NU));
        stepBody(BODY, x1, u, 0.001, x1);
        stepBody(BODY, x10, u, 0.001, x10, { substeps: 10 });
        conv = Math.max(conv, Math.abs(x1[0] - x10[0]), Math.abs(x1[1] - x10[1]));
      }
      console.log(`classical RK4 1 ms, ${name}: ${fmt(g)}; vs 0.1 ms ${(conv * 1e6).toFixed(3)} µrad`);
      expect(conv).toBeLessThan(1e-6);
      expect(g.angle).toBeLessThan(3e-3);
      expect(g.hand).toBeLessThan(1e-3);
    }
  });
});

describe('arm26 step', () => {
  it('step Jacobian over the full state and the excitations equals central finite differences', () => {
    const rng = createRng(7);
    const A = new Float64Array(NX * NX);
    const Bu = new Float64Array(NX * NU);
    const out = new Float64Array(NX);
    const xp = new Float64Array(NX);
    const xm = new Float64Array(NX);
    const eps = 1e-6;
    for (const substeps of [1, 3]) {
      for (let t = 0; t < 6; t++) {
        const x = new Float64Array(NX);
        x[0] = uniformIn(rng, 0.3, 2.0);
        x[1] = uniformIn(rng, 0.3, 2.4);
        x[2] = uniformIn(rng, -2, 2);
        x[3] = uniformIn(rng, -2, 2);
        const u = new Float64Array(NU);
        for (let m = 0; m < NU; m++) {
          x[4 + m] = uniformIn(rng, 0.02, 0.9);
          u[m] = x[4 + m] + (uniformIn(rng, 0, 1) < 0.5 ? -1 : 1) * uniformIn(rng, 0.05, 0.5);
          u[m] = Math.min(0.98, Math.max(0.01, u[m]));
        }
        stepBodyBatchWithJacobian(BODY, 1, x, u, 0.01, substeps, out, A, Bu);
        const fd = (v: Float64Array, i: number, isInput: boolean, col: number) => {
          const save = v[i];
          v[i] = save + eps;
          stepBody(BODY, x, u, 0.01, xp, { substeps });
          v[i] = save - eps;
          stepBody(BODY, x, u, 0.01, xm, { substeps });
          v[i] = save;
          for (let r = 0; r < NX; r++) {
            const num = (xp[r] - xm[r]) / (2 * eps);
            const an = isInput ? Bu[r * NU + col] : A[r * NX + col];
            expect(Math.abs(an - num)).toBeLessThan(1e-5 * Math.max(1, Math.abs(num)));
          }
        };
        for (let c = 0; c < NX; c++) fd(x, c, false, c);
        for (let c = 0; c < NU; c++) fd(u, c, true, c);
      }
    }
  });

  it('huge excitations are clipped to 1: the state stays finite and inside the limits', () => {
    const x = restBodyState(BODY, [0.8, 1.2]);
    const u = new Float64Array([1e12, -1e12, 1e12, 1e300, 0, 5]);
    for (let k = 0; k < 50; k++) stepBody(BODY, x, u, 0.01, x, { substeps: 10 });
    for (let i = 0; i < NX; i++) expect(Number.isFinite(x[i])).toBe(true);
    for (let m = 0; m < NU; m++) expect(x[4 + m]).toBeGreaterThanOrEqual(P.activation.minActivation);
    for (let m = 0; m < NU; m++) expect(x[4 + m]).toBeLessThanOrEqual(1);
  });
});

/** Excitations [T, 6] of a 0.5 s flex-then-brake movement (raised-cosine bursts over 0.05 co-contraction). */
function reachExcitations(T: number, dt: number): Float64Array {
  const bump = (t: number, t0: number, d: number) => (t >= t0 && t <= t0 + d ? 0.5 - 0.5 * Math.cos((2 * Math.PI * (t - t0)) / d) : 0);
  const e = new Float64Array(NU * T).fill(0.05);
  for (let k = 0; k < T; k++) {
    const t = k * dt;
    e[NU * k] += 0.15 * bump(t, 0, 0.2); // pectoralis
    e[NU * k + 4] += 0.15 * bump(t, 0, 0.2); // biceps
    e[NU * k + 1] += 0.15 * bump(t, 0.1, 0.25); // deltoid
    e[NU * k + 3] += 0.15 * bump(t, 0.1, 0.25); // triceps lateral
  }
  return e;
}

describe('arm26 in matter-js', () => {
  it('matter-js and analytic muscle arms agree within 1 mm over a 0.5 s reach', () => {
    const dt = 0.01;
    const T = 50;
    const e = reachExcitations(T, dt);
    const q0: [number, number] = [Math.PI / 4, Math.PI / 2];
    const x = restBodyState(BODY, q0);
    const arm = createMatterBody(BODY, { q0 });
    live.push(arm);
    const start = handPosition(BODY.skeleton, q0[0], q0[1]);
    let gap = 0;
    let travel = 0;
    let actGap = 0;
    for (let k = 0; k < T; k++) {
      const u = e.subarray(NU * k, NU * k + NU);
      stepBody(BODY, x, u, dt, x, { substeps: 10 });
      arm.step(u, dt);
      const a = handPosition(BODY.skeleton, x[0], x[1]);
      const b = arm.handPosition();
      gap = Math.max(gap, Math.hypot(a[0] - b[0], a[1] - b[1]));
      travel = Math.max(travel, Math.hypot(a[0] - start[0], a[1] - start[1]));
      for (let m = 0; m < NU; m++) actGap = Math.max(actGap, Math.abs(arm.actuatorState[m] - x[4 + m]));
    }
    console.log(`arm26 matter vs analytic: hand gap ${(gap * 1e3).toFixed(3)} mm over a ${(travel * 100).toFixed(1)} cm movement; activation gap ${actGap.toExponential(2)}`);
    expect(travel).toBeGreaterThan(0.05);
    expect(actGap).toBeLessThan(1e-12);
    expect(gap).toBeLessThan(1e-3);
  });
});
