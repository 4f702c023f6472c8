/**
 * The one place that acts on an intervention spec. A step loop (closed-loop runs, the viewer, the
 * protocols) calls {@link intervene} at three fixed points of every control step:
 *
 *   observe → intervene('before-cell') → cell step → intervene('after-cell') → readout → intervene('plant') → plant step
 *
 * and {@link beginTrial} / {@link endTrial} around each trial. Nothing else reads a spec: the loop
 * exposes its buffers once per trial (an {@link InterventionIO}) and gets back, per trial, which
 * intervention hit which steps.
 */
import { createRng, normal, type Rng } from '../../core/random.ts';
import { NO_FIELD, sumFields, type ForceField } from '../../sim/force-fields.ts';
import { FEEDBACK_OFFSET } from '../../sim/tasks/observation.ts';
import { cellOf } from '../cells/index.ts';
import type { Controller } from '../controller-step.ts';
import { cloneParams, jsMatmul, type Matmul, type NetworkParams, type NetworkSpec } from '../network.ts';
import { inWindow, selectTrials, selectUnits } from './schedule.ts';
import { interventionId, type Intervention, type InterventionSpec } from './spec.ts';

export type InterventionPoint = 'before-cell' | 'after-cell' | 'plant';

/** Channel offsets in the observation: proprioception q1, q2, q̇1, q̇2; vision x, y, vx, vy. */
const PROPRIO = FEEDBACK_OFFSET;
const VISION = FEEDBACK_OFFSET + 4;

/** A spec resolved for a run of `trials` trials and a network of `hidden` units. */
export interface InterventionPlan {
  spec: InterventionSpec;
  /** Record names, in spec order. */
  ids: string[];
  /** Per intervention, whether it hits each trial: [interventions][trials]. */
  hits: boolean[][];
  /** Per intervention, its hidden units (empty for kinds without units). */
  units: number[][];
  trials: number;
}

export function planInterventions(spec: InterventionSpec, trials: number, hidden: number): InterventionPlan {
  const hits = spec.interventions.map((iv) => {
    const on = new Array<boolean>(trials).fill(false);
    for (const t of selectTrials(iv.trials, trials)) on[t] = true;
    if (iv.exceptTrials) for (const t of selectTrials(iv.exceptTrials, trials)) on[t] = false;
    return on;
  });
  const units = spec.interventions.map((iv) => ('units' in iv ? selectUnits(iv.units, hidden) : []));
  return { spec, ids: spec.interventions.map(interventionId), hits, units, trials };
}

/** The loop's buffers, given once per trial; the loop updates `handVelocity` before each step. */
export interface InterventionIO {
  controller: Controller;
  /** The observation the cell is about to see (edited in place): [OBSERVATION_SIZE]. */
  observation: Float32Array;
  /** Hand velocity now (m/s), for movement onset. */
  handVelocity: ArrayLike<number>;
  /** Make `field` the hand force of the coming plant steps. */
  setHandForce(field: ForceField): void;
}

/** Facts of the trial being run. */
export interface TrialFacts {
  /** Trial index in the run. */
  trial: number;
  /** Control step (s) and steps in the trial. */
  dt: number;
  steps: number;
  /** Go-cue step (−1 on a catch trial). */
  goStep: number;
  /** Start hand position (m): the centre of visual rotations. */
  start: ArrayLike<number>;
  /** The run's own hand force (hand-force interventions add to it). Default none. */
  baseField?: ForceField;
}

interface Active {
  k: number;
  iv: Intervention;
  units: number[];
  rng: Rng | null;
  /** recurrent-scale: the scaled weights and their product. */
  scaled: { params: NetworkParams; matmul: Matmul } | null;
  /** delay-feedback: the modality's raw channels at every step so far [steps, 4], and the delay in steps. */
  history: Float32Array | null;
  delaySteps: number;
}

/** One trial's interventions: what hits it, and the record of which steps each one hit. */
export interface TrialInterventions {
  plan: InterventionPlan;
  facts: TrialFacts;
  io: InterventionIO;
  active: Active[];
  /** Movement-onset step once detected (−1 before). */
  onsetStep: number;
  /** 1 where intervention k acted at step t: [steps, interventions]. */
  mask: Uint8Array;
  original: { params: NetworkParams; matmul: Matmul };
  fieldKey: string;
}

function scaledRecurrence(spec: NetworkSpec, params: NetworkParams, scale: number): { params: NetworkParams; matmul: Matmul } {
  const out = cloneParams(params);
  for (const { name, rows } of cellOf(spec).recurrentRows(spec)) {
    const p = out[name];
    const cols = p.shape[1];
    for (let i = rows[0] * cols; i < rows[1] * cols; i++) p.data[i] *= scale;
  }
  return { params: out, matmul: jsMatmul(out) };
}

/** Prepare trial `facts.trial`; call before its first step. */
export function beginTrial(plan: InterventionPlan, facts: TrialFacts, io: InterventionIO): TrialInterventions {
  if (!(facts.trial >= 0 && facts.trial < plan.trials)) throw new Error(`trial ${facts.trial} is outside the ${plan.trials} trials the interventions were planned for`);
  const c = io.controller;
  const active: Active[] = [];
  plan.spec.interventions.forEach((iv, k) => {
    if (!plan.hits[k][facts.trial]) return;
    let delaySteps = 0;
    if (iv.kind === 'delay-feedback') {
      delaySteps = Math.round(iv.delay / facts.dt);
      if (Math.abs(delaySteps * facts.dt - iv.delay) > 1e-9) throw new Error(`intervention ${plan.ids[k]}: delay ${iv.delay} s is not a whole number of ${facts.dt} s control steps`);
    }
    active.push({
      k,
      iv,
      units: plan.units[k],
      rng: iv.kind === 'noise' ? createRng(iv.seed * 1_000_003 + facts.trial) : null,
      scaled: iv.kind === 'recurrent-scale' ? scaledRecurrence(c.spec, c.params, iv.scale) : null,
      history: iv.kind === 'delay-feedback' ? new Float32Array(facts.steps * 4) : null,
      delaySteps,
    });
  });
  return {
    plan,
    facts,
    io,
    active,
    onsetStep: -1,
    mask: new Uint8Array(facts.steps * plan.ids.length),
    original: { params: c.params, matmul: c.matmul },
    fieldKey: '',
  };
}

