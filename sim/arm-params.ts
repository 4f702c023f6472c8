/**
 * Two-joint arm parameters: the single source that the analytic dynamics, the differentiable training
 * plant and the matter-js builder all read.
 *
 * Inertia convention: `Ic` is each link's moment of inertia about its OWN centre of mass. Some papers
 * (e.g. Li & Todorov 2004) quote the inertia about the proximal joint, I = Ic + m·s²; convert before
 * use — mixing the two conventions changes reach trajectories by tens of degrees.
 */
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';

type Pair = [number, number];

/** Mechanical parameters of a planar shoulder–elbow arm. Index 0 = upper arm / shoulder, 1 = forearm / elbow. */
export interface ArmParams {
  /** Preset or user name of the parameter set. */
  name: string;
  /** Where the numbers come from (citation or note). */
  source: string;
  /** Link masses (kg). */
  m: Pair;
  /** Link lengths, joint to joint (upper arm) and elbow to hand (forearm) (m). */
  l: Pair;
  /** Distance from each link's proximal joint to its centre of mass (m), in (0, l]. */
  s: Pair;
  /** Moment of inertia of each link about its own centre of mass (kg·m²). */
  Ic: Pair;
  /** Joint viscosity matrix, symmetric positive semi-definite: viscous torque = −B·q̇ (N·m·s/rad). */
  B: [Pair, Pair];
  /** Lower joint limits [shoulder, elbow] (rad); the elbow angle is relative to the upper arm. */
  qMin: Pair;
  /** Upper joint limits [shoulder, elbow] (rad). */
  qMax: Pair;
}

const DEG = Math.PI / 180;

/**
 * Small symmetric joint viscosity shared by both presets (N·m·s/rad). It is Li & Todorov's (2004) value;
 * MotorNet's skeleton has its own damping, but a common small B keeps the presets comparable and
 * damps numerical drift without visibly slowing a 0.5 s reach.
 */
const SMALL_VISCOSITY: [Pair, Pair] = [
  [0.05, 0.025],
  [0.025, 0.05],
];

/** MotorNet's two-joint arm (RigidTendonArm26 / TwoDofArm skeleton; Codol et al. 2024). Default preset. */
export const MOTORNET_ARM: ArmParams = {
  name: 'motornet',
  source:
    'MotorNet TwoDofArm skeleton of RigidTendonArm26 (Codol et al. 2024); joint viscosity B chosen here (Li & Todorov 2004 value)',
  m: [1.864572, 1.534315],
  l: [0.309, 0.26],
  s: [0.180496, 0.181479],
  Ic: [0.013193, 0.020062],
  B: SMALL_VISCOSITY,
  qMin: [0, 0],
  qMax: [140 * DEG, 160 * DEG],
};

/**
 * Li & Todorov (2004, ICINCO) arm. Their inertias 0.025 and 0.045 kg·m² are about the joints, so
 * Ic = I − m·s² = 0.025 − 1.4·0.11² = 0.00806 and 0.045 − 1.1·0.16² = 0.01684 kg·m².
 * The paper gives no joint limits; MotorNet's ranges (shoulder 0–140°, elbow 0–160°) are used so that
 * both presets share one workspace shape.
 */
export const LI_TODOROV_ARM: ArmParams = {
  name: 'li-todorov',
  source: 'Li & Todorov 2004 (ICINCO), inertias converted from joint to centre of mass; limits from MotorNet',
  m: [1.4, 1.1],
  l: [0.3, 0.33],
  s: [0.11, 0.16],
  Ic: [0.025 - 1.4 * 0.11 * 0.11, 0.045 - 1.1 * 0.16 * 0.16],
  B: [
    [0.05, 0.025],
    [0.025, 0.05],
  ],
  qMin: [0, 0],
  qMax: [140 * DEG, 160 * DEG],
};

/**
 * Skeleton of MotorNet's six-muscle arm (`RigidTendonArm26` defaults, from Nijhof & Kouwenhoven 2000):
 * inertias about the centres of mass, no joint viscosity (the muscles' force–velocity relation damps it).
 * Not a torque preset: the arm26 body (sim/body.ts) pairs it with its muscles.
 */
