/**
 * What a downloaded trial needs to be read later: the controller, the trial's timing and target, the
 * perturbations in force (curl field, feedback noise), the seed, and the name and unit of every column of
 * the .npy / CSV table. Written as a JSON file next to the .npy.
 */
import { traceColumns } from './trial-record.ts';
import { goTime, type Session } from './session.ts';

/** Seed of every viewer session's noise generator (createSession's default). */
export const VIEWER_SEED = 1;

export function trialContext(s: Session, dataFile: string): Record<string, unknown> {
  const r = s.record;
  const fb = s.feedback.opts;
  return {
    description: 'one trial recorded by the reach web viewer; rows are control steps, columns as listed',
    dataFile,
    shape: [r.length, traceColumns(r).length],
    columns: traceColumns(r),
    controller: { file: s.name, kind: s.controller.spec.kind, hiddenUnits: s.controller.spec.hidden, trainingIterations: s.checkpoint.training.iterations },
    arm: { body: s.body.name, actuator: s.body.actuator.kind, muscles: s.body.muscles ? [...s.body.muscles.muscles] : undefined },
    trial: {
      target: r.targetIndex < 0 ? 'start (hold)' : r.targetIndex + 1,
      targetPosition_m: Array.from(r.target),
      startPosition_m: [...s.start],
      dt_s: r.dt,
      goTime_s: goTime(s),
      firstRowStep: r.shifted,
      note: r.shifted > 0 ? 'the record scrolled: its first rows after the trial start were dropped (see firstRowStep)' : undefined,
    },
    field: { curl_N_s_per_m: s.curlOn ? s.curlStrength : 0 },
    feedbackNoise: {
      multiplierOfTrained: s.noiseScale,
      jointAngle_rad: fb.jointAngleNoise,
      jointVelocity_rad_per_s: fb.jointVelocityNoise,
      handPosition_m: fb.handPositionNoise,
      handVelocity_m_per_s: fb.handVelocityNoise,
      ...(s.body.muscles ? { muscleLength_l_opt: fb.muscleLengthNoise, muscleVelocity_v_max: fb.muscleVelocityNoise } : {}),
    },
    seed: VIEWER_SEED,
    savedAt: new Date().toISOString(),
  };
}
