/**
 * Torque motors: the inputs are the shoulder and elbow joint torques (N·m), applied as given. No
 * actuator state; any finite torque is accepted (the integrators keep the arm inside its limits).
 */

/**
 * Torques beyond ±1e300 N·m are applied as ±1e300 N·m, so that M⁻¹τ cannot overflow to ±Infinity (and
 * Infinity − Infinity to NaN) near the largest float: the arm ends at the same joint-limit corner.
 */
export const MAX_TORQUE = 1e300;
import type { Num } from '../skeleton.ts';
import type { Actuator } from './actuator.ts';

const JOINTS = ['shoulder', 'elbow'] as const;

/** Two joint torque motors: inputs [τ_shoulder, τ_elbow] (N·m) are the joint torques; no actuator state. */
export const TORQUE_ACTUATOR: Actuator = {
  kind: 'torque',
  name: 'torque',
  nInputs: 2,
  inputNames: JOINTS,
  inputUnit: 'N·m',
  inputNoun: 'torques',
  nState: 0,
  stateNames: [],
  stateUnit: '',
  nForces: 2,
  forceNames: JOINTS,
  forceUnit: 'N·m',
  torqueDependsOnState: false,
  inputRange: null,
  senses: [
    { name: 'q1', unit: 'rad', noise: 'jointAngleNoise' },
    { name: 'q2', unit: 'rad', noise: 'jointAngleNoise' },
    { name: 'qd1', unit: 'rad/s', noise: 'jointVelocityNoise' },
    { name: 'qd2', unit: 'rad/s', noise: 'jointVelocityNoise' },
  ],
  sense(q1: number, q2: number, qd1: number, qd2: number, out: Num, o: number, jac: Num | null): void {
    out[o] = q1;
    out[o + 1] = q2;
    out[o + 2] = qd1;
    out[o + 3] = qd2;
    if (jac) for (let i = 0; i < 16; i++) jac[i] = i % 5 === 0 ? 1 : 0;
  },
  clampInput: (u) => (u > MAX_TORQUE ? MAX_TORQUE : u < -MAX_TORQUE ? -MAX_TORQUE : u),
  restState: () => {},
  clampState: () => 0,
  stateRate: () => {},
  forces(_x: Num, _ox: number, u: Num, ou: number, f: Num, of: number): void {
    f[of] = u[ou];
    f[of + 1] = u[ou + 1];
  },
  forcesToTorques(_q1: number, _q2: number, f: Num, of: number, tau: Num): void {
    tau[0] = f[of];
    tau[1] = f[of + 1];
  },
  jointTorques(_x: Num, _ox: number, u: Num, ou: number, tau: Num, dTau: Num | null): void {
    tau[0] = u[ou];
    tau[1] = u[ou + 1];
    if (dTau) {
      // ∂τ/∂x (2×4) is zero; ∂τ/∂u is the identity.
      for (let i = 0; i < 8; i++) dTau[i] = 0;
      dTau[8] = 1;
      dTau[9] = 0;
      dTau[10] = 0;
      dTau[11] = 1;
    }
  },
};
