/**
 * `reach run` as a library: load a checkpoint, run a task's conditions closed loop on the matter-js (or
 * analytic) arm, measure each reach, and write a run directory (config.json, arrays as .npy with a
 * manifest, trials.json).
 */
import { freemem } from 'node:os';
import { createRng } from '../core/random.ts';
import { reachMetrics, type ReachMetrics } from '../model/analysis/kinematics.ts';
import { checkpointBody, type Checkpoint } from '../model/checkpoint.ts';
import type { ArmEngine, Recording } from '../model/closed-loop.ts';
import { planInterventions } from '../model/interventions/apply.ts';
import { joinRecordings, sliceTrials } from '../model/trial-pieces.ts';
import { observationChannels } from '../sim/tasks/observation.ts';
import { wholeSteps } from '../sim/time.ts';
import { centerOutConditions, parseTaskSpec, sampleTrials, type TrialBatch } from '../sim/tasks/task-spec.ts';
import { PACKAGE_VERSION } from './package-info.ts';
import { serialMap, type ParallelMap } from './parallel/analysis-tasks.ts';
import type { RunOptions } from './run-options.ts';
import { stageDir, withOutputLock } from './io/out-dir.ts';
import { writeRunDir, type RunArray, type TrialRecord } from './run-dir.ts';

export { DEFAULT_RUN_OPTIONS, type RunOptions } from './run-options.ts';

/** Per-trial kinematics plus the run's summary. */
export interface RunSummary {
  engine: ArmEngine;
  trials: number;
  /** Hand-to-target distance `evalAfter` s after go (m): mean and max over non-catch trials. */
  meanEndpointError: number;
  maxEndpointError: number;
  /** Max perpendicular deviation / reach length: mean and max. */
  meanStraightness: number;
  maxStraightness: number;
  /** Fraction of reaches with a single speed peak. */
  singlePeakedFraction: number;
  /** Mean correlation of the speed profile with minimum jerk. */
  meanMinJerkCorrelation: number;
  /** Mean reaction time (s) and peak speed (m/s). */
  meanReactionTime: number;
  meanPeakSpeed: number;
}

export interface RunResult {
  recording: Recording;
  metrics: Array<ReachMetrics | null>;
  trialRecords: TrialRecord[];
  summary: RunSummary;
}

function makeTrials(ck: Checkpoint, o: RunOptions): TrialBatch {
  // The run's trial length (s, a whole number of control steps) replaces the training task's, and the step count derived from it.
  const trained = { ...ck.config.task, duration: o.duration, steps: undefined };
  if (o.task === 'center-out') {
    if (!(o.duration > o.goTime + o.evalAfter)) {
      throw new Error(`trial duration ${o.duration} s must exceed go time + evaluation delay (${o.goTime} + ${o.evalAfter} s)`);
    }
    const task = parseTaskSpec({ ...trained, kind: 'center-out', delay: [o.goTime, o.goTime] });
    return centerOutConditions(ck.arm, task, o.goTime, o.repeats);
  }
  const task = parseTaskSpec({ ...trained, kind: 'random', catchProbability: 0 });
  if (!(o.duration > task.delay[1] + o.evalAfter)) {
    throw new Error(`random trials get their go cue up to ${task.delay[1]} s (the training delay range), so --duration must exceed ${task.delay[1]} + ${o.evalAfter} s`);
  }
  return sampleTrials(ck.arm, task, o.repeats, createRng(o.seed + 1));
}

const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);

/** Trials per piece of a run handed to `parallel` (pieces are independent: see runClosedLoop). */
const PIECE_TRIALS = 4;

