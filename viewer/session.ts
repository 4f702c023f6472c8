/**
 * The live run: the matter-js arm driven by the controller, advanced by a fixed-step accumulator from
 * the display's frame times. The arm takes 1 ms engine updates; every 10th update starts a control step
 * (the network sees delayed, noisy feedback, exactly as in a closed-loop run, through the shared
 * model/controller-step.ts). Rendering never waits on the simulation: a frame advances by at most
 * {@link MAX_FRAME_TIME} of simulated time, whatever its wall time.
 *
 * A trial is what runClosedLoop runs for one condition: the arm placed at the start posture, the network
 * state cleared, the target shown with the hold cue on, then go after the instructed delay. The run goes
 * on after the recorded trial ends, so the hand keeps being controlled.
 */
import { createRng, type Rng } from '../core/random.ts';
// The checkpoint's body from sim/body.ts, not model/checkpoint.ts's checkpointBody: that module brings the
// zod schemas of the whole training config into the page's chunk (bundled controllers are validated at build).
import type { Checkpoint } from '../model/checkpoint.ts';
import { controllerAdvance, controllerReadout, createController, resetController, type Controller } from '../model/controller-step.ts';
import { beginTrial as beginInterventionTrial, endTrial as endInterventionTrial, intervene, planInterventions, type InterventionPlan, type TrialInterventions } from '../model/interventions/apply.ts';
import type { InterventionSpec } from '../model/interventions/spec.ts';
import { observationSize, observe } from '../sim/tasks/observation.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { bodyOf, type Body } from '../sim/body.ts';
import { handPosition, handVelocity } from '../sim/dynamics.ts';
import { createFeedback, pushFeedback, type FeedbackState, type ResolvedFeedbackOptions } from '../sim/feedback.ts';
import { curlField, handForce, NO_FIELD, pulseField, sumFields, type ForceField, type ForcePulse } from '../sim/force-fields.ts';
import { createMatterBody, type MatterArm } from '../sim/matter-arm.ts';
import { centerOutStart, centerOutTargets, parseTaskSpec, type TaskSpec } from '../sim/tasks/task-spec.ts';
import { createTrialRecord, recordStep, type TrialRecord } from './trial-record.ts';

/** Engine update (s). */
export const SUBSTEP = 0.001;
/** Longest simulated time one display frame may advance (s); slower frames run the arm in slow motion. */
export const MAX_FRAME_TIME = 0.05;
/** Mouse spring stiffness (N/m). */
export const SPRING_STIFFNESS = 400;
/** Mouse spring damping on the hand velocity (N·s/m). */
export const SPRING_DAMPING = 20;
/** Largest mouse spring force (N). */
export const SPRING_MAX_FORCE = 80;
/** Pulse button: force (N) along +x … */
export const PULSE_FORCE = 10;
/** … for this long (s). */
export const PULSE_DURATION = 0.05;
/** Time recorded after the go cue (s). */
export const RECORD_AFTER_GO = 2;

/** Trial phase: no trial yet (hand held at the start), instructed delay, reaching (recording), recording over. */
export type TrialPhase = 'idle' | 'delay' | 'reach' | 'done';

