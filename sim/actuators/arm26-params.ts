/**
 * Parameters of the six-muscle arm ("arm26"): every number of its muscles in one validated object, each
 * with its source. The skeleton is `ARM26_SKELETON` in ../arm-params.ts.
 *
 * Sources: geometry and muscle sizes are the lumped muscles of Nijhof & Kouwenhoven (2000, "Simulation of
 * multijoint arm movements", in Winters & Crago, Biomechanics and Neural Control of Posture and Movement,
 * pp. 363–372) as tabulated in MotorNet's `RigidTendonArm26` (Codol et al. 2024); the muscle model is
 * MotorNet's `RigidTendonHillMuscle`, the rigid-tendon form of Kistemaker, Wong & Gribble (2010,
 * J Neurophysiol 104:2985) with the activation dynamics of Thelen (2003, J Biomech Eng 125:70).
 */
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';

/** Hill-type contractile and parallel elements (all dimensionless unless stated). */
export interface HillParams {
  /** Maximal shortening velocity scale (optimal fibre lengths per second): v_max = this × l_opt. MotorNet: 10. */
  maxVelocity: number;
  /** Width of the parabolic force–length curve: f_L = 1 − ((l̃ − 1)/w)². Kistemaker et al.: 0.66. */
  forceLengthWidth: number;
  /** Floor of the force–length factor (keeps the force–velocity curve defined). MotorNet: 0.01. */
  minForceLength: number;
  /** Normalised fibre length where the passive force reaches F_max (with slack 1.4: f_P = ((l̃ − 1.4)/0.26)²). Kistemaker et al.: 1.66. */
  passiveUnitLength: number;
  /** Hill constant a_rel of the concentric curve (× f_L beyond optimal length). Kistemaker et al.: 0.41. */
  aRel: number;
  /** Hill constant b_rel at activations ≥ `bRelKnee`. Kistemaker et al.: 5.2. */
  bRel: number;
  /** Activation below which b_rel falls: b_rel·(1 − drop·(a − knee)/(floorActivation − knee))². MotorNet: 0.3. */
  bRelKnee: number;
  /** See `bRelKnee`. MotorNet: 0.9. */
  bRelDrop: number;
  /** See `bRelKnee`. MotorNet: 0.005. */
  bRelFloorActivation: number;
  /** Eccentric force approaches this multiple of the isometric force. MotorNet: 1.5. */
  eccentricMax: number;
  /** Slope of the eccentric asymptote (per normalised velocity). MotorNet: 0.001. */
  eccentricSlope: number;
}

/** First-order excitation → activation dynamics (Thelen 2003, as in MotorNet's `Muscle.activation_ode`). */
export interface ActivationParams {
  /** Rising time constant (s); the effective one is this × (0.5 + 1.5·a). MotorNet: 0.015. */
  tauActivation: number;
  /** Falling time constant (s); the effective one is this / (0.5 + 1.5·a). MotorNet: 0.05. */
  tauDeactivation: number;
  /** Floor of activation and excitation (both are clipped to [floor, 1]). MotorNet: 0.001. */
  minActivation: number;
}

/** Polynomial musculotendon paths: L_m(q) = a0_m + Σ_j (a1_jm + a2_jm·d_j)·d_j, d = q − reference. */
export interface PathGeometry {
  /** a0 per muscle (m). */
  offset: number[];
  /** a1 per joint then muscle (m/rad): [shoulder row, elbow row]. */
  linear: [number[], number[]];
  /** a2 per joint then muscle (m/rad²). */
  quadratic: [number[], number[]];
  /** Reference posture a3 (rad). */
  referencePosture: [number, number];
}

/** A set of Hill-type muscles on the two-joint skeleton: forces in N, lengths in m, moment-arm polynomials in m per rad powers. */
export interface MuscleSetParams {
  name: string;
  source: string;
  /** Muscle names, in input order. */
  muscles: string[];
  /** Maximal isometric force F_max per muscle (N). */
  maxIsometricForce: number[];
  /** Rigid tendon length per muscle (m). */
  tendonLength: number[];
  /** Optimal fibre length l_opt per muscle (m). */
  optimalFibreLength: number[];
  /** Fibre length where the passive element starts to pull, in optimal lengths. MotorNet: 1.4. */
  passiveSlackLength: number;
  geometry: PathGeometry;
  activation: ActivationParams;
  hill: HillParams;
}