function pointOf(iv: Intervention): InterventionPoint {
  switch (iv.kind) {
    case 'recurrent-scale':
    case 'rotate-feedback':
    case 'shift-feedback':
    case 'scale-feedback':
    case 'delay-feedback':
      return 'before-cell';
    case 'clamp':
    case 'silence':
    case 'current':
      return 'after-cell';
    case 'hand-force':
      return 'plant';
    case 'noise':
      return iv.on === 'feedback' ? 'before-cell' : iv.on === 'hidden' ? 'after-cell' : 'plant';
  }
}

/** Apply, at `point` of control step t, every intervention of the trial whose window holds t. */
export function intervene(tr: TrialInterventions, point: InterventionPoint, t: number): void {
  const { facts, io } = tr;
  const c = io.controller;
  const obs = io.observation;
  const K = tr.plan.ids.length;
  if (point === 'before-cell') {
    const v = io.handVelocity;
    if (tr.onsetStep < 0 && facts.goStep >= 0 && t >= facts.goStep && Math.hypot(v[0], v[1]) >= tr.plan.spec.onsetSpeed) tr.onsetStep = t;
    for (const a of tr.active) {
      if (a.history) {
        const o = a.iv.kind === 'delay-feedback' && a.iv.modality === 'vision' ? VISION : PROPRIO;
        for (let i = 0; i < 4; i++) a.history[t * 4 + i] = obs[o + i];
      }
    }
    c.params = tr.original.params;
    c.matmul = tr.original.matmul;
  }
  const hand: ForceField[] = [];
  for (const a of tr.active) {
    if (pointOf(a.iv) !== point || !inWindow(a.iv.window, t, facts.dt, facts.goStep, tr.onsetStep)) continue;
    tr.mask[t * K + a.k] = 1;
    const iv = a.iv;
    switch (iv.kind) {
      case 'recurrent-scale':
        c.params = a.scaled!.params;
        c.matmul = a.scaled!.matmul;
        break;
      case 'delay-feedback': {
        const o = iv.modality === 'vision' ? VISION : PROPRIO;
        const s = Math.max(0, t - a.delaySteps);
        for (let i = 0; i < 4; i++) obs[o + i] = a.history![s * 4 + i];
        break;
      }
      case 'rotate-feedback': {
        const cs = Math.cos(iv.angle);
        const sn = Math.sin(iv.angle);
        const dx = obs[VISION] - facts.start[0];
        const dy = obs[VISION + 1] - facts.start[1];
        obs[VISION] = facts.start[0] + cs * dx - sn * dy;
        obs[VISION + 1] = facts.start[1] + sn * dx + cs * dy;
        const vx = obs[VISION + 2];
        const vy = obs[VISION + 3];
        obs[VISION + 2] = cs * vx - sn * vy;
        obs[VISION + 3] = sn * vx + cs * vy;
        break;
      }
      case 'shift-feedback': {
        const o = iv.modality === 'vision' ? VISION : PROPRIO;
        obs[o] += iv.offset[0];
        obs[o + 1] += iv.offset[1];
        break;
      }
      case 'scale-feedback': {
        const o = iv.modality === 'vision' ? VISION : PROPRIO;
        for (let i = 0; i < 4; i++) obs[o + i] *= iv.gain;
        break;
      }
      case 'clamp':
      case 'silence': {
        const value = iv.kind === 'clamp' ? iv.value : 0;
        // The output h is the first block of the state: the next step starts from the clamped value.
        for (const u of a.units) c.state[u] = c.h[u] = value;
        break;
      }
      case 'current':
        for (const u of a.units) c.state[u] = c.h[u] = c.h[u] + iv.amount;
        break;
      case 'noise': {
        const rng = a.rng!;
        if (iv.on === 'feedback') for (let i = PROPRIO; i < VISION + 4; i++) obs[i] += iv.std * normal(rng);
        else if (iv.on === 'hidden') for (let u = 0; u < c.h.length; u++) c.state[u] = c.h[u] = c.h[u] + iv.std * normal(rng);
        else for (let i = 0; i < c.tau.length; i++) c.tau[i] += iv.std * normal(rng);
        break;
      }
      case 'hand-force':
        hand.push(iv.field);
        break;
    }
  }
  if (point === 'plant') {
    const key = tr.active.filter((a) => a.iv.kind === 'hand-force' && tr.mask[t * K + a.k]).map((a) => a.k).join(',');
    if (key !== tr.fieldKey) {
      const base = facts.baseField ?? NO_FIELD;
      io.setHandForce(hand.length === 0 ? base : sumFields(base, ...hand));
      tr.fieldKey = key;
    }
  }
}

/** Finish the trial: the controller gets its own weights back. Returns the record. */
export function endTrial(tr: TrialInterventions): { mask: Uint8Array; onsetStep: number } {
  tr.io.controller.params = tr.original.params;
  tr.io.controller.matmul = tr.original.matmul;
  if (tr.fieldKey !== '') tr.io.setHandForce(tr.facts.baseField ?? NO_FIELD);
  return { mask: tr.mask, onsetStep: tr.onsetStep };
}