/** The live run, as plain data. The matter arm inside is owned: release it with {@link disposeSession}. */
export interface Session {
  /** Interventions (model/interventions/) applied from the next trial on, trials counted from when they were set; null: none. */
  interventions: { plan: InterventionPlan; first: number; trial: TrialInterventions | null; handVelocity: Float64Array } | null;
  /** Name of the checkpoint driving the arm (its file name). */
  name: string;
  checkpoint: Checkpoint;
  /** The body the checkpoint was trained on (torque motors, or arm26's six muscles); `params` is its skeleton. */
  body: Body;
  params: ArmParams;
  task: TaskSpec;
  /** Control step (s). */
  dt: number;
  /** Engine updates per control step. */
  substepsPerStep: number;
  /** Step of the go cue in every trial (the middle of the task's delay range). */
  goStep: number;
  /** Start posture state [q1, q2, q̇1, q̇2]. */
  x0: Float64Array;
  /** Start hand position (m). */
  start: [number, number];
  /** Center-out targets (m). */
  targets: Array<[number, number]>;
  arm: MatterArm;
  controller: Controller;
  feedback: FeedbackState;
  /** The checkpoint's feedback options (noise at ×1). */
  feedbackBase: ResolvedFeedbackOptions;
  rng: Rng;
  phase: TrialPhase;
  /** Current target (m) and its index (−1: the start). */
  target: Float64Array;
  targetIndex: number;
  goStepArr: Int32Array;
  /** Step from which the network sees the go cue: go plus the task's cueDelay (what it was trained with). */
  cueStepArr: Int32Array;
  /** Control step index within the trial, and engine update within the control step. */
  step: number;
  substep: number;
  /** Simulated time since the session began (s). */
  simTime: number;
  accumulator: number;
  paused: boolean;
  /** Simulated seconds per wall second. */
  timeScale: number;
  /** Control steps still to run while paused (single-step). */
  pendingSteps: number;
  /** Trial time (s) at which the run pauses itself, once, inside the update loop (null: never; a new trial clears it); set only by the debug hook, so tests stop at an exact simulated time. */
  pauseAt: number | null;
  /** Feedback noise multiplier (1 = as trained). */
  noiseScale: number;
  curlOn: boolean;
  /** Curl strength (N·s/m). */
  curlStrength: number;
  pulses: ForcePulse[];
  field: ForceField;
  /** Mouse spring: active, and the cursor position (m). */
  dragging: boolean;
  cursor: Float64Array;
  /** Spring force of the last engine update (N). */
  springForce: Float64Array;
  record: TrialRecord;
  /** Trials started since the session began. */
  trials: number;
  /** Scratch. */
  x: Float64Array;
  force: Float64Array;
  /** Scratch: body state [q, q̇, actuator state], actuator inputs as used (clipped), joint torques (N·m). */
  bodyX: Float64Array;
  used: Float64Array;
  jointTorque: Float64Array;
}

/** Everything the session needs from a checkpoint, validated for live use; throws with a clear message. */
export function createSession(checkpoint: Checkpoint, name: string, seed = 1): Session {
  const body = bodyOf(checkpoint.arm, checkpoint.muscles);
  const params = body.skeleton;
  const net = checkpoint.network;
  if (net.inputs !== observationSize(body) || net.outputs !== body.actuator.nInputs) {
    throw new Error(`${name}: the network (${net.inputs} inputs, ${net.outputs} outputs) does not fit its ${body.name} arm (${observationSize(body)} observations, ${body.actuator.nInputs} inputs)`);
  }
  const task = parseTaskSpec(checkpoint.config.task);
  if (Math.abs(checkpoint.network.dt - task.dt) > 1e-12) {
    throw new Error(`${name}: the network runs at dt = ${checkpoint.network.dt} s but its task uses ${task.dt} s`);
  }
  const substepsPerStep = Math.round(task.dt / SUBSTEP);
  if (Math.abs(substepsPerStep * SUBSTEP - task.dt) > 1e-9) throw new Error(`${name}: dt = ${task.dt} s is not a whole number of 1 ms engine updates`);
  const targets = centerOutTargets(params, task);
  const start = centerOutStart(params, task);
  const goStep = Math.round((task.delay[0] + task.delay[1]) / 2 / task.dt);
  const x0 = Float64Array.of(task.startPosture[0], task.startPosture[1], 0, 0);
  const feedbackBase = createFeedback(body, checkpoint.config.feedback, task.dt, x0).opts;
  const s: Session = {
    interventions: null,
    name,
    checkpoint,
    body,
    params,
    task,
    dt: task.dt,
    substepsPerStep,
    goStep,
    x0,
    start,
    targets,
    arm: createMatterBody(body, { q0: [x0[0], x0[1]] }),
    controller: createController(checkpoint.network, checkpoint.params),
    feedback: createFeedback(body, feedbackBase, task.dt, x0),
    feedbackBase,
    rng: createRng(seed),
    phase: 'idle',
    target: Float64Array.from(start),
    targetIndex: -1,
    goStepArr: Int32Array.of(0),
    cueStepArr: Int32Array.of(0),
    step: 0,
    substep: 0,
    simTime: 0,
    accumulator: 0,
    paused: false,
    timeScale: 1,
    pendingSteps: 0,
    pauseAt: null,
    noiseScale: 1,
    curlOn: false,
    curlStrength: 13,
    pulses: [],
    field: NO_FIELD,
    dragging: false,
    cursor: new Float64Array(2),
    springForce: new Float64Array(2),
    record: createTrialRecord(1, task.dt, 0, checkpoint.network.hidden, start, -1, body.muscles?.muscles ?? []),
    trials: 0,
    x: new Float64Array(4),
    force: new Float64Array(2),
    bodyX: new Float64Array(4 + body.actuator.nState),
    used: new Float64Array(body.actuator.nInputs),
    jointTorque: new Float64Array(2),
  };
  beginTrial(s, -1);
  return s;
}

