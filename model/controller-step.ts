/**
 * One control step of a trained controller on a single arm: observation from the delayed, noisy
 * feedback → recurrent step → readout of the actuator inputs (joint torques or muscle excitations).
 * Closed-loop runs (Node, observations from ReachEnv) and
 * the live viewer (browser) both step through {@link controllerAdvance} and {@link controllerReadout}
 * (with model/interventions/ between them), so the network the viewer shows is the one the experiments
 * measure.
 *
 * The buffers are allocated once in {@link createController}; a step allocates nothing.
 */
import { fillNormal, type Rng } from '../core/random.ts';
import { FEEDBACK_OFFSET } from '../sim/tasks/observation.ts';
import { cellOf, type Cell, type StepCache } from './cells/index.ts';
import { jsMatmul, readout, stateSize, type Matmul, type NetworkParams, type NetworkSpec } from './network.ts';

/** A controller for one arm with its working buffers. */
export interface Controller {
  spec: NetworkSpec;
  params: NetworkParams;
  cell: Cell;
  matmul: Matmul;
  cache: StepCache;
  scratch: unknown;
  /** Observation the network saw at the last step (units per observationChannels(body)): [spec.inputs]. */
  input: Float32Array;
  /** Output h after the last step: [hidden]. */
  h: Float32Array;
  /** Full cell state after the last step (h, then c for an LSTM): [stateSize]. */
  state: Float32Array;
  /** Actuator inputs of the last step (joint torques in N·m, or muscle excitations): [outputs]. */
  tau: Float64Array;
  /** Scratch for the feedback read each step: [spec.inputs − FEEDBACK_OFFSET]. */
  fbScratch: Float64Array;
  /** Scratch for the hidden pre-activation noise: [hidden]. */
  noise: Float32Array;
}

/** Buffers for running `params` one arm at a time, with the state at zero. */
export function createController(spec: NetworkSpec, params: NetworkParams): Controller {
  const cell = cellOf(spec);
  return {
    spec,
    params,
    cell,
    matmul: jsMatmul(params),
    cache: cell.createCache(spec, 1),
    scratch: cell.createScratch(spec, 1),
    input: new Float32Array(spec.inputs),
    h: new Float32Array(spec.hidden),
    state: new Float32Array(stateSize(spec)),
    tau: new Float64Array(spec.outputs),
    fbScratch: new Float64Array(spec.inputs - FEEDBACK_OFFSET),
    noise: new Float32Array(spec.hidden),
  };
}

/** Clear the state (the start of a trial). */
export function resetController(c: Controller): void {
  c.h.fill(0);
  c.state.fill(0);
}

/**
 * Advance the state on `observation` ([spec.inputs], copied into `c.input`; pre-activation
 * noise of std `hiddenNoise` from `rng`) and read out the actuator inputs into `c.tau`.
 */
export function controllerAct(c: Controller, observation: Float32Array, rng: Rng | undefined, hiddenNoise = 0): void {
  controllerAdvance(c, observation, rng, hiddenNoise);
  controllerReadout(c);
}

/** The cell step of {@link controllerAct} alone: `c.state` and `c.h` advance, `c.tau` is not read out yet. */
export function controllerAdvance(c: Controller, observation: Float32Array, rng: Rng | undefined, hiddenNoise = 0): void {
  if (observation !== c.input) c.input.set(observation);
  const noisy = hiddenNoise > 0;
  if (noisy) {
    if (!rng) throw new Error('controllerAct: a seeded Rng is required when hiddenNoise > 0');
    fillNormal(rng, c.noise, 0, hiddenNoise);
  }
  c.cell.forward(c.spec, c.params, c.matmul, c.state, c.input, 1, c.cache, c.scratch, noisy ? c.noise : undefined);
  c.state.set(c.cache.state);
  c.h.set(c.cache.h);
}

/** The readout of {@link controllerAct} alone: actuator inputs (N·m torques, or excitations) from `c.h` into `c.tau`. */
export function controllerReadout(c: Controller): void {
  readout(c.spec, c.params, c.h, 1, c.tau);
}
