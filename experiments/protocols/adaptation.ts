/**
 * Adaptation protocols (`reach experiment --protocol curl-adaptation | visuomotor-rotation`):
 * baseline trials, an exposure block under a perturbation with catch trials (perturbation off)
 * interleaved, then washout. The perturbation is an intervention spec (a curl field on the hand, or
 * visual feedback rotated about the start), so the run directory records which trials it hit.
 *
 * Curl adaptation (Shadmehr & Mussa-Ivaldi 1994): the controller keeps learning from its own trials.
 * After every `trialsPerUpdate` trials it replays their conditions (targets, go cues) on the
 * differentiable plant with the same hand force the arm felt (none on catch trials, which are not
 * learned from) and takes one Adam step (fresh optimizer, `learningRate`) on the training loss; the
 * closed loop then runs on the matter-js arm with the new weights. Learning goes on through washout.
 * Visual rotations are not learned from: the training episode sees unrotated feedback, so the rotation
 * protocol measures the perturbation and its absence of after-effects, not adaptation.
 */
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';
import { createRng } from '../../core/random.ts';
import { fitExponential, preparatoryShift, type ExponentialFit, type PreparatoryShift } from '../../model/analysis/adaptation.ts';
import { adamStep, clipGradients, createAdamState } from '../../model/adam.ts';
import { checkpointBody, type Checkpoint } from '../../model/checkpoint.ts';
import { runClosedLoop, type Recording } from '../../model/closed-loop.ts';
import type { Episode } from '../../model/episode.ts';
import { planInterventions } from '../../model/interventions/apply.ts';
import { selectTrials } from '../../model/interventions/schedule.ts';
import { parseInterventionSpec, type Intervention, type InterventionSpec } from '../../model/interventions/spec.ts';
import { cloneParams } from '../../model/network.ts';
import { joinRecordings, pickTrials, sliceTrials } from '../../model/trial-pieces.ts';
import { forceFieldSchema, NO_FIELD, type ForceField } from '../../sim/force-fields.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';
import { wholeSteps } from '../../sim/time.ts';
import { centerOutSequence, measureTrial, type TrialMeasures } from './trials.ts';

export const ADAPTATION_PROTOCOLS = ['curl-adaptation', 'visuomotor-rotation'] as const;
export type AdaptationProtocol = (typeof ADAPTATION_PROTOCOLS)[number];

const int = z.number().int();
export const adaptationSpecSchema = z
  .object({
    /** Trials before the perturbation. Default 24 (3 per target). */
    baselineTrials: int.min(1).default(24),
    /** Trials of the exposure block, catch trials included. Default 160. */
    exposureTrials: int.min(1).default(160),
    /** Trials after it. Default 24. */
    washoutTrials: int.min(1).default(24),
    /** One catch trial (perturbation off) at a random place in each block of this many exposure trials; 0: none. Default 10. */
    catchEvery: int.min(0).default(10),
    /**
     * Hand force of curl adaptation (sim/force-fields.ts). Default a curl field of 5 N·s/m: it deflects
     * the default controller's 10 cm reaches by 2–4 cm; Shadmehr & Mussa-Ivaldi's 13 N·s/m deflects them
     * 4–8 cm and online learning then overshoots (measured).
     */
    field: forceFieldSchema.default({ kind: 'curl', strength: 5 }),
    /** Visual rotation of visuomotor-rotation (rad, counter-clockwise). Default π/6 (30°). */
    rotation: z.number().default(Math.PI / 6),
    /** Adam learning rate of the online updates; 0 switches learning off. Default 3e-4: the torque and the muscle default controllers both end exposure within 2× baseline (1e-4 left the muscle one at 3.7×; 3e-3, the training rate, overshoots within two updates). */
    learningRate: z.number().min(0).default(3e-4),
    /** Trials between online updates (each update learns from these trials). Default 4. */
    trialsPerUpdate: int.min(1).default(4),
    /** Go cue (s from trial start), trial length (s), endpoint measured this long after go (s). */
    goTime: z.number().positive().default(0.3),
    duration: z.number().positive().default(1.2),
    evalAfter: z.number().positive().default(0.8),
    /** Arm the closed loop runs on. Default matter. */
    engine: z.enum(['matter', 'analytic']).default('matter'),
    /** Seed of the trial order, the catch trials, the sensory noise and the learning's noise. */
    seed: int.default(1),
  })
  .strict();
