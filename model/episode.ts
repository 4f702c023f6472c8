/**
 * One batched episode of the closed loop network → actuator inputs (joint torques or muscle
 * excitations) → body → delayed feedback → network, run forward on the differentiable plant and
 * differentiated by hand-written backpropagation through time. The body (torque arm or arm26) enters
 * only through sim/'s interfaces: its state size, its actuator's inputs and proprioception.
 *
 * The cell (model/cells/) does its own step and vector–Jacobian product; this loop owns the plant, the
 * feedback routing, the losses and the readout. Each step makes one or two tfjs matMuls forward and as
 * many backward; elementwise work runs in JS; weight gradients are one large product over the whole
 * episode (model/README.md says why not tfjs autodiff).
 */
import type * as tfType from '@tensorflow/tfjs';
import { shapeSize } from '../core/npy.ts';
import { fillNormal, type Rng } from '../core/random.ts';
import type { MuscleSetParams } from '../sim/actuators/arm26-params.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { bodyOf, bodyStateSize, type Body } from '../sim/body.ts';
import { handPosition, handStateInto } from '../sim/dynamics.ts';
import { createFeedback, feedbackDelaySteps, feedbackSize, pushFeedback, type FeedbackOptions } from '../sim/feedback.ts';
import type { ForceField } from '../sim/force-fields.ts';
import { handStateJacobian } from '../sim/hand-jacobian.ts';
import { delayedIndex, FEEDBACK_OFFSET, noiseless, observationSize, observe } from '../sim/tasks/observation.ts';
import { phaseAt, type TrialBatch } from '../sim/tasks/task-spec.ts';
import { distancePenalty, emptyLoss, lossTotal, reachDirection, type LossComponents, type LossSpec } from './losses.ts';
import { cellOf, type Cell, type StepCache } from './cells/index.ts';
import { paramShapes, readout, readoutSlope, stateSize, type NetworkParams, type NetworkSpec } from './network.ts';
import { allocPlantJacobians, plantBackward, plantForward, type PlantJacobians } from './plant.ts';
import { createReadoutBackward, readoutBackwardFinish, readoutBackwardLoad, readoutBackwardRow, readoutBackwardStart, readoutBackwardStore, type ReadoutBackward } from './readout-backward.ts';
import { TfMatmul } from './tf-matmul.ts';

/** Everything an episode needs besides the weights and the trials. */
export interface EpisodeSetup {
  /** The body's skeleton. */
  arm: ArmParams;
  /** The body's muscles (plain data, so the setup posts to worker threads); absent or null: torque motors. */
  muscles?: MuscleSetParams | null;
  network: NetworkSpec;
  /** Sensory feedback delays (s) and noise. */
  feedback: FeedbackOptions;
  loss: LossSpec;
  /** RK4 substeps per control step in the training plant. */
  substeps: number;
  /** Std of Gaussian noise added to the hidden pre-activations each step (activity units). */
  hiddenNoise: number;
  /** External hand force on every trial (time from trial start, s), e.g. a curl field to adapt to. Default none. */
  handForce?: ForceField;
}

/** Gradients by parameter name, same shapes as the parameters. */
export type Gradients = Record<string, Float32Array>;

export interface EpisodeResult {
  loss: LossComponents;
  /** Mean hand-to-target distance over trials at the last step (m), catch trials excluded. */
  endpointError: number;
  /** The sum and count behind `endpointError`, for combining shards of a batch. */
  endpointSum: number;
  endpointCount: number;
}

/** How an episode's terms are scaled: what a shard of a larger batch needs. */
export interface EpisodeScaling {
  /** Trials the per-trial means run over (the whole batch when this episode is one shard of it). Default: the episode's batch. */
  meanOver?: number;
  /** Add the L2 weight penalty (once per batch: a shard leaves it to whoever sums the shards). Default true. */
  weightPenalty?: boolean;
}

