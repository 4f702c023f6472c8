/**
 * The options of a closed-loop run (`reach run`, `reach experiment`) and their defaults, apart from the
 * run itself (experiments/run.ts) so that the CLI can show them without loading the arm and network.
 */
import type { ArmEngine } from '../model/closed-loop.ts';
import type { InterventionSpec } from '../model/interventions/spec.ts';
import type { FeedbackOptions } from '../sim/feedback.ts';
import { NO_FIELD, type ForceField } from '../sim/force-fields.ts';

/** Options of a closed-loop run; the defaults are DEFAULT_RUN_OPTIONS. */
export interface RunOptions {
  /** Which arm the controller drives. Default matter. */
  engine: ArmEngine;
  /** Which trials: the center-out conditions or random reaches from the training task's distribution. Default center-out. */
  task: 'center-out' | 'random';
  /** Repetitions of each center-out condition, or the number of random trials. Default 1. */
  repeats: number;
  /** Go cue time of center-out trials (s). Default 0.3. */
  goTime: number;
  /** Trial duration (s). Default 1.4. */
  duration: number;
  /** Time after the go cue at which the endpoint error is measured (s). Default 0.8. */
  evalAfter: number;
  /** External hand force during every trial. Default none. */
  field: ForceField;
  /** Sensory feedback. Default the checkpoint's training feedback. */
  feedback?: FeedbackOptions;
  /** Seed of the sensory noise (and of random trials). Default 1. */
  seed: number;
  /** Interventions on the run's trials (model/interventions/spec.ts). Default none. */
  interventions?: InterventionSpec;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  engine: 'matter',
  task: 'center-out',
  repeats: 1,
  goTime: 0.3,
  duration: 1.4,
  evalAfter: 0.8,
  field: NO_FIELD,
  seed: 1,
};

/** Run options of the default experiment: 5 noisy repeats of each center-out target on the matter-js arm. */
export const EXPERIMENT_RUN_OPTIONS: RunOptions = { ...DEFAULT_RUN_OPTIONS, repeats: 5 };