export type AdaptationSpec = z.infer<typeof adaptationSpecSchema>;

export function parseAdaptationSpec(input: unknown, where = 'protocol spec'): AdaptationSpec {
  const r = adaptationSpecSchema.safeParse(input ?? {}, KEY_HINTS);
  if (!r.success) throw new Error(`invalid ${where}: ${formatIssues(r.error, '(spec)')}`);
  return r.data;
}

export type Phase = 'baseline' | 'exposure' | 'catch' | 'washout';
export const PHASES: readonly Phase[] = ['baseline', 'exposure', 'catch', 'washout'];

/** The perturbation as an intervention spec on the exposure block, catch trials excepted. */
export function perturbationSpec(protocol: AdaptationProtocol, s: AdaptationSpec): InterventionSpec {
  const first = s.baselineTrials;
  const last = first + s.exposureTrials - 1;
  const trials = { kind: 'range' as const, first, last };
  const exceptTrials = s.catchEvery > 0 ? { kind: 'catch' as const, every: s.catchEvery, seed: s.seed, within: [first, last] as [number, number] } : undefined;
  const iv: Intervention =
    protocol === 'curl-adaptation'
      ? { kind: 'hand-force', id: 'perturbation', field: s.field, trials, ...(exceptTrials ? { exceptTrials } : {}), window: { from: 'start', start: 0 } }
      : { kind: 'rotate-feedback', id: 'perturbation', angle: s.rotation, trials, ...(exceptTrials ? { exceptTrials } : {}), window: { from: 'start', start: 0 } };
  return parseInterventionSpec({ interventions: [iv] });
}

export interface AdaptationRun {
  protocol: AdaptationProtocol;
  spec: AdaptationSpec;
  interventions: InterventionSpec;
  trials: TrialBatch;
  recording: Recording;
  phase: Phase[];
  measures: TrialMeasures[];
  /** Online updates: after which trial, the batch loss. */
  updates: Array<{ afterTrial: number; loss: number; gradNorm: number }>;
  /** Weights at the end. */
  finalParams: Checkpoint['params'];
  seconds: { closedLoop: number; learning: number };
}

