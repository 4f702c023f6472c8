/** Messages between the train panel and the training worker (plain data, structured-cloned). */
import type { Checkpoint } from '../../model/checkpoint.ts';
import type { TrainChoice } from './config.ts';

/** Panel → worker. `resume` after the last iteration trains the chosen number of iterations more. */
export type TrainRequest = { type: 'start'; choice: TrainChoice } | { type: 'stop' } | { type: 'resume' } | { type: 'save' };

/** One iteration, as the panel plots it. */
export interface Progress {
  iteration: number;
  /** Total loss of the batch. */
  loss: number;
  /** Mean final hand-to-target distance of the batch (m). */
  endpointError: number;
  /** Training wall time so far, paused time left out (s). */
  elapsed: number;
}

/** Worker → panel. */
export type TrainReply =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; progress: Progress }
  /** The network as it is now, without optimizer state, and its 8 center-out errors as `reach run` measures them (m). */
  | { type: 'snapshot'; iteration: number; elapsed: number; checkpoint: Checkpoint; errors: number[] }
  | { type: 'state'; running: boolean; iteration: number; iterations: number }
  /** A checkpoint file's text, with optimizer state (so `reach train --resume` continues it). */
  | { type: 'checkpoint'; text: string; iteration: number }
  | { type: 'error'; message: string };