/** Σ over the trials still holding at step t (t + 1 ≤ cueStep) and the outputs of the squared readout drive (W_out·h)² of hidden states h: [batch, hidden]. */
function holdDriveSquared(spec: NetworkSpec, params: NetworkParams, h: Float32Array, cueStep: Int32Array, t: number): number {
  const { hidden: n, outputs: no } = spec;
  const w = params.Wout.data;
  let sum = 0;
  for (let b = 0; b < cueStep.length; b++) {
    if (t + 1 > cueStep[b]) continue;
    for (let k = 0; k < no; k++) {
      let d = 0;
      for (let j = 0; j < n; j++) d += h[b * n + j] * w[j * no + k];
      sum += d * d;
    }
  }
  return sum;
}

/** What `Episode.run` computes besides the loss: nothing, the gradients, or the gradients and their flow back in time. */
export type EpisodeMode = 'forward' | 'gradients' | 'gradientFlow';

/** Forward/backward buffers for a fixed batch size and trial length. Owns tfjs tensors: dispose() it. */
export class Episode {
  readonly batch: number;
  readonly steps: number;
  private readonly mm: TfMatmul;
  private readonly S: Float64Array[];
  private readonly gS: Float64Array[];
  private readonly U: Float64Array[];
  private readonly jac: PlantJacobians[];
  private readonly cell: Cell;
  private readonly caches: StepCache[];
  private readonly scratch: unknown;
  private readonly tape: unknown;
  private readonly s0: Float32Array;
  private readonly x: Float32Array;
  private readonly noise: Float32Array;
  private readonly grads: Gradients;
  private readonly setup: EpisodeSetup;
  private readonly body: Body;
  /** Body state size and actuator inputs. */
  private readonly nx: number;
  private readonly nu: number;
  private readonly meanOver: number;
  private readonly addsWeightPenalty: boolean;
  /** One trial's joint state [q1, q2, q̇1, q̇2], copied out of a state row for the hand Jacobian (a subarray view would allocate). */
  private readonly q4 = new Float64Array(4);
  /** The last run's step from which each trial sees the go cue (its hold phase ends there): [batch]. */
  private readonly cueStep: Int32Array;
  private readonly readoutBackward: ReadoutBackward;

  constructor(tf: typeof tfType, setup: EpisodeSetup, batch: number, steps: number, scaling: EpisodeScaling = {}) {
    const { hidden: n, inputs: ni, outputs: no } = setup.network;
    const body = bodyOf(setup.arm, setup.muscles);
    this.body = body;
    this.nx = bodyStateSize(body);
    this.nu = body.actuator.nInputs;
    if (ni !== observationSize(body)) throw new Error(`network has ${ni} inputs but the task observation has ${observationSize(body)}`);
    if (no !== this.nu) throw new Error(`network has ${no} outputs but the ${body.name} body takes ${this.nu} inputs`);
    this.setup = setup;
    this.batch = batch;
    this.steps = steps;
    this.meanOver = scaling.meanOver ?? batch;
    this.addsWeightPenalty = scaling.weightPenalty ?? true;
    if (!(this.meanOver >= batch)) throw new Error(`an episode of ${batch} trials cannot average over ${this.meanOver}`);
    this.mm = new TfMatmul(tf);
    this.S = Array.from({ length: steps + 1 }, () => new Float64Array(batch * this.nx));
    this.gS = Array.from({ length: steps + 1 }, () => new Float64Array(batch * this.nx));
    this.U = Array.from({ length: steps }, () => new Float64Array(batch * this.nu));
    this.jac = Array.from({ length: steps }, () => allocPlantJacobians(batch, body));
    const cell = cellOf(setup.network);
    this.cell = cell;
    this.caches = Array.from({ length: steps }, () => cell.createCache(setup.network, batch));
    this.scratch = cell.createScratch(setup.network, batch);
    this.tape = cell.createTape(setup.network, batch, steps);
    this.s0 = new Float32Array(batch * stateSize(setup.network));
    this.x = new Float32Array(batch * ni);
    this.noise = new Float32Array(batch * n);
    this.cueStep = new Int32Array(batch);
    this.readoutBackward = createReadoutBackward(n, no, stateSize(setup.network) / n, batch);
    this.grads = {};
    for (const [name, shape] of Object.entries(paramShapes(setup.network))) {
      this.grads[name] = new Float32Array(shapeSize(shape));
    }
  }

