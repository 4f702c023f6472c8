import { afterEach, describe, expect, it } from 'vitest';
import { cloneArmParams, LI_TODOROV_ARM, MOTORNET_ARM, type ArmParams } from '../../sim/arm-params.ts';
import { handPosition, jacobian, stepArm, type Vec2 } from '../../sim/dynamics.ts';
import { constantField, curlField, type ForceField } from '../../sim/force-fields.ts';
import { createMatterArm, MatterArm } from '../../sim/matter-arm.ts';
import { createRng, uniformIn } from '../../core/random.ts';
import { minJerkReachTorques } from './reach-profile.ts';

const ARMS = [MOTORNET_ARM, LI_TODOROV_ARM];
const Q0: Vec2 = [Math.PI / 4, Math.PI / 2];
const DT = 0.01;
const live: MatterArm[] = [];

function matterArm(p: ArmParams, q0: Vec2 = Q0, qd0?: Vec2): MatterArm {
  const arm = createMatterArm(p, { q0, qd0 });
  live.push(arm);
  return arm;
}

afterEach(() => {
  for (const a of live.splice(0)) a.dispose();
});

/** Max distance (m) between the analytic (RK4, 1 ms substeps) and matter-js hands over a torque sequence. */
function maxHandGap(p: ArmParams, tau: Float64Array, steps: number, field?: ForceField): number {
  const x = new Float64Array([Q0[0], Q0[1], 0, 0]);
  const arm = matterArm(p);
  if (field) arm.setForceField(field);
  let gap = 0;
  for (let k = 0; k < steps; k++) {
    const u = [tau[2 * k], tau[2 * k + 1]];
    stepArm(p, x, u, DT, x, { substeps: 10, handForce: field, t: k * DT });
    arm.step(u, DT);
    const a = handPosition(p, x[0], x[1]);
    const b = arm.handPosition();
    gap = Math.max(gap, Math.hypot(a[0] - b[0], a[1] - b[1]));
  }
  return gap;
}

