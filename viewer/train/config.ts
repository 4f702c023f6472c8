/**
 * What the train panel lets a student choose, and the training config it becomes. Everything else is a
 * browser default picked so that a 64-unit leaky RNN reaches all 8 center-out targets within 1 cm in
 * well under 90 s of headless Chromium on 2 shared cores: center-out trials only (what the viewer shows),
 * batches of 32 (two shards), a learning rate of 1e-2 halved every 200 iterations. Measured on this
 * machine with Node's wasm backend under load 10: the 8 reaches first all end within 1 cm at iteration
 * 240 (26 s); the README (Web viewer) gives the figures in Chromium.
 */
import type { CellKind } from '../../model/cells/index.ts';
import { parseTrainConfig, type TrainConfig } from '../../model/train.ts';

/** The student's choices. */
export interface TrainChoice {
  /** Recurrent cell. Default 'rnn' (leaky RNN). */
  kind: CellKind;
  /** Hidden units. Default 64. */
  hidden: number;
  /** Effort loss weight (per (N·m)² of torque). Default 5e-4, as `reach train`. */
  effort: number;
  /** Hidden-activity loss weight (per squared activity). Default 1e-2, as `reach train`. */
  activity: number;
  /** Iterations to train (mini-batches). Default 600. */
  iterations: number;
  /** Seed of the weights, trials and noise. Default 1. */
  seed: number;
}

export const DEFAULT_CHOICE: TrainChoice = { kind: 'rnn', hidden: 64, effort: 5e-4, activity: 1e-2, iterations: 600, seed: 1 };

/** Largest hidden size offered: beyond it an iteration takes seconds in a browser. */
export const MAX_HIDDEN = 256;

/** The training config of a choice (validated like any `reach train` config; throws with the field named). */
export function browserTrainConfig(c: TrainChoice): TrainConfig {
  return parseTrainConfig({
    seed: c.seed,
    arm: 'motornet',
    task: { kind: 'center-out', duration: 1.2, catchProbability: 0 },
    network: { kind: c.kind, hidden: c.hidden, tau: 0.05, init: 'orthogonal', outputScale: 0.01 },
    loss: { effort: c.effort, activity: c.activity },
    iterations: c.iterations,
    batch: 32,
    lr: 1e-2,
    lrDecay: 0.5,
    lrDecaySteps: 200,
    checkpointEvery: 0,
    gradientFlowEvery: 0,
  });
}