  /**
   * Run the episode. With `mode` 'gradients', also backpropagate and return ∂loss/∂params (the returned
   * arrays are reused by the next call); with 'gradientFlow', also ‖∂loss/∂h_t‖ over the batch for each
   * step t (the error signal reaching the hidden output of step t, all later steps included), and its
   * square before the root in `gradientFlowSquared` (shards of a batch add those).
   */
  run(params: NetworkParams, trials: TrialBatch, rng: Rng | null, mode: EpisodeMode): EpisodeResult & { grads?: Gradients; gradientFlow?: number[]; gradientFlowSquared?: Float64Array } {
    const gradients = mode !== 'forward';
    const { arm, network: spec, loss: ls, substeps, hiddenNoise } = this.setup;
    const body = this.body;
    const nx = this.nx;
    const B = this.batch;
    const T = this.steps;
    if (trials.batch !== B || trials.steps !== T) throw new Error(`episode is ${B}×${T}, trials are ${trials.batch}×${trials.steps}`);
    const n = spec.hidden;
    const dt = spec.dt;
    const reactionSteps = Math.round(ls.reactionWindow / dt);
    const settleSteps = Math.round(ls.settleTime / dt);
    this.mm.setWeights(params, this.cell.matrices);
    const S0 = this.S[0];
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 4; k++) S0[b * nx + k] = trials.x0[b * 4 + k];
      body.actuator.restState(S0, b * nx + 4);
    }
    for (const g of this.gS) g.fill(0);

    const feedback = createFeedback(body, rng ? this.setup.feedback : noiseless(this.setup.feedback), dt, trials.x0, B);
    const fbScratch = new Float64Array(B * feedbackSize(body));
    const loss = emptyLoss();
    this.cueStep.set(trials.cueStep);
    const norm = 1 / (this.meanOver * T);
    const dirs = new Float64Array(B * 2);
    for (let b = 0; b < B; b++) dirs.set(reachDirection(trials.start, trials.target, b), b * 2);
    const hj = new Float64Array(16);
    const hand = new Float64Array(4);
    const q4 = this.q4;
    const g2 = new Float64Array(2);
    const gv = new Float64Array(2);
    let sPrev = this.s0;
    for (let t = 0; t < T; t++) {
      observe(feedback, t, trials.target, trials.cueStep, rng ?? undefined, fbScratch, this.x);
      let noise: Float32Array | undefined;
      if (rng && hiddenNoise > 0) noise = fillNormal(rng, this.noise, 0, hiddenNoise);
      const cache = this.caches[t];
      this.cell.forward(spec, params, this.mm.matmul, sPrev, this.x, B, cache, this.scratch, noise);
      readout(spec, params, cache.h, B, this.U[t]);
      plantForward(body, this.S[t], this.U[t], B, dt, substeps, this.S[t + 1], this.jac[t], { handForce: this.setup.handForce, t: t * dt });
      pushFeedback(feedback, this.S[t + 1]);
      sPrev = cache.state;

      const s = t + 1;
      const S1 = this.S[s];
      for (let b = 0; b < B; b++) {
        handStateInto(arm, S1[b * nx], S1[b * nx + 1], S1[b * nx + 2], S1[b * nx + 3], hand, 0);
        const phase = phaseAt(s, trials.cueStep[b], reactionSteps, settleSteps);
        const ux = dirs[b * 2];
        const uy = dirs[b * 2 + 1];
        g2[0] = 0;
        g2[1] = 0;
        gv[0] = 0;
        gv[1] = 0;
        if (phase === 'hold' && ls.hold > 0) {
          loss.hold += distancePenalty(hand[0], hand[1], trials.start[b * 2], trials.start[b * 2 + 1], ux, uy, ls.epsilon, ls.hold * norm, g2);
        } else if (phase === 'reach' || phase === 'stay') {
          const stay = phase === 'stay';
          const w = stay ? (ls.stay ?? ls.position) : ls.position;
          const eps = stay ? (ls.stayEpsilon ?? ls.epsilon) : ls.epsilon;
          if (w > 0) loss.position += distancePenalty(hand[0], hand[1], trials.target[b * 2], trials.target[b * 2 + 1], ux, uy, eps, w * norm, g2, stay ? 1 : ls.lateralFactor);
        }
        // Speed is charged while the hand should be still: before go, and once it has had time to settle.
        const still = (phase === 'hold' || phase === 'stay') && ls.speed > 0;
        if (still) {
          loss.speed += distancePenalty(hand[2], hand[3], 0, 0, ux, uy, ls.speedEpsilon, ls.speed * norm, gv);
        }
        if (gradients && (phase !== 'free' || still)) {
          const o = b * nx;
          q4[0] = S1[o];
          q4[1] = S1[o + 1];
          q4[2] = S1[o + 2];
          q4[3] = S1[o + 3];
          handStateJacobian(arm, q4, hj);
          for (let k = 0; k < 4; k++) this.gS[s][b * nx + k] += hj[k] * g2[0] + hj[4 + k] * g2[1] + hj[8 + k] * gv[0] + hj[12 + k] * gv[1];
        }
      }
      const u = this.U[t];
      let e = 0;
      for (let i = 0; i < u.length; i++) e += u[i] * u[i];
      loss.effort += ls.effort * e * norm;
      const h = cache.h;
      let a = 0;
      for (let i = 0; i < h.length; i++) a += h[i] * h[i];
      loss.activity += (ls.activity * a * norm) / n;
      if (ls.holdDrive > 0) loss.effort += ls.holdDrive * norm * holdDriveSquared(spec, params, h, trials.cueStep, t);
    }
    if (this.addsWeightPenalty) loss.weight = weightPenalty(spec, ls, params, null);
    loss.total = lossTotal(loss);

    let endpointError = 0;
    let counted = 0;
    for (let b = 0; b < B; b++) {
      if (trials.isCatch[b]) continue;
      const hs = handPosition(arm, this.S[T][b * nx], this.S[T][b * nx + 1]);
      endpointError += Math.hypot(hs[0] - trials.target[b * 2], hs[1] - trials.target[b * 2 + 1]);
      counted++;
    }
    const ends = { endpointError: counted ? endpointError / counted : NaN, endpointSum: endpointError, endpointCount: counted };
    if (!gradients) return { loss, ...ends };
    const flow = mode === 'gradientFlow' ? new Float64Array(T) : null;
    this.backward(params, norm, flow);
    return { loss, ...ends, grads: this.grads, ...(flow ? { gradientFlow: Array.from(flow, Math.sqrt), gradientFlowSquared: flow } : {}) };
  }

  private backward(params: NetworkParams, norm: number, flow: Float64Array | null): void {
    const { network: spec, loss: ls } = this.setup;
    const B = this.batch;
    const T = this.steps;
    const { hidden: n, inputs: ni, outputs: no } = spec;
    const g = this.grads;
    for (const a of Object.values(g)) a.fill(0);
    const wout = params.Wout.data;
    const gbout = g.bout;
    const S = stateSize(spec);
    const rb = this.readoutBackward;
    readoutBackwardStart(rb, wout);
    // ∂L/∂s_t: the output h is the first `n` entries of each state row.
    let gs = new Float32Array(B * S);
    let gsPrev = new Float32Array(B * S);
    const gTau = new Float64Array(B * no);
    const gx = new Float32Array(B * ni);
    const hj = new Float64Array(16);
    // The actuator's sense Jacobian (senses × 4), then its sense values (unused here).
    const sj = new Float64Array(5 * this.body.actuator.senses.length);
    const effortScale = 2 * ls.effort * norm;
    const activityScale = (2 * ls.activity * norm) / n;
    const driveScale = 2 * ls.holdDrive * norm;
    const gu64 = new Float64Array(no);

    for (let t = T - 1; t >= 0; t--) {
      plantBackward(this.jac[t], this.gS[t + 1], B, this.gS[t], gTau);
      const u = this.U[t];
      const h = this.caches[t].h;
      // Readout and activity terms, trial by trial, the units two at a time (model/readout-backward.ts);
      // each float32 sum takes its terms in the order of the output-by-output loop it replaced.
      readoutBackwardLoad(rb, gs, h);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < no; k++) {
          const uk = u[b * no + k];
          const gu = (gTau[b * no + k] + effortScale * uk) * readoutSlope(spec, uk);
          gbout[k] += gu;
          gu64[k] = gu;
        }
        // The hold drive W_out·h of a state that must still be at the start (t + 1 ≤ cue step) adds 2·w·(W_out·h) to ∂L/∂(W_out·h).
        if (driveScale > 0 && t + 1 <= this.cueStep[b]) {
          for (let k = 0; k < no; k++) {
            let d = 0;
            for (let j = 0; j < n; j++) d += h[b * n + j] * wout[j * no + k];
            gu64[k] += driveScale * d;
          }
        }
        readoutBackwardRow(rb, b, gu64, activityScale);
      }
      readoutBackwardStore(rb, gs);
      if (flow) {
        let sq = 0;
        for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) sq += gs[b * S + j] ** 2;
        flow[t] = sq;
      }

      const sPrev = t === 0 ? this.s0 : this.caches[t - 1].state;
      this.cell.backward(spec, this.mm, this.tape, t, B, sPrev, this.caches[t], gs, gsPrev, gx, g);
      this.feedbackBackward(t, gx, ni, hj, sj);
      const tmp = gs;
      gs = gsPrev;
      gsPrev = tmp;
    }

    readoutBackwardFinish(rb, g.Wout);
    this.cell.finish(this.tape, g);
    if (this.addsWeightPenalty) weightPenalty(spec, ls, params, g);
  }

  /**
   * Route ∂loss/∂observation (rows of width `stride`, observation first) back to the delayed body states:
   * proprioceptive channels through the actuator's sense Jacobian (the identity for joint sensing),
   * visual channels through the hand-state Jacobian.
   */
  private feedbackBackward(t: number, gx: Float32Array, stride: number, hj: Float64Array, sj: Float64Array): void {
    const { arm, feedback, network } = this.setup;
    const nx = this.nx;
    const act = this.body.actuator;
    const nSense = act.senses.length;
    const q4 = this.q4;
    const delays = feedbackDelaySteps(feedback, network.dt);
    const sv = delayedIndex(t, delays.vision);
    const sp = delayedIndex(t, delays.proprioception);
    const Sv = this.S[sv];
    const Sp = this.S[sp];
    const gSv = this.gS[sv];
    const gSp = this.gS[sp];
    const proprio = FEEDBACK_OFFSET;
    const vision = FEEDBACK_OFFSET + nSense;
    for (let b = 0; b < this.batch; b++) {
      const o = b * stride;
      const xo = b * nx;
      for (let k = 0; k < 4; k++) q4[k] = Sv[xo + k];
      handStateJacobian(arm, q4, hj);
      act.sense(Sp[xo], Sp[xo + 1], Sp[xo + 2], Sp[xo + 3], sj, 4 * nSense, sj);
      for (let k = 0; k < 4; k++) {
        let s = 0;
        for (let i = 0; i < 4; i++) s += hj[i * 4 + k] * gx[o + vision + i];
        gSv[xo + k] += s;
        let p = 0;
        for (let c = 0; c < nSense; c++) p += sj[c * 4 + k] * gx[o + proprio + c];
        gSp[xo + k] += p;
      }
    }
  }

  dispose(): void {
    this.mm.dispose();
  }
}

/** The weight matrices subject to the L2 penalty (biases are not). */
export function weightNames(spec: NetworkSpec): string[] {
  return [...cellOf(spec).matrices, 'Wout'];
}

/** The L2 weight penalty of `params`; with `grads`, also adds its gradient to them. */
export function weightPenalty(spec: NetworkSpec, ls: LossSpec, params: NetworkParams, grads: Record<string, Float32Array | Float64Array> | null): number {
  let loss = 0;
  for (const name of weightNames(spec)) {
    const p = params[name].data;
    let w = 0;
    for (const v of p) w += v * v;
    loss += ls.weight * w;
    if (!grads) continue;
    const gw = grads[name];
    for (let i = 0; i < p.length; i++) gw[i] += 2 * ls.weight * p[i];
  }
  return loss;
}
