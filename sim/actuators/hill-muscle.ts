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
import type { ActivationParams, HillParams } from './arm26-params.ts';

/**
 * Normalised muscle force at activation a, fibre length l̃ and velocity ṽ: out = [f, ∂f/∂a, ∂f/∂l̃,
 * ∂f/∂ṽ, f_P, f_L, active]. `slack` is the passive slack length in optimal lengths.
 */
export function hillForce(h: HillParams, slack: number, a: number, ln: number, vn: number, out: Float64Array): void {
  // Parallel element.
  const strain = ln - slack;
  const kP = 1 / ((h.passiveUnitLength - slack) * (h.passiveUnitLength - slack));
  const fP = strain > 0 ? kP * strain * strain : 0;
  const dfP = strain > 0 ? 2 * kP * strain : 0;
  // Force–length.
  const x = ln - 1;
  const w2 = h.forceLengthWidth * h.forceLengthWidth;
  const fLraw = 1 - (x * x) / w2;
  const fL = fLraw > h.minForceLength ? fLraw : h.minForceLength;
  const dfL = fLraw > h.minForceLength ? (-2 * x) / w2 : 0;
  const A = ln > 1 ? h.aRel * fL : h.aRel;
  const dA = ln > 1 ? h.aRel * dfL : 0;
  let B = h.bRel;
  let dBa = 0;
  if (a < h.bRelKnee) {
    const slope = -h.bRelDrop / (h.bRelFloorActivation - h.bRelKnee);
    const g = 1 + slope * (a - h.bRelKnee);
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
    const E = h.eccentricMax;
    const s = h.eccentricSlope;
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
  out[0] = active + fP;
  out[1] = dfa;
  out[2] = dfl + dfP;
  out[3] = dfv;
  out[4] = fP;
  out[5] = fL;
  out[6] = active;
}

/**
 * Activation rate (1/s) for activation a and excitation u, both already in [floor, 1]:
 * out = [ȧ, ∂ȧ/∂a, ∂ȧ/∂u].
 */
export function activationRate(p: ActivationParams, a: number, u: number, out: Float64Array, o = 0): void {
  const t = 0.5 + 1.5 * a;
  if (u > a) {
    const tau = p.tauActivation * t;
    out[o] = (u - a) / tau;
    out[o + 1] = -1 / tau - ((u - a) * 1.5) / (tau * t);
    out[o + 2] = 1 / tau;
  } else {
    out[o] = ((u - a) * t) / p.tauDeactivation;
    out[o + 1] = (-t + 1.5 * (u - a)) / p.tauDeactivation;
    out[o + 2] = t / p.tauDeactivation;
  }
}
