/**
 * Training by backpropagation through time through the differentiable arm: Adam on fresh mini-batches of
 * trials, global gradient-norm clipping, and a NaN/Inf guard (the step is skipped, the event logged, the
 * learning rate reduced; after `maxBadSteps` consecutive bad steps training stops with an error).
 * The loop is deterministic for a given seed and backend: the only randomness is the `Rng` in the state,
 * and the gradient does not depend on where the shards of a batch run (model/shards.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import { z } from 'zod';
import { createRng, type Rng } from '../core/random.ts';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';
import { armParamsSchema, type ArmParams } from '../sim/arm-params.ts';
import { getBodyPreset, torqueBody, type Body } from '../sim/body.ts';
import { convertStepDelays, feedbackDelaySteps, feedbackOptionsSchema } from '../sim/feedback.ts';
import { DEFAULT_FEEDBACK, observationSize } from '../sim/tasks/observation.ts';
import { convertStepDuration, parseTaskSpec, sampleTrials, taskSpecSchema } from '../sim/tasks/task-spec.ts';
import { adamStep, clipGradients, createAdamState, type AdamState } from './adam.ts';
import type { EpisodeSetup, Gradients } from './episode.ts';
import { LOSS_NAMES, lossSpecSchema, type LossComponents } from './losses.ts';
import { BOUNDED_READOUT_BIAS, initParams, networkSpecSchema, type NetworkParams } from './network.ts';
import { combineShards, createBatchSums, localShardRunner, planShards, type ShardRunnerFactory } from './shards.ts';

/**
 * The network part of a training config: what the body does not fix. Inputs, outputs and the readout's
 * range come from the body (observation size, actuator inputs and their range); `outputs`, when given,
 * must match. `outputBias` defaults to 0 for unbounded readouts and BOUNDED_READOUT_BIAS for bounded ones.
 */
const trainNetworkSchema = networkSpecSchema
  .omit({ inputs: true, dt: true, outputs: true, outputRange: true, outputBias: true })
  .extend({ outputs: z.number().int().min(1).optional(), outputBias: z.number().optional() })
  .strict();

export const trainConfigSchema = z.object({
  /** Seed of every random draw (weights, trials, noise). */
  seed: z.number().int().default(1),
  /** Body: a preset name ('motornet', 'li-todorov': torque motors; 'arm26': six muscles) or the parameters of a torque-driven skeleton. */
  arm: z.union([z.string(), armParamsSchema]).default('motornet'),
  /** Reaching task trained on. */
  task: taskSpecSchema.default(taskSpecSchema.parse({ kind: 'mixed', centerOutFraction: 0.85, duration: 1.2 })),
  /** Sensory feedback delays (s, whole control steps of task.dt) and noise stds; fields left out of a given object take DEFAULT_FEEDBACK's values (a block that sets one noise keeps the 20/50 ms delays). */
  feedback: z
    .preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...DEFAULT_FEEDBACK, ...v } : v), feedbackOptionsSchema)
    .default(DEFAULT_FEEDBACK),
  /** Controller; `inputs` is set from the observation size. */
  network: trainNetworkSchema.default(trainNetworkSchema.parse({})),
  /** Loss weights. */
  loss: lossSpecSchema.default(lossSpecSchema.parse({})),
  /** Number of training iterations (mini-batches). */
  iterations: z.number().int().min(1).default(2000),
  /** Trials per mini-batch. */
  batch: z.number().int().min(1).default(64),
  /** Adam learning rate. */
  lr: z.number().positive().default(3e-3),
  /** Multiply the learning rate by this factor every `lrDecaySteps` iterations. */
  lrDecay: z.number().positive().max(1).default(0.5),
  /** Iterations between learning-rate decays. */
  lrDecaySteps: z.number().int().positive().default(700),
  /** Iteration at which `lr` applies and from which its decays are counted: a next training stage's start (`reach train --resume … --config …` sets it). Default 0. */
  lrFrom: z.number().int().min(0).optional(),
  /** Maximum global norm of the gradient of the loss with respect to all parameters (loss units per parameter unit). */
  clip: z.number().positive().default(1),
  /** Learning-rate factor applied when a step is skipped for NaN/Inf. */
  nanLrFactor: z.number().positive().max(1).default(0.5),
  /** Consecutive NaN/Inf steps after which training stops with an error. */
  maxBadSteps: z.number().int().min(1).default(10),
  /** RK4 substeps per control step in the training plant. */
  substeps: z.number().int().min(1).default(1),
  /** Std of Gaussian noise added to the hidden pre-activations each step during training (activity units, a.u.). */
  hiddenNoise: z.number().min(0).default(0.01),
  /** Save a checkpoint every this many iterations (0: only at the end). */
  checkpointEvery: z.number().int().min(0).default(500),
  /** Record ‖∂loss/∂h_t‖ over the steps of one batch every this many iterations, and at the first (0: never). Default 100. */
  gradientFlowEvery: z.number().int().min(0).default(100),
}).strict();
/** A resolved training config (SI units, every default filled in); make one with `parseTrainConfig`. */
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** Where unit conversions of old configs are reported: one line on stderr (the browser console in the viewer). */
export const printNotice = (line: string) => console.warn(`notice: ${line}`);