/** Release the matter engine. */
export function disposeSession(s: Session): void {
  s.arm.dispose();
}

/** Recorded steps of a trial toward a target. */
export function trialSteps(s: Session): number {
  return Math.max(s.task.steps, s.goStep + Math.round(RECORD_AFTER_GO / s.dt));
}

/**
 * Start a trial toward center-out target k (0-based): arm at the start posture, network state cleared,
 * fresh feedback history, hold cue until go. k = −1 holds the hand at the start (no hold cue).
 */
export function beginTrial(s: Session, k: number): void {
  if (!(Number.isInteger(k) && k >= -1 && k < s.targets.length)) throw new Error(`no target ${k}: there are ${s.targets.length}`);
  s.arm.dispose();
  s.arm = createMatterBody(s.body, { q0: [s.x0[0], s.x0[1]] });
  s.pulses = [];
  applyField(s);
  s.feedback = createFeedback(s.body, scaledFeedback(s), s.dt, s.x0);
  resetController(s.controller);
  const iv = s.interventions;
  if (iv?.trial) endInterventionTrial(iv.trial);
  if (iv) iv.trial = null;
  const target = k < 0 ? s.start : s.targets[k];
  s.target[0] = target[0];
  s.target[1] = target[1];
  s.targetIndex = k;
  s.goStepArr[0] = k < 0 ? 0 : s.goStep;
  s.cueStepArr[0] = k < 0 ? 0 : s.goStep + Math.round(s.task.cueDelay / s.dt);
  s.step = 0;
  s.substep = 0;
  // A pause asked for at a time of the trial that ends here is not one for the next trial.
  s.pauseAt = null;
  s.phase = k < 0 ? 'idle' : 'delay';
  s.record = createTrialRecord(k < 0 ? s.task.steps : trialSteps(s), s.dt, s.goStepArr[0], s.controller.spec.hidden, target, k, s.body.muscles?.muscles ?? []);
  if (iv && k >= 0 && s.trials - iv.first < iv.plan.trials) {
    iv.trial = beginInterventionTrial(
      iv.plan,
      { trial: s.trials - iv.first, dt: s.dt, steps: s.record.capacity, goStep: s.goStepArr[0], start: s.start, baseField: s.field },
      { controller: s.controller, observation: s.controller.input, handVelocity: iv.handVelocity, setHandForce: (f) => s.arm.setForceField(f.kind === 'none' ? null : f) },
    );
  }
  if (k >= 0) s.trials++;
}

/** Trials an intervention spec set in the viewer can name (trial numbers count from when it was set). */
export const VIEWER_INTERVENTION_TRIALS = 10_000;

/** Apply `spec` (null: none) from the next trial on; its trial numbers count from that trial. */
export function setInterventions(s: Session, spec: InterventionSpec | null): void {
  if (s.interventions?.trial) endInterventionTrial(s.interventions.trial);
  s.interventions = spec && spec.interventions.length ? { plan: planInterventions(spec, VIEWER_INTERVENTION_TRIALS, s.controller.spec.hidden), first: s.trials, trial: null, handVelocity: new Float64Array(2) } : null;
}