/** Run the protocol on the controller of `ck` (its weights are not changed: learning works on a copy). */
export async function runAdaptation(protocol: AdaptationProtocol, ck: Checkpoint, s: AdaptationSpec, progress: (m: string) => void = () => {}): Promise<AdaptationRun> {
  const N = s.baselineTrials + s.exposureTrials + s.washoutTrials;
  const trials = centerOutSequence(ck, N, s.goTime, s.duration, s.seed);
  if (s.goTime + s.evalAfter >= s.duration) throw new Error(`go time + evalAfter (${s.goTime} + ${s.evalAfter} s) must end before the ${s.duration} s trial does`);
  wholeSteps(s.evalAfter, trials.dt, 'protocol evalAfter');
  const interventions = perturbationSpec(protocol, s);
  const plan = planInterventions(interventions, N, ck.network.hidden);
  const exposed = plan.hits[0];
  const catchSet = new Set(s.catchEvery > 0 ? selectTrials(interventions.interventions[0].exceptTrials!, N) : []);
  const phase: Phase[] = Array.from({ length: N }, (_, i) => (i < s.baselineTrials ? 'baseline' : i < s.baselineTrials + s.exposureTrials ? (catchSet.has(i) ? 'catch' : 'exposure') : 'washout'));
  const learning = s.learningRate > 0 && protocol === 'curl-adaptation';
  const params = cloneParams(ck.params);
  const feedback = ck.config.feedback;
  const episodes = new Map<string, Episode>();
  let tf: typeof import('@tensorflow/tfjs') | null = null;
  const adam = createAdamState(params);
  const rng = createRng(s.seed + 7919);
  const updates: AdaptationRun['updates'] = [];
  const parts: Recording[] = [];
  const seconds = { closedLoop: 0, learning: 0 };
  try {
    for (let first = 0; first < N; ) {
      // Pieces end where the phase changes to baseline → exposure → washout, so that an update never mixes them.
      const blockEnd = first < s.baselineTrials ? s.baselineTrials : first < s.baselineTrials + s.exposureTrials ? s.baselineTrials + s.exposureTrials : N;
      const count = Math.min(s.trialsPerUpdate, blockEnd - first);
      const piece = sliceTrials(trials, first, count);
      let t0 = performance.now();
      parts.push(runClosedLoop(checkpointBody(ck), ck.network, params, piece, { engine: s.engine, feedback, interventions: plan, trialOffset: first }, s.seed));
      seconds.closedLoop += (performance.now() - t0) / 1000;
      const learnFrom: Array<{ i: number; field: ForceField }> = [];
      if (learning && first >= s.baselineTrials) {
        for (let i = first; i < first + count; i++) if (phase[i] !== 'catch') learnFrom.push({ i, field: exposed[i] ? s.field : NO_FIELD });
      }
      if (learnFrom.length > 0) {
        t0 = performance.now();
        if (!tf) tf = (await (await import('../../model/backend.ts')).initBackend('auto')).tf;
        const field = learnFrom[0].field;
        const key = `${learnFrom.length}:${field.kind}`;
        let ep = episodes.get(key);
        if (!ep) {
          const { Episode } = await import('../../model/episode.ts');
          ep = new Episode(tf, { arm: ck.arm, muscles: ck.muscles, network: ck.network, feedback, loss: ck.config.loss, substeps: ck.config.substeps, hiddenNoise: ck.config.hiddenNoise, handForce: field }, learnFrom.length, trials.steps);
          episodes.set(key, ep);
        }
        const r = ep.run(params, pickTrials(trials, learnFrom.map((l) => l.i)), rng, 'gradients');
        const gradNorm = clipGradients(r.grads!, ck.config.clip);
        if (Number.isFinite(gradNorm) && Number.isFinite(r.loss.total)) adamStep(params, r.grads!, adam, { lr: s.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        updates.push({ afterTrial: first + count - 1, loss: r.loss.total, gradNorm });
        seconds.learning += (performance.now() - t0) / 1000;
      }
      first += count;
      if (first % 40 < count) progress(`${first}/${N} trials (${phase[first - 1]})`);
    }
  } finally {
    for (const ep of episodes.values()) ep.dispose();
  }
  const recording = joinRecordings(trials, parts);
  const measures = Array.from({ length: N }, (_, b) => measureTrial(recording, b, s.evalAfter));
  return { protocol, spec: s, interventions, trials, recording, phase, measures, updates, finalParams: params, seconds };
}

/** Mean of the values at the listed indices. */
const meanAt = (v: number[], idx: number[]) => (idx.length ? idx.reduce((s, i) => s + v[i], 0) / idx.length : NaN);

export interface AdaptationAnalysis {
  protocol: AdaptationProtocol;
  trials: number;
  /** Trial indices of each phase. */
  phases: Record<Phase, number[]>;
  /** Per trial: phase, target condition, signed max perpendicular deviation (m, + = left of the reach), |deviation| (m), endpoint error (m). */
  perTrial: Array<{ trial: number; phase: Phase; condition: number; deviation: number; absDeviation: number; endpointError: number }>;
  /** Mean |deviation| (m): baseline, first and last `window` exposure trials, first `window` washout trials, and their ratios to baseline. */
  deviation: { window: number; baseline: number; earlyExposure: number; lateExposure: number; earlyWashout: number; earlyRatio: number; lateRatio: number };
  /** Mean signed deviation (m) of the first exposure trials, of the catch trials (early half, late half) and of the first washout trials; after-effects are mirror images when their sign is opposite to early exposure. */
  afterEffects: { earlyExposure: number; catchEarly: number; catchLate: number; earlyWashout: number; catchOpposite: boolean; washoutOpposite: boolean };
  /** Mean endpoint error (m) per phase. */
  endpointError: Record<Phase, number>;
  /** Exponential fit of |deviation| over exposure trials (x = trial number within the block). */
  learningCurve: ExponentialFit | null;
  /** Preparatory state (mean hidden state over the 100 ms before go) per target: late exposure minus baseline, against the initial readout. */
  preparatoryShift: PreparatoryShift | null;
  targets: { earlyAtLeast5xBaseline: boolean; lateAtMost2xBaseline: boolean; washoutOpposite: boolean };
  updates: AdaptationRun['updates'];
  seconds: AdaptationRun['seconds'];
}

/** The protocol's measures (see AdaptationAnalysis); `window` trials make an early or late mean. */
export function analyzeAdaptation(run: AdaptationRun, ck: Checkpoint, window = 8): AdaptationAnalysis {
  const { recording: rec, phase, measures } = run;
  const N = phase.length;
  const phases = Object.fromEntries(PHASES.map((p) => [p, phase.flatMap((q, i) => (q === p ? [i] : []))])) as Record<Phase, number[]>;
  const dev = measures.map((m) => m.deviation);
  const abs = dev.map(Math.abs);
  const exp = phases.exposure;
  const base = meanAt(abs, phases.baseline);
  const early = exp.slice(0, window);
  const late = exp.slice(-window);
  const washEarly = phases.washout.slice(0, window);
  const half = Math.ceil(phases.catch.length / 2);
  const earlySigned = meanAt(dev, early);
  const deviation = { window, baseline: base, earlyExposure: meanAt(abs, early), lateExposure: meanAt(abs, late), earlyWashout: meanAt(abs, washEarly), earlyRatio: meanAt(abs, early) / base, lateRatio: meanAt(abs, late) / base };
  const afterEffects = {
    earlyExposure: earlySigned,
    catchEarly: meanAt(dev, phases.catch.slice(0, half)),
    catchLate: meanAt(dev, phases.catch.slice(half)),
    earlyWashout: meanAt(dev, washEarly),
    catchOpposite: Math.sign(meanAt(dev, phases.catch.slice(half))) === -Math.sign(earlySigned),
    washoutOpposite: Math.sign(meanAt(dev, washEarly)) === -Math.sign(earlySigned),
  };
  const endpointError = Object.fromEntries(PHASES.map((p) => [p, meanAt(measures.map((m) => m.endpointError), phases[p])])) as Record<Phase, number>;
  const learningCurve = exp.length >= 3 ? fitExponential(exp.map((_, k) => k), exp.map((i) => abs[i])) : null;

  // Preparatory states: mean hidden state over the 100 ms before go, per target, baseline vs the last exposure trials.
  const { steps: T, dt } = rec.trials;
  const n = ck.network.hidden;
  const C = ck.config.task.targets;
  const prep = (idx: number[]) => {
    const sum = new Float64Array(C * n);
    const count = new Array<number>(C).fill(0);
    for (const b of idx) {
      const c = rec.trials.condition[b];
      const go = rec.trials.goStep[b];
      const from = Math.max(0, go - Math.round(0.1 / dt));
      for (let t = from; t < go; t++) for (let j = 0; j < n; j++) sum[c * n + j] += rec.hidden[(b * T + t) * n + j] / (go - from);
      count[c]++;
    }
    for (let c = 0; c < C; c++) for (let j = 0; j < n; j++) sum[c * n + j] /= Math.max(1, count[c]);
    return { sum, complete: count.every((k) => k > 0) };
  };
  const lateIdx = exp.slice(-Math.max(window, 3 * C));
  const before = prep(phases.baseline);
  const after = prep(lateIdx);
  const outputs = ck.network.outputs;
  const wOut = new Float64Array(outputs * n);
  for (let j = 0; j < n; j++) for (let o = 0; o < outputs; o++) wOut[o * n + j] = ck.params.Wout.data[j * outputs + o];
  const shift = before.complete && after.complete ? preparatoryShift(before.sum, after.sum, C, wOut, outputs) : null;
  return {
    protocol: run.protocol,
    trials: N,
    phases,
    perTrial: measures.map((m, i) => ({ trial: i, phase: phase[i], condition: rec.trials.condition[i], deviation: m.deviation, absDeviation: abs[i], endpointError: m.endpointError })),
    deviation,
    afterEffects,
    endpointError,
    learningCurve,
    preparatoryShift: shift,
    targets: { earlyAtLeast5xBaseline: deviation.earlyRatio >= 5, lateAtMost2xBaseline: deviation.lateRatio <= 2, washoutOpposite: afterEffects.washoutOpposite },
    updates: run.updates,
    seconds: run.seconds,
  };
}
