/**
 * The axis of preferred directions that limb mechanics predict (Lillicrap & Scott 2013): reaching
 * demands the largest joint torques, hence the largest muscle and cortical activity, for hand
 * accelerations along the direction in which the limb is hardest to accelerate. At a posture with mass
 * matrix M (kg·m²) and hand Jacobian J (m/rad), a hand acceleration a needs joint torques τ = M J⁻¹ a
 * (velocity terms vanish at rest), so |τ|² = aᵀ G a with G = (M J⁻¹)ᵀ (M J⁻¹); the predicted axis is
 * G's major eigenvector. The hand's effective mass Λ = J⁻ᵀ M J⁻¹ (the inverse of its mobility) is
 * returned too: its major axis is the direction of minimal mobility. Pure 2 × 2 algebra, angles in rad.
 */

/** Axis (rad, in [0, π)) of the major eigenvector of the symmetric 2 × 2 matrix [[a, b], [b, c]], and its eigenvalues (major first). */
export function majorAxis(a: number, b: number, c: number): { axis: number; eigenvalues: [number, number] } {
  // The major axis of a symmetric 2 × 2 matrix is at half the angle of (a − c, 2b).
  let axis = 0.5 * Math.atan2(2 * b, a - c);
  if (axis < 0) axis += Math.PI;
  if (axis >= Math.PI) axis -= Math.PI;
  const m = (a + c) / 2;
  const r = Math.hypot((a - c) / 2, b);
  return { axis, eigenvalues: [m + r, m - r] };
}

/** Smallest angle between two axes (rad, in [0, π/2]). */
export function axisDifference(a: number, b: number): number {
  let d = Math.abs(a - b) % Math.PI;
  if (d > Math.PI / 2) d = Math.PI - d;
  return d;
}

export interface LimbAxes {
  /** Axis (rad, [0, π), from +x) of hand accelerations needing the largest joint torques per m/s². */
  torqueDemandAxis: number;
  /** Largest and smallest joint torque per unit hand acceleration (N·m per m/s², i.e. kg·m). */
  torqueDemand: [number, number];
  /** Axis (rad, [0, π)) of the largest effective hand mass (the direction of minimal mobility). */
  effectiveMassAxis: number;
  /** Largest and smallest effective hand mass (kg). */
  effectiveMass: [number, number];
}

/**
 * The limb's mechanical axes at one posture from its mass matrix M = [M11, M12, M22] (kg·m²) and hand
 * Jacobian J = [J11, J12, J21, J22] (row-major, m/rad).
 */
export function limbAxes(M: readonly [number, number, number], J: readonly [number, number, number, number]): LimbAxes {
  const [m11, m12, m22] = M;
  const [j11, j12, j21, j22] = J;
  const det = j11 * j22 - j12 * j21;
  if (!(Math.abs(det) > 1e-12)) throw new Error('limbAxes: the hand Jacobian is singular (arm fully stretched or folded)');
  // J⁻¹.
  const i11 = j22 / det;
  const i12 = -j12 / det;
  const i21 = -j21 / det;
  const i22 = j11 / det;
  // K = M J⁻¹ (torque per hand acceleration).
  const k11 = m11 * i11 + m12 * i21;
  const k12 = m11 * i12 + m12 * i22;
  const k21 = m12 * i11 + m22 * i21;
  const k22 = m12 * i12 + m22 * i22;
  const g = majorAxis(k11 * k11 + k21 * k21, k11 * k12 + k21 * k22, k12 * k12 + k22 * k22);
  // Λ = J⁻ᵀ K.
  const l = majorAxis(i11 * k11 + i21 * k21, i11 * k12 + i21 * k22, i12 * k12 + i22 * k22);
  return {
    torqueDemandAxis: g.axis,
    torqueDemand: [Math.sqrt(g.eigenvalues[0]), Math.sqrt(Math.max(0, g.eigenvalues[1]))],
    effectiveMassAxis: l.axis,
    effectiveMass: l.eigenvalues,
  };
}