function scaledFeedback(s: Session): ResolvedFeedbackOptions {
  const b = s.feedbackBase;
  const m = s.noiseScale;
  return {
    ...b,
    jointAngleNoise: b.jointAngleNoise * m,
    jointVelocityNoise: b.jointVelocityNoise * m,
    handPositionNoise: b.handPositionNoise * m,
    handVelocityNoise: b.handVelocityNoise * m,
    muscleLengthNoise: b.muscleLengthNoise * m,
    muscleVelocityNoise: b.muscleVelocityNoise * m,
  };
}

/** Feedback noise as a multiple of the trained noise (≥ 0); takes effect at the next control step. */
export function setNoiseScale(s: Session, m: number): void {
  if (!(m >= 0 && Number.isFinite(m))) throw new Error(`noise scale must be ≥ 0, got ${m}`);
  s.noiseScale = m;
  s.feedback.opts = scaledFeedback(s);
}

/** Curl field on/off and strength (N·s/m). */
export function setCurl(s: Session, on: boolean, strength: number): void {
  s.curlOn = on;
  s.curlStrength = strength;
  applyField(s);
}

/** A rightward force pulse on the hand, starting now. */
export function triggerPulse(s: Session): void {
  s.pulses.push({ start: s.arm.time, duration: PULSE_DURATION, F: [PULSE_FORCE, 0] });
  applyField(s);
}

function applyField(s: Session): void {
  const parts: ForceField[] = [];
  if (s.curlOn && s.curlStrength !== 0) parts.push(curlField(s.curlStrength));
  if (s.pulses.length) parts.push(pulseField(s.pulses));
  s.field = parts.length === 0 ? NO_FIELD : parts.length === 1 ? parts[0] : sumFields(...parts);
  s.arm.setForceField(s.field.kind === 'none' ? null : s.field);
}

/** Grab the hand with the mouse spring (cursor at (x, y) m), move the cursor, or release. */
export function setDrag(s: Session, active: boolean, x = s.cursor[0], y = s.cursor[1]): void {
  s.dragging = active;
  s.cursor[0] = x;
  s.cursor[1] = y;
  if (!active) {
    s.springForce.fill(0);
    s.arm.setHandForce([0, 0]);
  }
}

/** Total external hand force now (field, pulses, mouse spring) (N), into `out`. */
export function externalForce(s: Session, out: Float64Array): Float64Array {
  const pos = s.arm.handPosition();
  const vel = s.arm.handVelocity();
  const f = handForce(s.field, s.arm.time, pos, vel);
  out[0] = f[0] + s.springForce[0];
  out[1] = f[1] + s.springForce[1];
  return out;
}

function updateSpring(s: Session): void {
  if (!s.dragging) return;
  const p = s.arm.handPosition();
  const v = s.arm.handVelocity();
  let fx = SPRING_STIFFNESS * (s.cursor[0] - p[0]) - SPRING_DAMPING * v[0];
  let fy = SPRING_STIFFNESS * (s.cursor[1] - p[1]) - SPRING_DAMPING * v[1];
  const mag = Math.hypot(fx, fy);
  if (mag > SPRING_MAX_FORCE) {
    fx *= SPRING_MAX_FORCE / mag;
    fy *= SPRING_MAX_FORCE / mag;
  }
  s.springForce[0] = fx;
  s.springForce[1] = fy;
  s.arm.setHandForce([fx, fy]);
}

