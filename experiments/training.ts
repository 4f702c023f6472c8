/**
 * Training with files: a training directory holds `config.json` (resolved config + seed, package version,
 * backend), `log.json` (every iteration's losses), and `checkpoint.json` (written every N iterations, at
 * the end and on Ctrl-C, atomically). `--resume` continues from a checkpoint with its optimizer state,
 * keeping the earlier log lines unchanged; config.json lists every resume (`resumes`). A resume with a
 * new config is a next training stage (a curriculum, as the muscle default's longer, quieter hold):
 * same network and arm, weights and log kept, Adam restarted under the new config.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BackendName } from '../model/backend.ts';
import { checkpointOf, parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../model/checkpoint.ts';
import { initTrainState, networkSpecOf, parseTrainConfig, printNotice, restartedTrainState, train, TrainingDivergedError, type TrainConfig, type TrainState } from '../model/train.ts';
import type * as tfType from '@tensorflow/tfjs';
import { z } from 'zod';
import { formatIssues } from '../core/zod-issues.ts';
import { lossComponentsSchema } from '../model/losses.ts';
import { ensureDir, readJsonFile, writeFileAtomic, writeJsonAtomic } from './io/files.ts';
import { removeStaleTemps, withOutputLock } from './io/out-dir.ts';
import { PACKAGE_VERSION } from './package-info.ts';
import { defaultWorkers, shardRunnerFor, type ShardWorkers } from './parallel/shard-pool.ts';
import { mark } from './parallel/timeline.ts';
import { createProgress } from './progress.ts';

export interface TrainRunOptions {
  /** Output directory. */
  out: string;
  /** Checkpoint to resume from (its config is used; `iterations` may be raised). */
  resume?: string;
  /** Resume a checkpoint without optimizer state: keep its weights, restart Adam (see restartedTrainState). Default false. */
  restartOptimizer?: boolean;
  /** With `resume`: the config passed is a next stage's, replacing the checkpoint's (its network and arm must match); Adam restarts. Default false: the checkpoint's config. */
  nextStage?: boolean;
  /** Start a fresh training in a directory that holds another one (its files are deleted first). Default false: refused. */
  force?: boolean;
  /** Threads that compute the shards of each batch (the weights do not depend on it). Default: the number of cores. */
  workers?: number;
  /** Shard workers started earlier for this training (`reach train` starts them before loading tfjs here); used if their count fits, else new ones. Default: none. */
  shardWorkers?: ShardWorkers;
}

/** The files that make a directory a training directory. */
const TRAINING_FILES = ['config.json', 'log.json', 'checkpoint.json'];

/**
 * A training directory is updated in place, file by file (each write atomic): a fresh training may not
 * start in one that holds another (unless `force`, which deletes the old files first); a resume from the
 * directory's own checkpoint continues in it. Temporaries of killed writers are removed.
 */
function prepareTrainingDir(opts: TrainRunOptions): void {
  const held = TRAINING_FILES.filter((f) => existsSync(join(opts.out, f)));
  const continuing = opts.resume !== undefined && resolve(dirname(opts.resume)) === resolve(opts.out);
  if (held.length > 0 && !continuing) {
    if (!opts.force) {
      throw new Error(`${opts.out} already holds a training (${held.join(', ')}); pass --force to start a new one there (deleting those files), --resume ${join(opts.out, 'checkpoint.json')} to continue it, or choose another --out`);
    }
    for (const f of held) rmSync(join(opts.out, f));
  }
  removeStaleTemps(opts.out);
}

/** Where a training directory was resumed, as config.json records it (one entry per resume). */
export interface ResumeRecord {
  /** Checkpoint resumed from (absolute path). */
  checkpoint: string;
  /** Iterations the checkpoint held: the run continued from iteration + 1. */
  iteration: number;
  /** Whether the optimizer (Adam moments, generator, learning rate) was restored or restarted. */
  optimizer: 'restored' | 'restarted';
  /** Present on a next training stage: the training went on from iteration `from` under this config.json's config, after `previousConfig`. */
  stage?: { from: number; previousConfig: TrainConfig };
}

const logLinesSchema = z.object({ iterations: z.array(z.object({ iteration: z.number().int(), loss: lossComponentsSchema }).passthrough()) });

/** The lines of an earlier log.json (to continue it on resume). */
function readLogLines(path: string): TrainState['log'] {
  const r = logLinesSchema.safeParse(readJsonFile(path));
  if (!r.success) throw new Error(`${path} is not a training log written by reach train: ${formatIssues(r.error)}`);
  return r.data.iterations as unknown as TrainState['log'];
}