/**
 * A raw training config written when feedback delays and the trial length were counted in control
 * steps, converted to seconds (at the config's task.dt); `notice` gets one line per conversion.
 * Configs in seconds come back unchanged.
 */
export function convertStepUnits(input: unknown, notice: (line: string) => void = printNotice): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...input };
  if (out.task !== undefined) {
    const task = convertStepDuration(out.task);
    if (task.note) notice(task.note);
    out.task = task.task;
  }
  if (out.feedback !== undefined) {
    const rawDt = (out.task as { dt?: unknown } | undefined)?.dt;
    const feedback = convertStepDelays(out.feedback, typeof rawDt === 'number' ? rawDt : taskSpecSchema.parse({}).dt);
    if (feedback.note) notice(feedback.note);
    out.feedback = feedback.opts;
  }
  return out;
}

/**
 * Validate a training config, filling defaults (`undefined` is the all-default config); errors name each
 * offending field, and an unknown key the closest known one. Delays and trial lengths in control steps
 * (older configs) are converted to seconds with a notice.
 */
export function parseTrainConfig(input: unknown = {}, notice: (line: string) => void = printNotice): TrainConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`invalid training config: expected a JSON object of settings (e.g. {"iterations": 500}), got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  const r = trainConfigSchema.safeParse(convertStepUnits(input, notice), KEY_HINTS);
  if (!r.success) throw new Error(`invalid training config: ${formatIssues(r.error, '(config)')}`);
  let body: Body;
  try {
    body = resolveBody(r.data.arm);
  } catch (err) {
    throw new Error(`invalid training config: arm: ${(err as Error).message}`, { cause: err });
  }
  const act = body.actuator;
  if (r.data.network.outputs !== undefined && r.data.network.outputs !== act.nInputs) {
    throw new Error(`invalid training config: network.outputs is ${r.data.network.outputs} but the arm takes ${act.nInputs} ${act.inputNoun} (${act.inputNames.join(', ')})`);
  }
  parseTaskSpec(r.data.task);
  try {
    feedbackDelaySteps(r.data.feedback, r.data.task.dt);
  } catch (err) {
    throw new Error(`invalid training config: ${(err as Error).message}`, { cause: err });
  }
  return r.data;
}

/** The body a config names: a preset, or a torque-driven skeleton given by its parameters. */
export function resolveBody(arm: TrainConfig['arm']): Body {
  return typeof arm === 'string' ? getBodyPreset(arm) : torqueBody(arm);
}

/** The skeleton of the body a config names. */
export function resolveArm(arm: TrainConfig['arm']): ArmParams {
  return resolveBody(arm).skeleton;
}

/** The full network spec of a training config: inputs, outputs and readout range from its body. */
export function networkSpecOf(config: TrainConfig) {
  const body = resolveBody(config.arm);
  const range = body.actuator.inputRange;
  return networkSpecSchema.parse({
    ...config.network,
    inputs: observationSize(body),
    outputs: body.actuator.nInputs,
    outputRange: range ? [...range] : null,
    outputBias: config.network.outputBias ?? (range ? BOUNDED_READOUT_BIAS : 0),
    dt: config.task.dt,
  });
}

/** One line of the training log. */
export interface IterationLog {
  iteration: number;
  loss: LossComponents;
  /** Mean final hand-to-target distance of the batch (m). */
  endpointError: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  /** The gradient was scaled down to the `clip` norm. */
  clipped: boolean;
  /** ‖∂loss/∂h_t‖ over the batch for each step t (how the error signal decays back in time), on iterations chosen by `gradientFlowEvery`. */
  gradientFlow?: number[];
  lr: number;
  /** Wall time of the iteration (ms). */
  ms: number;
  /** Present when the step was skipped by the NaN/Inf guard. */
  event?: string;
  /** Present (true) on the first iteration of a next stage (config `lrFrom`): the loss curve marks where the config changed. */
  stageStart?: true;
}

/** Everything needed to continue training exactly: plain data. */
export interface TrainState {
  iteration: number;
  params: NetworkParams;
  adam: AdamState;
  rng: Rng;
  lr: number;
  badSteps: number;
  log: IterationLog[];
}

/** The state before the first iteration: weights drawn from `config.seed`, fresh Adam moments, learning rate `config.lr`, an empty log. */
export function initTrainState(config: TrainConfig): TrainState {
  const rng = createRng(config.seed);
  const params = initParams(networkSpecOf(config), rng);
  return { iteration: 0, params, adam: createAdamState(params), rng, lr: config.lr, badSteps: 0, log: [] };
}

/** Iterations done since the stage's start (`lrFrom`), from which the learning rate's decays are counted. */
function intoStage(config: TrainConfig, iteration: number): number {
  return iteration - (config.lrFrom ?? 0);
}

/**
 * The state to continue training from weights whose optimizer state is lost (a compact checkpoint):
 * fresh Adam moments, the learning rate the schedule has reached by `iteration`, and a generator seeded
 * from seed and iteration (so the continuation is reproducible, but not the one an unbroken run takes).
 */
export function restartedTrainState(config: TrainConfig, params: NetworkParams, iteration: number): TrainState {
  const lr = config.lr * config.lrDecay ** Math.floor(intoStage(config, iteration) / config.lrDecaySteps);
  return { iteration, params, adam: createAdamState(params), rng: createRng(config.seed + iteration), lr, badSteps: 0, log: [] };
}

/** Thrown when the NaN/Inf guard gives up; the training state is then the last finite one. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  /** Iterations the (finite) state holds, and the last of them whose update was applied. */
  readonly iteration: number;
  readonly lastUpdate: number;
  /** `badSteps` consecutive non-finite steps, the last described by `last`; `state` is the last finite training state. */
  constructor(badSteps: number, last: string, state: TrainState) {
    super(`training diverged: ${badSteps} consecutive non-finite steps (last: ${last})`);
    this.iteration = state.iteration;
    this.lastUpdate = state.iteration - state.badSteps;
  }
}

/**
 * The NaN/Inf guard and update: skips the step (and reduces the learning rate) if the loss or any gradient
 * is not finite, else clips and applies Adam. Returns the gradient norm and the event, if any.
 */
export function applyUpdate(config: TrainConfig, state: TrainState, loss: LossComponents, grads: Gradients): { gradNorm: number; event?: string } {
  const gradNorm = clipGradients(grads, config.clip);
  const finiteLoss = LOSS_NAMES.every((k) => Number.isFinite(loss[k])) && Number.isFinite(loss.total);
  if (!finiteLoss || !Number.isFinite(gradNorm)) {
    const what = `non-finite ${finiteLoss ? 'gradient' : 'loss'} at iteration ${state.iteration + 1}`;
    // The state is left as it was after the last logged iteration: the last finite state, for the caller to save.
    if (state.badSteps + 1 >= config.maxBadSteps) throw new TrainingDivergedError(state.badSteps + 1, what, state);
    state.badSteps++;
    const old = state.lr;
    state.lr *= config.nanLrFactor;
    return { gradNorm, event: `${what}: step skipped, learning rate ${old.toExponential(2)} → ${state.lr.toExponential(2)}` };
  }
  state.badSteps = 0;
  adamStep(state.params, grads, state.adam, { lr: state.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  return { gradNorm };
}

/** Callbacks of `train`: per iteration, per checkpoint, and a stop request. */
export interface TrainHooks {
  /** Called after every iteration with its log line. */
  onIteration?: (entry: IterationLog, state: TrainState) => void;
  /** Called every `checkpointEvery` iterations, at the end, and with the last finite state when training diverges. */
  onCheckpoint?: (state: TrainState) => void;
  /** Polled before each iteration; true stops the loop (e.g. after Ctrl-C). */
  shouldStop?: () => boolean;
}

/** Where `train` computes its mini-batches. */
export interface TrainOptions {
  /** Where the shards of each batch are computed (model/shards.ts). Default: one after another in this thread. */
  shards?: ShardRunnerFactory;
}

/** The episode setup of a training config. */
export function episodeSetupOf(config: TrainConfig): EpisodeSetup {
  const body = resolveBody(config.arm);
  return {
    arm: body.skeleton,
    muscles: body.muscles,
    network: networkSpecOf(config),
    feedback: config.feedback,
    loss: config.loss,
    substeps: config.substeps,
    hiddenNoise: config.hiddenNoise,
  };
}

/** Let pending events (a Ctrl-C handler, I/O) run between iterations. */
const yieldToEvents = () => new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Run training from `state` until `config.iterations` (or until stopped). Mutates and returns the state.
 * Asynchronous only so that signals and I/O are serviced between iterations; the numbers do not depend on it.
 */
export async function train(tf: typeof tfType, config: TrainConfig, state: TrainState, hooks: TrainHooks = {}, options: TrainOptions = {}): Promise<TrainState> {
  const setup = episodeSetupOf(config);
  const task = parseTaskSpec(config.task);
  const shards = await (options.shards ?? localShardRunner(tf))(setup, config.batch, task.steps);
  const sums = createBatchSums(state.params);
  try {
    while (state.iteration < config.iterations) {
      await yieldToEvents();
      if (hooks.shouldStop?.()) break;
      const t0 = performance.now();
      const trials = sampleTrials(setup.arm, task, config.batch, state.rng);
      const plan = planShards(config.batch, state.rng);
      const flowDue = config.gradientFlowEvery > 0 && state.iteration % config.gradientFlowEvery === 0;
      const result = combineShards(setup, state.params, await shards.run(state.params, trials, plan, flowDue ? 'gradientFlow' : 'gradients', sums), sums);
      const { gradNorm, event } = applyUpdate(config, state, result.loss, result.grads);
      const stageStart = (config.lrFrom ?? 0) > 0 && intoStage(config, state.iteration) === 0;
      state.iteration++;
      if (config.lrDecay < 1 && intoStage(config, state.iteration) % config.lrDecaySteps === 0) state.lr *= config.lrDecay;
      const entry: IterationLog = {
        iteration: state.iteration,
        loss: { ...result.loss },
        endpointError: result.endpointError,
        gradNorm,
        clipped: gradNorm > config.clip,
        ...(result.gradientFlow ? { gradientFlow: result.gradientFlow } : {}),
        lr: state.lr,
        ms: performance.now() - t0,
        ...(event ? { event } : {}),
        ...(stageStart ? { stageStart: true as const } : {}),
      };
      state.log.push(entry);
      hooks.onIteration?.(entry, state);
      if (config.checkpointEvery > 0 && state.iteration % config.checkpointEvery === 0 && state.iteration < config.iterations) {
        hooks.onCheckpoint?.(state);
      }
    }
  } catch (err) {
    try {
      if (err instanceof TrainingDivergedError) hooks.onCheckpoint?.(state);
    } finally {
      // Why the training stopped is the error to report, not a failure to stop its workers after it.
      await shards.dispose().catch(() => undefined);
    }
    throw err;
  }
  // Worker threads stop (their isolates take 0.1 s or more to tear down) while the last checkpoint is written.
  const stopping = shards.dispose();
  try {
    hooks.onCheckpoint?.(state);
  } catch (err) {
    await stopping.catch(() => undefined);
    throw err;
  }
  await stopping;
  return state;
}