/** Run the controller of `ck` closed loop and measure every reach; `parallel` plays the pieces of the run (default: here, one after another). */
export function runExperiment(ck: Checkpoint, o: RunOptions, parallel: ParallelMap = serialMap): RunResult {
  const trials = makeTrials(ck, o);
  const evalSteps = wholeSteps(o.evalAfter, trials.dt, 'evaluation delay (--eval-after)');
  const interventions = o.interventions?.interventions.length ? planInterventions(o.interventions, trials.batch, ck.network.hidden) : undefined;
  const opts = { engine: o.engine, feedback: o.feedback ?? ck.config.feedback, field: o.field, interventions };
  const { arm, muscles, network, params } = ck;
  const pieces = Array.from({ length: Math.ceil(trials.batch / PIECE_TRIALS) }, (_, k) => {
    const first = k * PIECE_TRIALS;
    const piece = sliceTrials(trials, first, Math.min(PIECE_TRIALS, trials.batch - first));
    return { ck: { arm, muscles, network, params }, trials: piece, opts: { ...opts, trialOffset: first }, seed: o.seed };
  });
  const recording = joinRecordings(trials, parallel('closedLoop', pieces));
  const { batch: B, steps: T, dt } = trials;
  const metrics: Array<ReachMetrics | null> = [];
  const records: TrialRecord[] = [];
  const errors: number[] = [];
  for (let b = 0; b < B; b++) {
    const pos = recording.handPosition.subarray(b * T * 2, (b + 1) * T * 2);
    const target: [number, number] = [trials.target[b * 2], trials.target[b * 2 + 1]];
    const start: [number, number] = [trials.start[b * 2], trials.start[b * 2 + 1]];
    const go = trials.goStep[b];
    const isCatch = trials.isCatch[b] === 1;
    let m: ReachMetrics | null = null;
    let error: number | null = null;
    if (!isCatch) {
      const at = go + evalSteps;
      m = reachMetrics(pos.subarray(0, (at + 1) * 2), { dt, target, start, goIndex: go });
      error = m.endpointError;
      errors.push(error);
    }
    metrics.push(m);
    records.push({
      trial: b,
      condition: trials.condition[b],
      target,
      start,
      target_angle: trials.targetAngle[b],
      go_time: isCatch ? null : go * dt,
      movement_onset: m && Number.isFinite(m.onsetTime) ? m.onsetTime : null,
      endpoint_error: error,
      catch: isCatch,
      start_time: b * T * dt,
      stop_time: (b + 1) * T * dt,
    });
  }
  const ok = metrics.filter((m): m is ReachMetrics => m !== null);
  const summary: RunSummary = {
    engine: o.engine,
    trials: B,
    meanEndpointError: mean(errors),
    maxEndpointError: errors.length ? Math.max(...errors) : NaN,
    meanStraightness: mean(ok.map((m) => m.straightness)),
    maxStraightness: ok.length ? Math.max(...ok.map((m) => m.straightness)) : NaN,
    singlePeakedFraction: ok.length ? ok.filter((m) => m.singlePeaked).length / ok.length : NaN,
    meanMinJerkCorrelation: mean(ok.map((m) => m.minJerkCorrelation)),
    meanReactionTime: mean(ok.map((m) => m.reactionTime)),
    meanPeakSpeed: mean(ok.map((m) => m.peakSpeed)),
  };
  return { recording, metrics, trialRecords: records, summary };
}

/** The arrays of a recording, with units and axis names, as a run directory stores them. */
export function recordingArrays(rec: Recording, ck: Checkpoint): RunArray[] {
  const { batch: B, steps: T } = rec.trials;
  const n = ck.network.hidden;
  const xy = ['x', 'y'];
  const joints = ['shoulder', 'elbow'];
  const per = (name: string, data: RunArray['data'], last: number, unit: string, lastAxis: string, description: string, columns?: string[]): RunArray => ({
    name,
    data,
    shape: [B, T, last],
    unit,
    axes: ['trials', 'times', lastAxis],
    description,
    ...(columns ? { columns } : {}),
  });
  const readoutT = new Float32Array(ck.network.outputs * n);
  const w = ck.params.Wout.data;
  for (let j = 0; j < n; j++) for (let k = 0; k < ck.network.outputs; k++) readoutT[k * n + j] = w[j * ck.network.outputs + k];
  const act = checkpointBody(ck).actuator;
  const channels = observationChannels(checkpointBody(ck));
  const range = ck.network.outputRange;
  const readoutText = range ? `excitation = ${range[0]} + ${range[1] - range[0]}·σ(W_out · hidden + b_out)` : 'torque = W_out · hidden + b_out';
  const m = rec.muscles;
  const muscles = m
    ? [
        per('muscle_excitation', m.excitation, m.names.length, '1', 'muscles', 'muscle excitation (network output) applied from this sample to the next; used clipped to [0.001, 1]', m.names),
        per('muscle_activation', m.activation, m.names.length, '1', 'muscles', 'muscle activation (first-order filter of the excitation) at this sample', m.names),
        per('muscle_force', m.force, m.names.length, 'N', 'muscles', 'muscle tension at this sample', m.names),
        per('muscle_length', m.length, m.names.length, 'm', 'muscles', 'muscle fibre length (musculotendon length − rigid tendon) at this sample', m.names),
        per('muscle_velocity', m.velocity, m.names.length, 'm/s', 'muscles', 'muscle fibre lengthening velocity (negative when shortening) at this sample', m.names),
      ]
    : [];
  return [
    { name: 'times', data: rec.times, shape: [T], unit: 's', axes: ['times'], description: 'sample time from trial start' },
    per('inputs', rec.inputs, channels.length, 'mixed (see columns)', 'inputs', `network inputs; units per channel: ${channels.map((c) => `${c.name} ${c.unit}`).join(', ')}`, channels.map((c) => c.name)),
    per('hidden', rec.hidden, n, 'a.u.', 'units', 'network hidden state computed from the observation at this sample'),
    ...rec.extraStates.map((x) => per(x.part.array, x.data, n, 'a.u.', 'units', x.part.description)),
    per('torques', rec.torques, 2, 'N*m', 'joints', m ? 'joint torques of the muscles at this sample' : 'joint torques applied from this sample to the next', joints),
    ...muscles,
    per('joint_angles', rec.jointAngles, 2, 'rad', 'joints', 'shoulder angle from +x, elbow angle relative to the upper arm', joints),
    per('joint_velocities', rec.jointVelocities, 2, 'rad/s', 'joints', 'joint angular velocities', joints),
    per('hand_position', rec.handPosition, 2, 'm', 'xy', 'hand position, shoulder at the origin, +x right, +y forward', xy),
    per('hand_velocity', rec.handVelocity, 2, 'm/s', 'xy', 'hand velocity', xy),
    { name: 'targets', data: rec.trials.target, shape: [B, 2], unit: 'm', axes: ['trials', 'xy'], description: 'target hand position', columns: xy },
    { name: 'readout_weights', data: readoutT, shape: [ck.network.outputs, n], unit: act.kind === 'torque' ? 'N*m' : '1', axes: ['outputs', 'units'], description: `readout W_out (rows: ${act.inputNames.join(', ')}): ${readoutText}` },
    ...(rec.interventions
      ? [
          per('interventions', Int32Array.from(rec.interventions.mask), rec.interventions.ids.length, '1', 'interventions', '1 where the intervention acted at this sample (the spec is in config.json under options.interventions)', rec.interventions.ids),
          { name: 'intervention_onset', data: Float64Array.from(rec.interventions.onsetStep, (s) => (s < 0 ? NaN : s * rec.trials.dt)), shape: [B], unit: 's', axes: ['trials'], description: 'movement onset as the interventions detected it online (hand speed first ≥ onsetSpeed after go), from trial start; NaN: none' },
        ]
      : []),
  ];
}