/**
 * The state a resume continues from, with the earlier log lines unchanged: the log is the one beside the
 * checkpoint (its training directory) and must cover every iteration the checkpoint holds. Only a
 * restarted optimizer may go on without it (its log then starts at the next iteration).
 */
function resumeState(given: TrainConfig, opts: TrainRunOptions & { resume: string }): { state: TrainState; record: ResumeRecord; config: TrainConfig } {
  const ck = loadCheckpointFile(opts.resume);
  const done = ck.training.iterations;
  // The checkpoint's own config given again (to raise `iterations`; a stage's file has no lrFrom) continues it exactly, as a plain resume.
  const own = opts.nextStage === true && sameConfigBut(ck.config, { ...given, lrFrom: given.lrFrom ?? ck.config.lrFrom }, 'iterations');
  const stage = opts.nextStage === true && !own;
  const config = stage ? stageConfig(ck, given, done, opts.resume) : own ? { ...ck.config, iterations: given.iterations } : given;
  // Adam's moments and schedule belong to the objective they were gathered on: a new stage restarts them.
  const restart = !ck.resume || opts.restartOptimizer === true || stage;
  if (!ck.resume && !opts.restartOptimizer && !stage) {
    throw new Error(`${opts.resume} has no optimizer state (a compact checkpoint, e.g. from --export), so training cannot continue exactly; resume the checkpoint.json of its training directory, or pass --restart-optimizer to keep the weights and restart Adam`);
  }
  if (config.iterations <= done) {
    const how = stage ? `a stage's iterations count from the first stage's first: give iterations above ${done}` : `give --iterations above ${done} to continue`;
    throw new Error(`${opts.resume} already holds ${done} iterations; ${how}`);
  }
  const logPath = join(dirname(opts.resume), 'log.json');
  const earlier = existsSync(logPath) ? readLogLines(logPath) : [];
  const complete = earlier.length >= done && earlier[done - 1]?.iteration === done;
  if (!complete && !restart) {
    throw new Error(`cannot continue the training log: ${logPath} (beside the checkpoint) ${existsSync(logPath) ? `holds ${earlier.length} iterations` : 'is missing'}, ${opts.resume} holds ${done}`);
  }
  const log = complete ? earlier.slice(0, done) : [];
  if (!complete) printNotice(`${logPath} does not cover the ${done} iterations of ${opts.resume}: the log starts at iteration ${done + 1}`);
  const state = restart ? { ...restartedTrainState(config, ck.params, done), log } : { iteration: done, params: ck.params, ...ck.resume!, log };
  const record: ResumeRecord = { checkpoint: resolve(opts.resume), iteration: done, optimizer: restart ? 'restarted' : 'restored', ...(stage ? { stage: { from: done, previousConfig: ck.config } } : {}) };
  return { state, record, config };
}

/** JSON with every object's keys sorted: configs read from a file and from a checkpoint list them in different orders. */
const canonical = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
const differs = (a: unknown, b: unknown) => canonical(a) !== canonical(b);

/** Whether two configs agree on every field but `except`. */
function sameConfigBut(a: TrainConfig, b: TrainConfig, except: keyof TrainConfig): boolean {
  return !differs({ ...a, [except]: null }, { ...b, [except]: null });
}

/**
 * A next stage's config: it must train the checkpoint's own network on the same arm, and its learning
 * rate starts at the stage's first iteration (`lrFrom`, recorded so restarts and resumes of the stage
 * follow the stage's schedule).
 */
function stageConfig(ck: Checkpoint, config: TrainConfig, done: number, path: string): TrainConfig {
  const [armWas, armNow] = [ck.config.arm, config.arm];
  if (differs(armWas, armNow)) {
    // A custom arm is a whole parameter object: name the fields that differ.
    const what = typeof armWas === 'object' && typeof armNow === 'object' ? Object.keys(armNow).filter((k) => differs(armWas[k as keyof typeof armWas], armNow[k as keyof typeof armNow])).join(', ') : `${JSON.stringify(armWas)} → ${JSON.stringify(armNow)}`;
    throw new Error(`the next stage's arm is not the one ${path} was trained on (${what})`);
  }
  const was = ck.network;
  const now = networkSpecOf(config);
  const changed = (Object.keys(now) as Array<keyof typeof now>).filter((k) => differs(was[k], now[k]));
  if (changed.length > 0) {
    throw new Error(`the next stage's network differs from the one in ${path} (${changed.map((k) => `${k}: ${JSON.stringify(was[k])} → ${JSON.stringify(now[k])}`).join(', ')}); a stage continues the same network`);
  }
  if (config.lrFrom !== undefined && config.lrFrom !== done) throw new Error(`the next stage's lrFrom ${config.lrFrom} is not the iteration it starts from (${done}); leave lrFrom out`);
  return { ...config, lrFrom: done };
}