export const ARM26_SKELETON: ArmParams = {
  name: 'arm26',
  source: 'MotorNet RigidTendonArm26 skeleton (Nijhof & Kouwenhoven 2000; Codol et al. 2024), inertias about the centres of mass',
  m: [1.82, 1.43],
  l: [0.309, 0.333],
  s: [0.135, 0.165],
  Ic: [0.051, 0.057],
  B: [
    [0, 0],
    [0, 0],
  ],
  qMin: [0, 0],
  qMax: [135 * DEG, 155 * DEG],
};

/** Presets by name. */
export const ARM_PRESETS: Readonly<Record<string, ArmParams>> = {
  motornet: MOTORNET_ARM,
  'li-todorov': LI_TODOROV_ARM,
};

/** The default preset's name. */
export const DEFAULT_ARM_PRESET = 'motornet';

/** A deep copy of a preset; throws naming the known presets when `name` is unknown. */
export function getArmPreset(name: string): ArmParams {
  const p = Object.prototype.hasOwnProperty.call(ARM_PRESETS, name) ? ARM_PRESETS[name] : undefined;
  if (!p) throw new Error(`unknown arm preset '${name}' (known: ${Object.keys(ARM_PRESETS).join(', ')})`);
  return cloneArmParams(p);
}

/** Deep copy, so callers may mutate without touching a preset. */
export function cloneArmParams(p: ArmParams): ArmParams {
  return {
    name: p.name,
    source: p.source,
    m: [p.m[0], p.m[1]],
    l: [p.l[0], p.l[1]],
    s: [p.s[0], p.s[1]],
    Ic: [p.Ic[0], p.Ic[1]],
    B: [
      [p.B[0][0], p.B[0][1]],
      [p.B[1][0], p.B[1][1]],
    ],
    qMin: [p.qMin[0], p.qMin[1]],
    qMax: [p.qMax[0], p.qMax[1]],
  };
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const pair = z.tuple([finite, finite]);
const positivePair = (what: string, unit: string) =>
  z.tuple([
    finite.refine((v) => v > 0, `${what} must be > 0 ${unit}`),
    finite.refine((v) => v > 0, `${what} must be > 0 ${unit}`),
  ]);

/** Validates an {@link ArmParams} object; messages name the offending field and the rule it breaks. */
export const armParamsSchema = z
  .object({
    name: z.string().min(1, 'name must be a non-empty string'),
    source: z.string().default('user-supplied'),
    m: positivePair('mass', '(kg)'),
    l: positivePair('length', '(m)'),
    s: positivePair('centre-of-mass distance', '(m)'),
    Ic: positivePair('inertia about the centre of mass', '(kg·m²)'),
    B: z.tuple([pair, pair]),
    qMin: pair,
    qMax: pair,
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const i of [0, 1]) {
      if (p.s[i] > p.l[i]) {
        ctx.addIssue({
          code: 'custom',
          path: ['s', i],
          message: `centre-of-mass distance s[${i}] = ${p.s[i]} m must lie in (0, l[${i}] = ${p.l[i]} m]`,
        });
      }
      if (p.qMin[i] >= p.qMax[i]) {
        ctx.addIssue({
          code: 'custom',
          path: ['qMin', i],
          message: `joint limit qMin[${i}] = ${p.qMin[i]} rad must be < qMax[${i}] = ${p.qMax[i]} rad`,
        });
      }
    }
    const [[b11, b12], [b21, b22]] = p.B;
    const scale = Math.max(Math.abs(b11), Math.abs(b12), Math.abs(b21), Math.abs(b22), 1e-300);
    if (Math.abs(b12 - b21) > 1e-12 * scale) {
      ctx.addIssue({ code: 'custom', path: ['B'], message: `viscosity B must be symmetric, got B[0][1] = ${b12} ≠ B[1][0] = ${b21}` });
    } else if (b11 < 0 || b22 < 0 || b11 * b22 - b12 * b21 < -1e-12 * scale * scale) {
      ctx.addIssue({
        code: 'custom',
        path: ['B'],
        message: `viscosity B must be positive semi-definite (it would otherwise inject energy), got [[${b11}, ${b12}], [${b21}, ${b22}]]`,
      });
    }
  });

/** Validate unknown input (e.g. a parsed JSON file) as arm parameters; throws an Error listing every problem. */
export function parseArmParams(input: unknown): ArmParams {
  const r = armParamsSchema.safeParse(input, KEY_HINTS);
  if (!r.success) throw new Error(`invalid arm parameters: ${formatIssues(r.error, '(arm)')}`);
  return r.data;
}