/** MotorNet's RigidTendonArm26 muscles (Nijhof & Kouwenhoven 2000) with RigidTendonHillMuscle constants. */
export const ARM26_MUSCLES: MuscleSetParams = {
  name: 'arm26',
  source:
    'Nijhof & Kouwenhoven 2000 lumped muscles as tabulated in MotorNet RigidTendonArm26 (commit a6a831e); Hill model of MotorNet RigidTendonHillMuscle (Kistemaker et al. 2010; activation: Thelen 2003)',
  muscles: ['pectoralis', 'deltoid', 'brachioradialis', 'triceps lateral', 'biceps', 'triceps long'],
  maxIsometricForce: [838, 1207, 1422, 1549, 414, 603],
  tendonLength: [0.039, 0.066, 0.172, 0.187, 0.204, 0.217],
  optimalFibreLength: [0.134, 0.14, 0.092, 0.093, 0.137, 0.127],
  passiveSlackLength: 1.4,
  geometry: {
    offset: [0.151, 0.2322, 0.2859, 0.2355, 0.3329, 0.2989],
    linear: [
      [-0.03, 0.03, 0, 0, -0.03, 0.03],
      [0, 0, -0.014, 0.025, -0.016, 0.03],
    ],
    quadratic: [
      [0, 0, 0, 0, 0, 0],
      [0, 0, -4e-3, -2.2e-3, -5.7e-3, -3.2e-3],
    ],
    referencePosture: [Math.PI / 2, 0],
  },
  activation: { tauActivation: 0.015, tauDeactivation: 0.05, minActivation: 0.001 },
  hill: {
    maxVelocity: 10,
    forceLengthWidth: 0.66,
    minForceLength: 0.01,
    passiveUnitLength: 1.66,
    aRel: 0.41,
    bRel: 5.2,
    bRelKnee: 0.3,
    bRelDrop: 0.9,
    bRelFloorActivation: 0.005,
    eccentricMax: 1.5,
    eccentricSlope: 0.001,
  },
};

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((v) => v > 0, 'must be > 0');
const vector = z.array(finite).min(1);

/** Validates {@link MuscleSetParams}; messages name the field and the rule. */
export const muscleSetParamsSchema = z
  .object({
    name: z.string().min(1),
    source: z.string().default('user-supplied'),
    muscles: z.array(z.string().min(1)).min(1),
    maxIsometricForce: z.array(positive),
    tendonLength: z.array(finite.refine((v) => v >= 0, 'must be ≥ 0 m')),
    optimalFibreLength: z.array(positive),
    passiveSlackLength: positive,
    geometry: z
      .object({ offset: vector, linear: z.tuple([vector, vector]), quadratic: z.tuple([vector, vector]), referencePosture: z.tuple([finite, finite]) })
      .strict(),
    activation: z
      .object({
        tauActivation: positive,
        tauDeactivation: positive,
        minActivation: finite.refine((v) => v >= 0 && v < 1, 'must lie in [0, 1)'),
      })
      .strict(),
    hill: z
      .object({
        maxVelocity: positive,
        forceLengthWidth: positive,
        minForceLength: positive,
        passiveUnitLength: positive,
        aRel: positive,
        bRel: positive,
        bRelKnee: positive,
        bRelDrop: finite.refine((v) => v >= 0 && v < 1, 'must lie in [0, 1)'),
        bRelFloorActivation: positive,
        eccentricMax: finite.refine((v) => v > 1, 'must be > 1'),
        eccentricSlope: finite.refine((v) => v >= 0, 'must be ≥ 0'),
      })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const n = p.muscles.length;
    const perMuscle: [string[], unknown[]][] = [
      [['maxIsometricForce'], p.maxIsometricForce],
      [['tendonLength'], p.tendonLength],
      [['optimalFibreLength'], p.optimalFibreLength],
      [['geometry', 'offset'], p.geometry.offset],
      [['geometry', 'linear', '0'], p.geometry.linear[0]],
      [['geometry', 'linear', '1'], p.geometry.linear[1]],
      [['geometry', 'quadratic', '0'], p.geometry.quadratic[0]],
      [['geometry', 'quadratic', '1'], p.geometry.quadratic[1]],
    ];
    for (const [path, arr] of perMuscle) {
      if (arr.length !== n) ctx.addIssue({ code: 'custom', path, message: `needs one value per muscle (${n}), got ${arr.length}` });
    }
    if (p.passiveSlackLength >= p.hill.passiveUnitLength) {
      ctx.addIssue({ code: 'custom', path: ['passiveSlackLength'], message: `must be < hill.passiveUnitLength (${p.hill.passiveUnitLength})` });
    }
    if (p.hill.bRelFloorActivation >= p.hill.bRelKnee) {
      ctx.addIssue({ code: 'custom', path: ['hill', 'bRelFloorActivation'], message: `must be < hill.bRelKnee (${p.hill.bRelKnee})` });
    }
  });

/** Validate unknown input as muscle-set parameters; throws an Error listing every problem. */
export function parseMuscleSetParams(input: unknown): MuscleSetParams {
  const r = muscleSetParamsSchema.safeParse(input, KEY_HINTS);
  if (!r.success) throw new Error(`invalid muscle parameters: ${formatIssues(r.error, '(muscles)')}`);
  return r.data;
}