/** The resumes config.json of a training directory already records. */
function earlierResumes(out: string): ResumeRecord[] {
  const path = join(out, 'config.json');
  if (!existsSync(path)) return [];
  const resumes = (readJsonFile(path) as { resumes?: unknown }).resumes;
  return Array.isArray(resumes) ? (resumes as ResumeRecord[]) : [];
}

/**
 * The training config of a JSON file (all defaults without one) with command-line overrides applied;
 * errors name the file.
 */
export function loadTrainConfig(path: string | undefined, overrides: Partial<Pick<TrainConfig, 'iterations' | 'seed' | 'arm'>> = {}): TrainConfig {
  const raw = path === undefined ? {} : readJsonFile(path);
  try {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return parseTrainConfig(raw);
    return parseTrainConfig({ ...raw, ...overrides });
  } catch (err) {
    throw new Error(path === undefined ? (err as Error).message : `${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Read a checkpoint file with errors naming the file. */
export function loadCheckpointFile(path: string): Checkpoint {
  if (!existsSync(path)) throw new Error(`checkpoint not found: ${path}`);
  return parseCheckpoint(readFileSync(path, 'utf8'), path);
}

/** The checkpoint of a training state, stamped with this package's version; `withResume` adds the optimizer and generator state. */
export function makeCheckpoint(config: TrainConfig, state: TrainState, backend: string, withResume: boolean): Checkpoint {
  return checkpointOf(config, state, backend, PACKAGE_VERSION, withResume);
}

/** Train to `config.iterations`, writing the training directory while holding its lock. Returns the final state and the config trained under (a next stage's with its `lrFrom`). */
export async function runTraining(tf: typeof tfType, backend: BackendName, config: TrainConfig, opts: TrainRunOptions): Promise<{ state: TrainState; interrupted: boolean; config: TrainConfig }> {
  ensureDir(opts.out);
  return withOutputLock(opts.out, () => {
    prepareTrainingDir(opts);
    return trainInto(tf, backend, config, opts);
  });
}

async function trainInto(tf: typeof tfType, backend: BackendName, given: TrainConfig, opts: TrainRunOptions): Promise<{ state: TrainState; interrupted: boolean; config: TrainConfig }> {
  let config = given;
  let state: TrainState;
  let resumes: ResumeRecord[] = [];
  if (opts.resume) {
    const r = resumeState(config, { ...opts, resume: opts.resume });
    ({ state, config } = r);
    resumes = [...(resolve(dirname(opts.resume)) === resolve(opts.out) ? earlierResumes(opts.out) : []), r.record];
  } else {
    state = initTrainState(config);
  }
  writeJsonAtomic(join(opts.out, 'config.json'), { config, seed: config.seed, packageVersion: PACKAGE_VERSION, backend, resumes });
  const progress = createProgress(config.iterations, 'train', { from: state.iteration });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    process.stderr.write('\ntrain: interrupted, saving a checkpoint…\n');
  };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;
  const save = (s: TrainState) => {
    writeFileAtomic(join(opts.out, 'checkpoint.json'), serializeCheckpoint(makeCheckpoint(config, s, backend, true)));
    writeJsonAtomic(join(opts.out, 'log.json'), { backend, packageVersion: PACKAGE_VERSION, iterations: s.log });
    mark(`checkpoint ${s.iteration} written`);
  };
  mark('training start');
  try {
    await train(tf, config, state, {
      shouldStop: () => interrupted,
      onCheckpoint: save,
      onIteration: (e) => {
        mark(`iteration ${e.iteration}`);
        if (e.event) process.stderr.write(`\ntrain: ${e.event}\n`);
        progress.update(e.iteration, `loss ${e.loss.total.toExponential(3)} endpoint ${(e.endpointError * 100).toFixed(2)} cm ${e.ms.toFixed(0)} ms/it [${backend}]`);
      },
    }, { shards: shardRunnerFor(tf, backend, opts.workers ?? defaultWorkers(), opts.shardWorkers) });
  } catch (err) {
    if (!(err instanceof TrainingDivergedError)) throw err;
    const skipped = err.iteration - err.lastUpdate;
    throw new Error(
      `${err.message}. The last finite state is saved: ${join(opts.out, 'checkpoint.json')} holds iteration ${err.iteration}` +
        (skipped > 0 ? ` (weights as updated at iteration ${err.lastUpdate}; the ${skipped} steps after it were skipped)` : '') +
        '; start again with a lower lr (or clip) from scratch, or inspect it',
      { cause: err },
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  progress.done(`${interrupted ? 'stopped' : 'finished'} at iteration ${state.iteration} after ${wall().toFixed(1)} s on ${backend}`);
  return { state, interrupted, config };
}