/** Control step: observe, run the network, record the sample. */
function controlStep(s: Session): void {
  if (s.pulses.length && s.pulses.every((p) => s.arm.time >= p.start + p.duration)) {
    s.pulses = [];
    applyField(s);
  }
  const x = s.arm.getState(s.x);
  const c = s.controller;
  observe(s.feedback, s.step, s.target, s.cueStepArr, s.rng, c.fbScratch, c.input);
  const iv = s.interventions?.trial && s.step < s.interventions.trial.facts.steps ? s.interventions.trial : null;
  if (iv) {
    s.interventions!.handVelocity.set(handVelocity(s.params, x[0], x[1], x[2], x[3]));
    intervene(iv, 'before-cell', s.step);
  }
  controllerAdvance(c, c.input, s.rng);
  if (iv) intervene(iv, 'after-cell', s.step);
  controllerReadout(c);
  if (iv) intervene(iv, 'plant', s.step);
  const u = s.controller.tau;
  if (!u.every(Number.isFinite)) {
    throw new Error(`${s.name} produced non-finite ${s.body.actuator.inputNoun} at t = ${(s.step * s.dt).toFixed(2)} s`);
  }
  // Joint torques over the coming step as the closed loop records them: the motors' inputs, or the
  // muscles' torques at this sample's activations (excitations act on activations only through time).
  const act = s.body.actuator;
  const bx = s.bodyX;
  bx.set(x);
  bx.set(s.arm.actuatorState, 4);
  for (let i = 0; i < act.nInputs; i++) s.used[i] = act.clampInput(u[i], i);
  act.jointTorques(bx, 0, s.used, 0, s.jointTorque, null);
  const hand = handPosition(s.params, x[0], x[1]);
  const vel = handVelocity(s.params, x[0], x[1], x[2], x[3]);
  recordStep(s.record, s.controller.input[2], x, hand, vel, externalForce(s, s.force), s.jointTorque, s.controller.h, s.arm.actuatorState, s.used);
  if (s.phase !== 'idle') s.phase = s.step < s.goStepArr[0] ? 'delay' : s.record.shifted === 0 && s.record.length < s.record.capacity ? 'reach' : 'done';
}

/** One 1 ms engine update, starting a control step every `substepsPerStep` updates. */
function engineUpdate(s: Session): void {
  if (s.substep === 0) controlStep(s);
  updateSpring(s);
  s.arm.substep(s.controller.tau);
  s.simTime += SUBSTEP;
  if (++s.substep === s.substepsPerStep) {
    s.substep = 0;
    pushFeedback(s.feedback, s.arm.getState(s.x));
    s.step++;
  }
}

/**
 * Advance by the wall time since the last frame (s): scaled by `timeScale`, capped at MAX_FRAME_TIME of
 * simulated time, in whole 1 ms updates (the remainder carries over). While paused, runs only the
 * requested single steps. Stops at `pauseAt` (pausing). Returns the engine updates done.
 */
export function advance(s: Session, wallSeconds: number): number {
  let n = 0;
  if (s.paused) {
    s.accumulator = 0;
    while (s.pendingSteps > 0) {
      do {
        engineUpdate(s);
        n++;
      } while (s.substep !== 0);
      s.pendingSteps--;
    }
    return n;
  }
  s.accumulator += Math.min(Math.max(wallSeconds, 0) * s.timeScale, MAX_FRAME_TIME);
  while (s.accumulator >= SUBSTEP - 1e-12) {
    engineUpdate(s);
    s.accumulator -= SUBSTEP;
    n++;
    if (s.pauseAt !== null && trialTime(s) >= s.pauseAt - 1e-9) {
      s.pauseAt = null;
      s.accumulator = 0;
      setPaused(s, true);
      break;
    }
  }
  return n;
}

/** Pause or resume. */
export function setPaused(s: Session, paused: boolean): void {
  s.paused = paused;
  s.pendingSteps = 0;
}

/** While paused: run one more control step (10 ms) at the next frame. */
export function requestStep(s: Session): void {
  if (s.paused) s.pendingSteps++;
}

/** Trial time of the go cue (s). */
export function goTime(s: Session): number {
  return s.goStepArr[0] * s.dt;
}

/** Time since the trial began (s). */
export function trialTime(s: Session): number {
  return (s.step * s.substepsPerStep + s.substep) * SUBSTEP;
}
