/**
 * `motor-cortex-rnn/sim`: the arms, their muscles, force fields and the reaching task.
 *
 * SI units throughout: lengths in m, angles in rad, times in s, torques in N·m, forces in N. Arm states
 * are flat arrays [q1, q2, q̇1, q̇2, actuator state…]. `ReachEnv` follows the Gymnasium contract
 * (`reset({seed, options})`, `step(action)`) on the matter-js arm or the analytic arm. Nothing here needs
 * Node: it runs in browsers too.
 *
 * @packageDocumentation
 */
export {
  MOTORNET_ARM,
  LI_TODOROV_ARM,
  ARM_PRESETS,
  DEFAULT_ARM_PRESET,
  getArmPreset,
  parseArmParams,
  type ArmParams,
} from '../sim/arm-params.ts';
export { BODY_PRESETS, torqueBody, muscleBody, getBodyPreset, bodyStateSize, restBodyState, type Body } from '../sim/body.ts';
export { stepBody, type StepOptions } from '../sim/body-step.ts';
export type { Actuator, SenseChannel, SenseNoise } from '../sim/actuators/actuator.ts';
export { TORQUE_ACTUATOR } from '../sim/actuators/torque.ts';
export {
  ARM26_MUSCLES,
  parseMuscleSetParams,
  type MuscleSetParams,
  type HillParams,
  type ActivationParams,
  type PathGeometry,
} from '../sim/actuators/arm26-params.ts';
export { forwardKinematics, inverseKinematics, handPosition, handVelocity, jacobian, massMatrix, forwardDynamics, type Vec2, type Num, type ArmState, type HandForceFn } from '../sim/skeleton.ts';
export { NO_FIELD, curlField, viscousField, constantField, pulseField, sumFields, type ForceField, type ForcePulse } from '../sim/force-fields.ts';
export { createMatterArm, createMatterBody, MatterArm, type MatterArmOptions } from '../sim/matter-arm.ts';
export { ReachEnv, type ArmEngine, type ReachEnvOptions, type ResetOptions, type StepInfo, type StepResult } from '../sim/tasks/reach-env.ts';
export {
  parseTaskSpec,
  centerOutConditions,
  centerOutTargets,
  sampleTrials,
  type TaskSpec,
  type TrialBatch,
} from '../sim/tasks/task-spec.ts';
export { observationChannels, observationSize, DEFAULT_FEEDBACK } from '../sim/tasks/observation.ts';
export type { FeedbackOptions } from '../sim/feedback.ts';
export { createRng, type Rng } from '../core/random.ts';
