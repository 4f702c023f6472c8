/**
 * The checkpoint: one portable JSON file holding the weights (base64 float32), the resolved training
 * config, the body (skeleton parameters and, for a muscle body, its muscle parameters), a training summary, the package version and the tfjs backend, plus
 * optionally the optimizer and generator state for `--resume`. It loads the same way in Node and in the
 * browser, and is validated on load: truncation, corruption (CRC-32) and incompatibility each get an
 * error that names what is wrong. It holds nothing about when or how fast it was written, so the same
 * seed, config and backend give byte-identical checkpoints; wall times live in the training log (`ms`
 * per iteration). Files written before this rule carry `createdAt` and `training.wallTime`: they are
 * read and ignored.
 */
import { z } from 'zod';
import { base64ToBytes, bytesToBase64, crc32 } from '../core/base64.ts';
import { formatIssues, KEY_HINTS } from '../core/zod-issues.ts';
import { shapeSize } from '../core/npy.ts';
import { muscleSetParamsSchema, type MuscleSetParams } from '../sim/actuators/arm26-params.ts';
import { armParamsSchema, type ArmParams } from '../sim/arm-params.ts';
import { bodyOf, type Body } from '../sim/body.ts';
import { observationSize } from '../sim/tasks/observation.ts';
import { emptyLoss, lossComponentsSchema, type LossComponents } from './losses.ts';
import { networkSpecSchema, paramShapes, type NetworkParams, type NetworkSpec } from './network.ts';
import { convertStepUnits, networkSpecOf, printNotice, resolveBody, trainConfigSchema, type TrainConfig, type TrainState } from './train.ts';

export const CHECKPOINT_FORMAT = 'reach-checkpoint';
/** Version of the checkpoint file format this program reads and writes (independent of the package version). */
export const CHECKPOINT_VERSION = 1;

/** What a training run produced. */
export interface TrainingSummary {
  iterations: number;
  /** Loss components averaged over the last 50 iterations. */
  finalLoss: LossComponents;
  /** Mean batch endpoint error averaged over the last 50 iterations (m). */
  endpointError: number;
}

/** A trained controller with everything needed to run it: training config, body, network spec and weights. */
export interface Checkpoint {
  packageVersion: string;
  backend: string;
  config: TrainConfig;
  /** The body's skeleton. */
  arm: ArmParams;
  /** The body's muscles; absent or null for torque motors. */
  muscles?: MuscleSetParams | null;
  network: NetworkSpec;
  params: NetworkParams;
  training: TrainingSummary;
  /** Optimizer and generator state, present in checkpoints written for resuming. */
  resume?: Pick<TrainState, 'adam' | 'rng' | 'lr' | 'badSteps'>;
}

/** Thrown when a checkpoint cannot be used; the message says why. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const encoded = z.strictObject({ shape: z.array(z.number().int().min(0)), base64: z.string() });
const fileSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.number().int(),
  checksum: z.number().int(),
  body: z.strictObject({
    packageVersion: z.string(),
    backend: z.string(),
    /** Written by earlier versions; ignored. */
    createdAt: z.string().optional(),
    config: z.unknown(),
    arm: armParamsSchema,
    /** Absent in checkpoints of torque arms written before bodies had muscles. */
    muscles: muscleSetParamsSchema.nullable().optional(),
    network: networkSpecSchema,
    params: z.record(z.string(), encoded),
    training: z.strictObject({ iterations: z.number().int(), wallTime: z.number().optional(), finalLoss: lossComponentsSchema.strict(), endpointError: z.number().nullable() }),
    resume: z
      .strictObject({
        adam: z.strictObject({ step: z.number().int(), m: z.record(z.string(), z.string()), v: z.record(z.string(), z.string()) }),
        rng: z.strictObject({ s: z.array(z.number().int()).length(4), spare: z.number().nullable() }),
        lr: z.number(),
        badSteps: z.number().int(),
      })
      .optional(),
  }),
});