describe('matter-js arm', () => {
  it('setState then getState returns the state, and the hand sits where forward kinematics puts it', () => {
    for (const p of ARMS) {
      const arm = matterArm(p);
      const x = [0.6, 1.1, 1.5, -2.5];
      arm.setState(x);
      const y = arm.getState();
      for (let i = 0; i < 4; i++) expect(y[i]).toBeCloseTo(x[i], 9);
      const h = handPosition(p, x[0], x[1]);
      expect(arm.handPosition()[0]).toBeCloseTo(h[0], 12);
      expect(arm.handPosition()[1]).toBeCloseTo(h[1], 12);
      const J = jacobian(p, x[0], x[1]);
      const v = arm.handVelocity();
      // Velocity is a one-update backward difference, so it matches J·q̇ to first order in ω·dt.
      expect(v[0]).toBeCloseTo(J[0] * x[2] + J[1] * x[3], 2);
      expect(v[1]).toBeCloseTo(J[2] * x[2] + J[3] * x[3], 2);
    }
  });

  it('matter-js and analytic hands agree within 1 mm over a 1 s run containing a 0.5 s minimum-jerk reach', () => {
    for (const p of ARMS) {
      const prof = minJerkReachTorques(p, Q0, [0, 0.1], { dt: DT, duration: 1, onset: 0.1, T: 0.5 });
      expect(maxHandGap(p, prof.tau, prof.steps)).toBeLessThan(0.001);
    }
  });

  it('matter-js and analytic hands agree within 2 mm for a 0.25 s reach', () => {
    for (const p of ARMS) {
      const prof = minJerkReachTorques(p, Q0, [-0.08, 0.06], { dt: DT, duration: 0.6, onset: 0.05, T: 0.25 });
      expect(maxHandGap(p, prof.tau, prof.steps)).toBeLessThan(0.002);
    }
  });

  it('the open-loop minimum-jerk torques bring both arms to the target (the reach is real)', () => {
    const p = MOTORNET_ARM;
    const prof = minJerkReachTorques(p, Q0, [0, 0.1], { dt: DT, duration: 1, onset: 0.1, T: 0.5 });
    const arm = matterArm(p);
    for (let k = 0; k < prof.steps; k++) arm.step([prof.tau[2 * k], prof.tau[2 * k + 1]], DT);
    const h = arm.handPosition();
    expect(Math.hypot(h[0] - prof.target[0], h[1] - prof.target[1])).toBeLessThan(0.002);
    expect(Math.hypot(h[0] - prof.start[0], h[1] - prof.start[1])).toBeGreaterThan(0.098);
  });

  it('a hand force in newtons moves the matter-js hand as Jᵀ·F moves the analytic hand (within 1 mm over 0.3 s)', () => {
    for (const p of ARMS) {
      const zero = new Float64Array(60);
      expect(maxHandGap(p, zero, 30, constantField(3, -2))).toBeLessThan(0.001);
    }
  });

  it('joint limits are never crossed under large torques (matter-js arm)', () => {
    const rng = createRng(11);
    for (const p of ARMS) {
      const arm = matterArm(p);
      let hitLimit = 0;
      for (let k = 0; k < 200; k++) {
        const tau = [uniformIn(rng, -40, 40), uniformIn(rng, -40, 40)];
        arm.step(tau, DT);
        const x = arm.getState();
        for (let j = 0; j < 2; j++) {
          expect(x[j]).toBeGreaterThanOrEqual(p.qMin[j]);
          expect(x[j]).toBeLessThanOrEqual(p.qMax[j]);
          if (x[j] === p.qMin[j] || x[j] === p.qMax[j]) hitLimit++;
        }
      }
      expect(hitLimit).toBeGreaterThan(0);
    }
  });

  it('an elbow driven into its limit stops there with zero velocity, as in the analytic arm', () => {
    const p = MOTORNET_ARM;
    const arm = matterArm(p, [1, 0.3], [0, -5]);
    arm.step([0, -20], 0.1);
    const x = arm.getState();
    expect(x[1]).toBe(p.qMin[1]);
    expect(x[3]).toBeCloseTo(0, 12);
  });

  it('two runs with the same inputs are bit-identical (matter-js)', () => {
    const p = cloneArmParams(LI_TODOROV_ARM);
    const run = () => {
      const rng = createRng(12);
      const arm = matterArm(p);
      arm.setForceField(curlField(13));
      const trace: number[] = [];
      for (let k = 0; k < 100; k++) {
        arm.step([uniformIn(rng, -3, 3), uniformIn(rng, -3, 3)], DT);
        trace.push(...arm.getState(), ...arm.handPosition());
      }
      return trace;
    };
    expect(run()).toEqual(run());
  });

  it('rejects a control step that is not a whole number of engine updates, and use after dispose', () => {
    const arm = matterArm(MOTORNET_ARM);
    expect(() => arm.step([0, 0], 0.0105)).toThrow(/whole number of 1 ms engine updates/);
    arm.dispose();
    expect(() => arm.step([0, 0], 0.01)).toThrow(/after dispose/);
  });
});

describe('force fields on a reach', () => {
  /** Signed lateral (x) deviation at mid-reach with a field, minus that without, for a forward (+y) reach. */
  function lateralShift(p: ArmParams, engine: 'analytic' | 'matter', field: ForceField): number {
    const prof = minJerkReachTorques(p, Q0, [0, 0.1], { dt: DT, duration: 0.5, onset: 0, T: 0.4 });
    const run = (f: ForceField | undefined) => {
      let sum = 0;
      if (engine === 'analytic') {
        const x = new Float64Array([Q0[0], Q0[1], 0, 0]);
        for (let k = 0; k < 30; k++) {
          stepArm(p, x, [prof.tau[2 * k], prof.tau[2 * k + 1]], DT, x, { substeps: 10, handForce: f, t: k * DT });
          sum += handPosition(p, x[0], x[1])[0];
        }
      } else {
        const arm = matterArm(p);
        if (f) arm.setForceField(f);
        for (let k = 0; k < 30; k++) {
          arm.step([prof.tau[2 * k], prof.tau[2 * k + 1]], DT);
          sum += arm.handPosition()[0];
        }
      }
      return sum / 30;
    };
    return run(field) - run(undefined);
  }

  it('a curl field F = c·[[0, 1], [−1, 0]]·ẋ pushes a forward reach to +x for c > 0 and to −x for c < 0 (both arms)', () => {
    for (const p of ARMS) {
      for (const engine of ['analytic', 'matter'] as const) {
        const right = lateralShift(p, engine, curlField(13));
        const left = lateralShift(p, engine, curlField(-13));
        expect(right).toBeGreaterThan(0.002);
        expect(left).toBeLessThan(-0.002);
      }
    }
  });
});
