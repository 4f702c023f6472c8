/**
 * How well the network in training reaches, measured as `reach run` measures it by default: the 8
 * center-out reaches on the matter-js arm, go at 0.3 s, 1.4 s trials, feedback noise as trained (sensory
 * noise seed 1), hand-to-target distance 0.8 s after go. So the figure the panel shows is the one the
 * saved checkpoint's run directory reports.
 */
import { runClosedLoop } from '../../model/closed-loop.ts';
import { networkSpecOf, resolveBody, type TrainConfig } from '../../model/train.ts';
import type { NetworkParams } from '../../model/network.ts';
import { centerOutConditions, parseTaskSpec } from '../../sim/tasks/task-spec.ts';

/** `reach run` defaults: go cue (s), trial length (s), evaluation delay after go (s), noise seed. */
const GO = 0.3;
const DURATION = 1.4;
const EVAL_AFTER = 0.8;
const SEED = 1;

/** Hand-to-target distance of each center-out reach `EVAL_AFTER` after go (m): [targets]. */
export function centerOutErrors(config: TrainConfig, params: NetworkParams): Float64Array {
  const body = resolveBody(config.arm);
  const task = parseTaskSpec({ ...config.task, kind: 'center-out', duration: DURATION, steps: undefined, delay: [GO, GO] });
  const trials = centerOutConditions(body.skeleton, task, GO, 1);
  const rec = runClosedLoop(body, networkSpecOf(config), params, trials, { engine: 'matter', feedback: config.feedback }, SEED);
  const T = trials.steps;
  const errors = new Float64Array(trials.batch);
  for (let b = 0; b < trials.batch; b++) {
    const at = (b * T + trials.goStep[b] + Math.round(EVAL_AFTER / trials.dt)) * 2;
    errors[b] = Math.hypot(rec.handPosition[at] - trials.target[b * 2], rec.handPosition[at + 1] - trials.target[b * 2 + 1]);
  }
  return errors;
}