const f32ToB64 = (a: Float32Array) => bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
function b64ToF32(text: string, what: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 4 !== 0) throw new CheckpointError(`${what}: ${bytes.length} bytes is not a whole number of float32 values`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}
const mapRecord = <A, B>(r: Record<string, A>, f: (v: A, k: string) => B) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v, k)]));

/** Serialise a checkpoint to JSON text. */
export function serializeCheckpoint(ck: Checkpoint): string {
  const body = {
    packageVersion: ck.packageVersion,
    backend: ck.backend,
    config: ck.config,
    arm: ck.arm,
    ...(ck.muscles ? { muscles: ck.muscles } : {}),
    network: ck.network,
    params: mapRecord(ck.params, (p) => ({ shape: p.shape, base64: f32ToB64(p.data) })),
    training: { ...ck.training, endpointError: Number.isFinite(ck.training.endpointError) ? ck.training.endpointError : null },
    ...(ck.resume
      ? {
          resume: {
            adam: { step: ck.resume.adam.step, m: mapRecord(ck.resume.adam.m, f32ToB64), v: mapRecord(ck.resume.adam.v, f32ToB64) },
            rng: { s: Array.from(ck.resume.rng.s), spare: Number.isNaN(ck.resume.rng.spare) ? null : ck.resume.rng.spare },
            lr: ck.resume.lr,
            badSteps: ck.resume.badSteps,
          },
        }
      : {}),
  };
  const bodyText = JSON.stringify(body);
  return `{"format":"${CHECKPOINT_FORMAT}","version":${CHECKPOINT_VERSION},"checksum":${crc32(bodyText)},"body":${bodyText}}\n`;
}

/** Parse and validate checkpoint text; `source` names the file in error messages. */
export function parseCheckpoint(text: string, source = 'checkpoint'): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const hint = text.trimEnd().endsWith('}') ? 'not valid JSON' : 'truncated (the JSON ends early)';
    throw new CheckpointError(`${source} is ${hint}: ${(err as Error).message}`);
  }
  const head = z.object({ format: z.string(), version: z.number() }).safeParse(raw);
  if (!head.success || head.data.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${source} is not a reach checkpoint (no "format": "${CHECKPOINT_FORMAT}" field)`);
  }
  if (head.data.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${source} has checkpoint version ${head.data.version}; this program reads version ${CHECKPOINT_VERSION}`);
  }
  const parsed = fileSchema.safeParse(raw, KEY_HINTS);
  if (!parsed.success) throw new CheckpointError(`${source} is incompatible: ${formatIssues(parsed.error)}`);
  const bodyText = JSON.stringify((raw as { body: unknown }).body);
  if (crc32(bodyText) !== parsed.data.checksum) {
    throw new CheckpointError(`${source} is corrupted: checksum mismatch (stored ${parsed.data.checksum}, computed ${crc32(bodyText)})`);
  }
  const b = parsed.data.body;
  const configResult = trainConfigSchema.safeParse(
    convertStepUnits(b.config, (line) => printNotice(`${source}: ${line}`)),
    KEY_HINTS,
  );
  if (!configResult.success) throw new CheckpointError(`${source} has an incompatible training config: ${formatIssues(configResult.error, 'config')}`);
  const body = bodyOf(b.arm, b.muscles);
  if (b.network.inputs !== observationSize(body)) {
    throw new CheckpointError(`${source}: the network takes ${b.network.inputs} inputs but this program's observation of the ${body.name} arm has ${observationSize(body)}`);
  }
  if (b.network.outputs !== body.actuator.nInputs) {
    throw new CheckpointError(`${source}: the network has ${b.network.outputs} outputs but the ${body.name} arm takes ${body.actuator.nInputs} inputs`);
  }
  const shapes = paramShapes(b.network);
  const params: NetworkParams = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const e = b.params[name];
    if (!e) throw new CheckpointError(`${source}: parameter '${name}' is missing for a ${b.network.kind} network`);
    if (e.shape.join(',') !== shape.join(',')) {
      throw new CheckpointError(`${source}: parameter '${name}' has shape [${e.shape}] but the network spec needs [${shape}]`);
    }
    let data: Float32Array;
    try {
      data = b64ToF32(e.base64, `parameter '${name}'`);
    } catch (err) {
      throw new CheckpointError(`${source}: parameter '${name}' is not valid base64 float32 data (${(err as Error).message})`);
    }
    if (data.length !== shapeSize(shape)) {
      throw new CheckpointError(`${source}: parameter '${name}' holds ${data.length} values, shape [${shape}] needs ${shapeSize(shape)}`);
    }
    if (!data.every(Number.isFinite)) throw new CheckpointError(`${source}: parameter '${name}' contains NaN or Infinity`);
    params[name] = { shape, data };
  }
  const ck: Checkpoint = {
    packageVersion: b.packageVersion,
    backend: b.backend,
    config: configResult.data,
    arm: b.arm,
    muscles: b.muscles ?? null,
    network: b.network,
    params,
    training: { iterations: b.training.iterations, finalLoss: b.training.finalLoss, endpointError: b.training.endpointError ?? NaN },
  };
  if (b.resume) {
    const r = b.resume;
    ck.resume = {
      adam: { step: r.adam.step, m: mapRecord(r.adam.m, (v, k) => b64ToF32(v, `adam.m.${k}`)), v: mapRecord(r.adam.v, (v, k) => b64ToF32(v, `adam.v.${k}`)) },
      rng: { s: new Uint32Array(r.rng.s), spare: r.rng.spare ?? NaN },
      lr: r.lr,
      badSteps: r.badSteps,
    };
    for (const moment of ['m', 'v'] as const) {
      for (const [name, p] of Object.entries(params)) {
        const a = ck.resume.adam[moment][name];
        if (!a || a.length !== p.data.length) {
          throw new CheckpointError(`${source}: optimizer state adam.${moment}.${name} does not match parameter '${name}' (${a ? a.length : 'missing'} vs ${p.data.length} values)`);
        }
      }
    }
  }
  return ck;
}

