/**
 * One rigid-tendon Hill-type muscle (Kistemaker, Wong & Gribble 2010, in MotorNet's
 * `RigidTendonHillMuscle` form), in normalised units: fibre length l̃ = l / l_opt, velocity
 * ṽ = v / v_max (lengthening > 0), force f = F / F_max. Each function also returns its partial
 * derivatives, which the step Jacobian chains.
 *
 *   parallel element   f_P = k_P·max(l̃ − l̃_slack, 0)²,  k_P = 1/(l̃_unit − l̃_slack)²
 *   force–length       f_L = max(1 − ((l̃ − 1)/w)², f_L,min)
 *   force–velocity     shortening (ṽ < 0): f_V·a·f_L = (ṽ·a·A + a·f_L·B)/(B − ṽ)   (Hill's hyperbola)
 *                      with A = a_rel (× f_L when l̃ > 1) and B = b_rel (lower at low activation);
 *                      lengthening (ṽ ≥ 0): s·ṽ + E·a·f_L + P²/(ṽ·D − P), P = (E − 1)·a·f_L,
 *                      D = s − 2·a·(f_L + A)/B (E = 1.5, s = 0.001): MotorNet's p1/p2/p3 form
 *                      rearranged so that nothing divides by D; it rises from a·f_L towards E·a·f_L.
 *   total              f = max(active, 0) + f_P
 *
 * Activation (Thelen 2003): ȧ = (u − a)/τ with τ = τ_act·(0.5 + 1.5a) when u > a, else τ_deact/(0.5 + 1.5a).
 */
import type { Num } from '../skeleton.ts';
import type { ActivationParams, HillParams } from './arm26-params.ts';

/** What {@link hillForces} derives from the parameters once (the same expressions it used to evaluate per call). */
export interface HillConstants {
  h: HillParams;
  /** Passive slack length (optimal lengths). */
  slack: number;
  /** Parallel-element stiffness k_P. */
  kP: number;
  /** Force–length width squared. */
  w2: number;
  /** Slope of b_rel below the knee. */
  slope: number;
}

/** The constants of {@link hillForces} for parameters `h` and passive slack length `slack` (optimal lengths). */
export function hillConstants(h: HillParams, slack: number): HillConstants {
  return {
    h,
    slack,
    kP: 1 / ((h.passiveUnitLength - slack) * (h.passiveUnitLength - slack)),
    w2: h.forceLengthWidth * h.forceLengthWidth,
    slope: -h.bRelDrop / (h.bRelFloorActivation - h.bRelKnee),
  };
}

// One muscle's inputs as the batched functions read them (activation, fibre length and velocity, excitation).
const one = { a: new Float64Array(1), ln: new Float64Array(1), vn: new Float64Array(1), u: new Float64Array(1) };

/**
 * Normalised muscle force at activation a, fibre length l̃ and velocity ṽ: out = [f, ∂f/∂a, ∂f/∂l̃,
 * ∂f/∂ṽ, f_P, f_L, active]. `slack` is the passive slack length in optimal lengths.
 */
export function hillForce(h: HillParams, slack: number, a: number, ln: number, vn: number, out: Float64Array): void {
  one.a[0] = a;
  one.ln[0] = ln;
  one.vn[0] = vn;
  hillForces(hillConstants(h, slack), 1, one.a, 0, one.ln, one.vn, out);
}

/**
 * {@link hillForce} for n muscles: activation a[oa + m], normalised length ln[m] and velocity vn[m]
 * into out[7m … 7m + 7). One call per body state, reading its inputs from arrays, keeps the integrators'
 * inner loop free of per-muscle calls.
 */
