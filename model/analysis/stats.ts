/**
 * Special functions and tests used by the analyses: log-gamma, the regularised incomplete beta
 * function, the F distribution, and the Rayleigh test for circular (and axial) data.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (a = ${a}, b = ${b}, x = ${x})`);
}

/** Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new Error(`incomplete beta needs a, b > 0, got a = ${a}, b = ${b}`);
  if (!(x >= 0 && x <= 1)) throw new Error(`incomplete beta needs 0 ≤ x ≤ 1, got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const bt = Math.exp(lbt);
  if (x < (a + 1) / (a + b + 2)) return (bt * betaContinuedFraction(a, b, x)) / a;
  return 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(F > f) for the F distribution with (d1, d2) degrees of freedom, computed directly (accurate for tiny p). */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  return regularizedIncompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** Rayleigh test of uniformity against a unimodal alternative. */
export interface RayleighResult {
  /** Number of angles. */
  n: number;
  /** Mean resultant length r̄ (0…1). */
  meanResultantLength: number;
  /** Mean direction (rad, in (−π, π]). */
  meanDirection: number;
  /** Rayleigh's z = n·r̄². */
  z: number;
  /** p-value (Zar's approximation). */
  p: number;
}

/**
 * Rayleigh test (Zar 1999, Biostatistical Analysis, eq. 27.4; as `circ_rtest` in Berens 2009,
 * CircStat, J Stat Softw 31(10)): with R = n·r̄, p ≈ exp(√(1 + 4n + 4(n² − R²)) − (1 + 2n)).
 */
export function rayleighTest(angles: ArrayLike<number>): RayleighResult {
  const n = angles.length;
  if (n === 0) throw new Error('Rayleigh test needs at least one angle');
  let c = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(angles[i])) throw new Error(`angle ${i} is not finite (${angles[i]})`);
    c += Math.cos(angles[i]);
    s += Math.sin(angles[i]);
  }
  const R = Math.hypot(c, s);
  const rbar = R / n;
  const p = Math.min(1, Math.exp(Math.sqrt(1 + 4 * n + 4 * (n * n - R * R)) - (1 + 2 * n)));
  return { n, meanResultantLength: rbar, meanDirection: Math.atan2(s, c), z: (R * R) / n, p };
}

/** Axial (bimodal, 180°-symmetric) Rayleigh test. */
export interface AxialRayleighResult extends RayleighResult {
  /** Mean axis (rad, in [0, π)): half the mean direction of the doubled angles. */
  meanAxis: number;
}

/**
 * Rayleigh test on doubled angles: detects a bimodal distribution with modes 180° apart, as used
 * for motor-cortex preferred directions (Scott et al. 2001; Lillicrap & Scott 2013). The returned
 * r̄, z and p are those of the doubled angles.
 */
export function axialRayleighTest(angles: ArrayLike<number>): AxialRayleighResult {
  const doubled = Float64Array.from(angles, (a) => 2 * a);
  const r = rayleighTest(doubled);
  let axis = r.meanDirection / 2;
  if (axis < 0) axis += Math.PI;
  if (axis >= Math.PI) axis -= Math.PI;
  return { ...r, meanAxis: axis };
}
