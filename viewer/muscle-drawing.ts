/**
 * Where the viewer draws a muscle: a line from its origin to its insertion, bent at every joint it
 * crosses to pass the joint at its moment arm, on the side its moment arm implies. The muscle model
 * (sim/actuators/arm26.ts) has polynomial path lengths, not attachment points, so the attachments here
 * are schematic (trunk, upper arm or forearm by which joints the path crosses) while the distance from
 * each joint is the model's moment arm at the current posture: a muscle that shortens when a joint
 * angle grows (r = ∂L/∂q < 0, a flexor) lies on the side the distal segment turns toward. Straight
 * segments through one point per joint do not wrap around it: up to ~125° of elbow flexion (beyond the
 * reaching workspace) the drawn length changes with each joint angle in the sense of the model's moment
 * arm; beyond it the drawn extensors stop lengthening (test/viewer/muscle-drawing.test.ts).
 */
import type { ArmParams } from '../sim/arm-params.ts';
import type { MuscleSetParams } from '../sim/actuators/arm26-params.ts';
import { forwardKinematics } from '../sim/dynamics.ts';

/** Activation drawn at full colour; higher activations saturate (a trained reach stays below ~0.45). */
export const ACTIVATION_FULL_SCALE = 0.5;

/** Trunk origins (m, shoulder at 0, +y forward, the trunk toward −x and −y), by joints crossed and side at the shoulder. */
const TRUNK = {
  shoulderFlexor: [-0.1, -0.025],
  shoulderExtensor: [0.03, -0.08],
  biarticularFlexor: [-0.035, -0.015],
  biarticularExtensor: [0.0, -0.055],
} as const;
/** Attachments along a segment, as fractions of its length from its proximal joint. */
const ALONG = { shoulderInsertion: 0.35, elbowFlexorOrigin: 0.6, elbowExtensorOrigin: 0.4, flexorInsertion: 0.8, biarticularFlexorInsertion: 0.15, extensorInsertion: 0.06 } as const;
/** Attachments sit this far off the bone (m), on the muscle's side: clear of the drawn link (0.024 m wide). */
const OFF_BONE = 0.02;
/** The trunk drawn behind the muscles' trunk origins (m): a rounded box medial and posterior to the shoulder. */
export const TRUNK_BOX = { x: -0.2, y: -0.11, width: 0.24, height: 0.1, radius: 0.03 } as const;

/** Muscle m's moment arm (m/rad) about joint j at angles (q1, q2): ∂L_m/∂q_j of the path polynomial. */
function momentArm(p: MuscleSetParams, m: number, j: 0 | 1, q: number): number {
  const g = p.geometry;
  return g.linear[j][m] + 2 * g.quadratic[j][m] * (q - g.referencePosture[j]);
}

/**
 * The drawn path of every muscle at joint angles (q1, q2) (rad): per muscle a flat list of world points
 * [x0, y0, x1, y1, …] (m), origin first, insertion last.
 */
export function musclePolylines(arm: ArmParams, p: MuscleSetParams, q1: number, q2: number): number[][] {
  const { elbow, hand } = forwardKinematics(arm, q1, q2);
  const u1 = [elbow[0] / arm.l[0], elbow[1] / arm.l[0]];
  const u2 = [(hand[0] - elbow[0]) / arm.l[1], (hand[1] - elbow[1]) / arm.l[1]];
  // Left normals (toward where a growing joint angle turns the distal segment) of each joint's bisector.
  const bisectorNormal = (a: number[], b: number[]) => {
    let x = a[0] + b[0];
    let y = a[1] + b[1];
    const n = Math.hypot(x, y);
    if (n < 1e-9) [x, y] = [b[0], b[1]];
    else [x, y] = [x / n, y / n];
    return [-y, x];
  };
  const nShoulder = bisectorNormal([1, 0], u1);
  const nElbow = bisectorNormal(u1, u2);
  const onSegment = (base: readonly number[], u: number[], length: number, f: number, side: number) => [base[0] + u[0] * f * length - u[1] * side * OFF_BONE, base[1] + u[1] * f * length + u[0] * side * OFF_BONE];
  const crosses = (m: number, j: 0 | 1) => p.geometry.linear[j][m] !== 0 || p.geometry.quadratic[j][m] !== 0;
  return p.muscles.map((_, m) => {
    const atShoulder = crosses(m, 0);
    const atElbow = crosses(m, 1);
    const r1 = momentArm(p, m, 0, q1);
    const r2 = momentArm(p, m, 1, q2);
    // Side +1: the flexor (r < 0) side.
    const side1 = r1 < 0 ? 1 : -1;
    const side2 = r2 < 0 ? 1 : -1;
    const pts: number[] = [];
    if (atShoulder) {
      const o = atElbow ? (side1 > 0 ? TRUNK.biarticularFlexor : TRUNK.biarticularExtensor) : side1 > 0 ? TRUNK.shoulderFlexor : TRUNK.shoulderExtensor;
      pts.push(o[0], o[1], side1 * Math.abs(r1) * nShoulder[0], side1 * Math.abs(r1) * nShoulder[1]);
      if (!atElbow) pts.push(...onSegment([0, 0], u1, arm.l[0], ALONG.shoulderInsertion, side1));
    } else {
      pts.push(...onSegment([0, 0], u1, arm.l[0], side2 > 0 ? ALONG.elbowFlexorOrigin : ALONG.elbowExtensorOrigin, side2));
    }
    if (atElbow) {
      pts.push(elbow[0] + side2 * Math.abs(r2) * nElbow[0], elbow[1] + side2 * Math.abs(r2) * nElbow[1]);
      const f = side2 < 0 ? ALONG.extensorInsertion : atShoulder ? ALONG.biarticularFlexorInsertion : ALONG.flexorInsertion;
      pts.push(...onSegment(elbow, u2, arm.l[1], f, side2));
    }
    return pts;
  });
}

/** Colour stops of the activation map: 0 (slate) → ACTIVATION_FULL_SCALE/2 (red-orange) → full (yellow). */
const STOPS = [
  [0x5a, 0x65, 0x80],
  [0xe0, 0x4a, 0x2a],
  [0xff, 0xd8, 0x4a],
] as const;

/** 0xRRGGBB of activation a (0 … ACTIVATION_FULL_SCALE, clipped). */
export function activationColor(a: number): number {
  const x = Math.min(1, Math.max(0, a / ACTIVATION_FULL_SCALE)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = (k: number) => Math.round(STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * f);
  return (c(0) << 16) | (c(1) << 8) | c(2);
}