export function hillForces(c: HillConstants, n: number, act: Num, oa: number, lns: Float64Array, vns: Float64Array, out: Float64Array): void {
  const h = c.h;
  const { slack, kP, w2, slope } = c;
  const { minForceLength, aRel, bRelKnee, eccentricMax: E, eccentricSlope: s } = h;
  for (let m = 0; m < n; m++) {
    const a = act[oa + m];
    const ln = lns[m];
    const vn = vns[m];
    // Parallel element.
    const strain = ln - slack;
    const fP = strain > 0 ? kP * strain * strain : 0;
    const dfP = strain > 0 ? 2 * kP * strain : 0;
    // Force–length.
    const x = ln - 1;
    const fLraw = 1 - (x * x) / w2;
    const fL = fLraw > minForceLength ? fLraw : minForceLength;
    const dfL = fLraw > minForceLength ? (-2 * x) / w2 : 0;
    const A = ln > 1 ? aRel * fL : aRel;
    const dA = ln > 1 ? aRel * dfL : 0;
    let B = h.bRel;
    let dBa = 0;
    if (a < bRelKnee) {
      const g = 1 + slope * (a - bRelKnee);
      B = h.bRel * g * g;
      dBa = 2 * h.bRel * g * slope;
    }
    const fa = fL * a;
    let f: number;
    let dfa: number; // ∂/∂a
    let dfl: number; // ∂/∂l̃
    let dfv: number; // ∂/∂ṽ
    if (vn < 0) {
      const N = vn * a * A + fa * B;
      const Dn = B - vn;
      f = N / Dn;
      const Na = vn * A + fL * B + fa * dBa;
      const Nl = vn * a * dA + a * dfL * B;
      dfa = (Na * Dn - N * dBa) / (Dn * Dn);
      dfl = Nl / Dn;
      dfv = (a * A * Dn + N) / (Dn * Dn);
    } else {
      const d0 = (a * (fL + A)) / B;
      const d0a = (fL + A) / B - (a * (fL + A) * dBa) / (B * B);
      const d0l = (a * (dfL + dA)) / B;
      const D = s - 2 * d0;
      const P = (E - 1) * fa;
      const Q = vn * D - P;
      f = s * vn + E * fa + (P * P) / Q;
      const fFa = E + ((E - 1) * (2 * P * Q + P * P)) / (Q * Q);
      const fD = -(P * P * vn) / (Q * Q);
      dfa = fFa * fL - 2 * fD * d0a;
      dfl = fFa * a * dfL - 2 * fD * d0l;
      dfv = s - (P * P * D) / (Q * Q);
    }
    const active = f > 0 ? f : 0;
    if (!(f > 0)) {
      dfa = 0;
      dfl = 0;
      dfv = 0;
    }
    const o = 7 * m;
    out[o] = active + fP;
    out[o + 1] = dfa;
    out[o + 2] = dfl + dfP;
    out[o + 3] = dfv;
    out[o + 4] = fP;
    out[o + 5] = fL;
    out[o + 6] = active;
  }
}

const rate1 = new Float64Array(1);
const dRate1 = new Float64Array(2);

/**
 * Activation rate (1/s) for activation a and excitation u, both already in [floor, 1]:
 * out = [ȧ, ∂ȧ/∂a, ∂ȧ/∂u].
 */
export function activationRate(p: ActivationParams, a: number, u: number, out: Float64Array, o = 0): void {
  one.a[0] = a;
  one.u[0] = u;
  activationRates(p, 1, one.a, 0, one.u, 0, rate1, 0, dRate1);
  out[o] = rate1[0];
  out[o + 1] = dRate1[0];
  out[o + 2] = dRate1[1];
}

/**
 * {@link activationRate} for n muscles: activations s[os + m], excitations u[ou + m] → ȧ into
 * rate[or + m] and, with `dRate` non-null, ∂ȧ/∂a into dRate[2m], ∂ȧ/∂u into dRate[2m + 1].
 */
export function activationRates(p: ActivationParams, n: number, s: Num, os: number, u: Num, ou: number, rate: Num, or: number, dRate: Num | null): void {
  const { tauActivation, tauDeactivation } = p;
  for (let m = 0; m < n; m++) {
    const a = s[os + m];
    const e = u[ou + m];
    const t = 0.5 + 1.5 * a;
    if (e > a) {
      const tau = tauActivation * t;
      rate[or + m] = (e - a) / tau;
      if (dRate) {
        dRate[2 * m] = -1 / tau - ((e - a) * 1.5) / (tau * t);
        dRate[2 * m + 1] = 1 / tau;
      }
    } else {
      rate[or + m] = ((e - a) * t) / tauDeactivation;
      if (dRate) {
        dRate[2 * m] = (-t + 1.5 * (e - a)) / tauDeactivation;
        dRate[2 * m + 1] = t / tauDeactivation;
      }
    }
  }
}
