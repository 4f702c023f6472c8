/**
 * Training with files: a training directory holds `config.json` (resolved config + seed, package version,
 * backend), `log.json` (every iteration's losses), and `checkpoint.json` (written every N iterations, at
 * the end and on Ctrl-C, atomically). `--resume` continues from a checkpoint with its optimizer state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../model/backend.ts';
import { parseCheckpoint, serializeCheckpoint, summarizeTraining, type Checkpoint } from '../model/checkpoint.ts';
import { initTrainState, networkSpecOf, parseTrainConfig, resolveArm, train, type TrainConfig, type TrainState } from '../model/train.ts';
import type * as tfType from '@tensorflow/tfjs';
import { z } from 'zod';
import { formatIssues } from '../core/zod-issues.ts';
import { lossComponentsSchema } from '../model/losses.ts';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './io/files.ts';
import { PACKAGE_VERSION } from './package-info.ts';
import { createProgress } from './progress.ts';

export interface TrainRunOptions {
  /** Output directory. */
  out: string;
  /** Checkpoint to resume from (its config is used; `iterations` may be raised). */
  resume?: string;
}

const logLinesSchema = z.object({ iterations: z.array(z.object({ iteration: z.number().int(), loss: lossComponentsSchema }).passthrough()) });

/** The lines of an earlier log.json in the training directory (to continue it on resume). */
function readLogLines(path: string): TrainState['log'] {
  const r = logLinesSchema.safeParse(readJsonFile(path));
  if (!r.success) throw new Error(`${path} is not a training log written by reach train: ${formatIssues(r.error)}`);
  return r.data.iterations as unknown as TrainState['log'];
}

/**
 * The training config of a JSON file (all defaults without one) with command-line overrides applied;
 * errors name the file.
 */
export function loadTrainConfig(path: string | undefined, overrides: Partial<Pick<TrainConfig, 'iterations' | 'seed'>> = {}): TrainConfig {
  const raw = path === undefined ? {} : readJsonFile(path);
  try {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return parseTrainConfig(raw);
    return parseTrainConfig({ ...raw, ...overrides });
  } catch (err) {
    throw new Error(path === undefined ? (err as Error).message : `${path}: ${(err as Error).message}`);
  }
}

/** Read a checkpoint file with errors naming the file. */
export function loadCheckpointFile(path: string): Checkpoint {
  if (!existsSync(path)) throw new Error(`checkpoint not found: ${path}`);
  return parseCheckpoint(readFileSync(path, 'utf8'), path);
}

export function makeCheckpoint(config: TrainConfig, state: TrainState, backend: string, wallTime: number, withResume: boolean): Checkpoint {
  return {
    packageVersion: PACKAGE_VERSION,
    backend,
    createdAt: new Date().toISOString(),
    config,
    arm: resolveArm(config.arm),
    network: networkSpecOf(config),
    params: state.params,
    training: summarizeTraining(state, wallTime),
    ...(withResume ? { resume: { adam: state.adam, rng: state.rng, lr: state.lr, badSteps: state.badSteps } } : {}),
  };
}

/** Train to `config.iterations`, writing the training directory. Returns the final state. */
export async function runTraining(tf: typeof tfType, backend: BackendName, config: TrainConfig, opts: TrainRunOptions): Promise<{ state: TrainState; interrupted: boolean; wallTime: number }> {
  let state: TrainState;
  let priorWall = 0;
  if (opts.resume) {
    const ck = loadCheckpointFile(opts.resume);
    if (!ck.resume) throw new Error(`${opts.resume} has no optimizer state; it cannot be resumed (write it with reach train)`);
    const logPath = join(opts.out, 'log.json');
    const log = existsSync(logPath) ? readLogLines(logPath) : [];
    state = { iteration: ck.training.iterations, params: ck.params, ...ck.resume, log: log.slice(0, ck.training.iterations) };
    priorWall = ck.training.wallTime;
  } else {
    state = initTrainState(config);
  }
  writeJsonAtomic(join(opts.out, 'config.json'), { config, seed: config.seed, packageVersion: PACKAGE_VERSION, backend, resumedFrom: opts.resume ?? null });
  const progress = createProgress(config.iterations, 'train');
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    process.stderr.write('\ntrain: interrupted, saving a checkpoint…\n');
  };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  const wall = () => priorWall + (performance.now() - t0) / 1000;
  const save = (s: TrainState) => {
    writeFileAtomic(join(opts.out, 'checkpoint.json'), serializeCheckpoint(makeCheckpoint(config, s, backend, wall(), true)));
    writeJsonAtomic(join(opts.out, 'log.json'), { backend, packageVersion: PACKAGE_VERSION, iterations: s.log });
  };
  try {
    await train(tf, config, state, {
      shouldStop: () => interrupted,
      onCheckpoint: save,
      onIteration: (e) => {
        if (e.event) process.stderr.write(`\ntrain: ${e.event}\n`);
        progress.update(e.iteration, `loss ${e.loss.total.toExponential(3)} endpoint ${(e.endpointError * 100).toFixed(2)} cm ${e.ms.toFixed(0)} ms/it [${backend}]`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  progress.done(`${interrupted ? 'stopped' : 'finished'} at iteration ${state.iteration} in ${wall().toFixed(1)} s on ${backend}`);
  return { state, interrupted, wallTime: wall() };
}