/**
 * Refuse a run whose recording cannot fit in memory, before allocating it: every array of the recording,
 * plus the encoded copy a run directory writes, against the memory the system has available.
 */
export function checkRecordingFits(ck: Checkpoint, o: RunOptions, available = freemem()): void {
  const trials = o.task === 'center-out' ? ck.config.task.targets * o.repeats : o.repeats;
  const steps = Math.round(o.duration / ck.network.dt);
  // float32: inputs, hidden, torques, muscles (5 per muscle); float64: times-aligned joint angles, velocities, hand position, velocity.
  const muscles = ck.muscles ? ck.muscles.muscles.length : 0;
  const perStep = 4 * (ck.network.inputs + ck.network.hidden + 2 + 5 * muscles) + 8 * 8;
  const bytes = 2 * trials * steps * perStep;
  if (bytes > available) {
    const gb = (b: number) => `${(b / 1e9).toPrecision(3)} GB`;
    throw new Error(`${trials} trials of ${steps} steps need about ${gb(bytes)} of memory to record and write, but ${gb(available)} is available; use fewer --repeats (at most about ${Math.floor((available / bytes) * o.repeats)})`);
  }
}

export interface RecordRunOptions {
  /** Replace an existing non-empty run directory whole. Default false: it is refused. */
  force?: boolean;
}

/**
 * `reach run`: run the controller and record the run directory `out`, holding its lock. The directory is
 * written in a temporary sibling and renamed into place when complete (replacing an earlier one only
 * with `force`, checked before the run starts), so it never holds arrays of two runs.
 */
export async function recordRun(out: string, ck: Checkpoint, checkpointPath: string, o: RunOptions, opts: RecordRunOptions = {}): Promise<RunResult> {
  return withOutputLock(out, () => {
    const staged = stageDir(out, { force: opts.force, what: 'run' });
    try {
      checkRecordingFits(ck, o);
      const result = runExperiment(ck, o);
      writeRun(staged.tmp, ck, checkpointPath, o, result);
      staged.commit();
      return result;
    } catch (err) {
      staged.abandon();
      throw err;
    }
  });
}

/** Write a run directory for a finished run into `dir` (see recordRun for writing one safely). */
export function writeRun(dir: string, ck: Checkpoint, checkpointPath: string, o: RunOptions, result: RunResult): void {
  const config = {
    command: 'run',
    packageVersion: PACKAGE_VERSION,
    seed: o.seed,
    backend: 'none (closed-loop runs use the plain-JS forward pass)',
    checkpoint: { path: checkpointPath, backend: ck.backend, training: ck.training },
    options: o,
    arm: ck.arm,
    ...(ck.muscles ? { muscles: ck.muscles } : {}),
    network: ck.network,
    task: ck.config.task,
    feedback: o.feedback ?? ck.config.feedback,
    summary: result.summary,
  };
  writeRunDir(dir, { config, dt: ck.network.dt, arrays: recordingArrays(result.recording, ck), trials: result.trialRecords });
}