/** The body a checkpoint's controller drives. */
export function checkpointBody(ck: Pick<Checkpoint, 'arm' | 'muscles'>): Body {
  return bodyOf(ck.arm, ck.muscles);
}

/** Iterations averaged in a training summary (and by training logs that must match it). */
export const SUMMARY_WINDOW = 50;

/** Summary of the last `n` log lines. */
export function summarizeTraining(state: TrainState, n = SUMMARY_WINDOW): TrainingSummary {
  const tail = state.log.slice(-n).filter((e) => !e.event);
  const finalLoss = emptyLoss();
  for (const e of tail) {
    for (const k of Object.keys(finalLoss) as Array<keyof LossComponents>) finalLoss[k] += e.loss[k] / tail.length;
  }
  // A batch of only catch trials has no endpoint error.
  const errors = tail.map((e) => e.endpointError).filter(Number.isFinite);
  const endpointError = errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : NaN;
  return { iterations: state.iteration, finalLoss, endpointError };
}

/**
 * The checkpoint of a training state, written by `packageVersion` on `backend`; `withResume` adds the
 * optimizer and generator state. The CLI and the viewer's in-browser training both write through this.
 */
export function checkpointOf(config: TrainConfig, state: TrainState, backend: string, packageVersion: string, withResume: boolean): Checkpoint {
  const body = resolveBody(config.arm);
  return {
    packageVersion,
    backend,
    config,
    arm: body.skeleton,
    muscles: body.muscles,
    network: networkSpecOf(config),
    params: state.params,
    training: summarizeTraining(state),
    ...(withResume ? { resume: { adam: state.adam, rng: state.rng, lr: state.lr, badSteps: state.badSteps } } : {}),
  };
}
