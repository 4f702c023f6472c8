/**
 * Run-directory analysis on a synthetic run with planted structure, where every answer is known:
 * - movement units carry a rotation z(s) = [cos(θ + ω(s + 0.05)), sin(…)] (f = 2 Hz) from 50 ms before
 *   movement onset, embedded isotropically (QᵀQ = 4·I) so the hidden state moves on a circle;
 * - movement onset differs between repeats (0, 30, 60 ms later), so only onset alignment recovers it;
 * - their loadings point along x (4 units) or y (16 units), so preferred directions are bimodal;
 * - preparatory units hold tanh(U·x + b), the fixed point of a network with W = 0 under the hold
 *   input, in units the readout does not see (output-null) and the movement does not use;
 * - torques oscillate along the target direction, passing through zero with opposite velocities;
 * - the hand follows a minimum-jerk path.
 */
import { Command } from 'commander';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../experiments/cli/analyze.ts';
import { readRunDir, writeRunDir, type RunArray, type TrialRecord } from '../../experiments/run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS, type RunAnalysis } from '../../experiments/run-analysis.ts';
import { minimumJerkShape } from '../../model/analysis/kinematics.ts';
import { serializeCheckpoint, type Checkpoint } from '../../model/checkpoint.ts';
import { networkSpecSchema, paramShapes, type NetworkParams } from '../../model/network.ts';
import { parseTrainConfig, resolveArm } from '../../model/train.ts';

const dt = 0.01;
const T = 100;
const REPEATS = 3;
const C = 8;
const MOVE_UNITS = 20;
const PREP_UNITS = 6;
const U = MOVE_UNITS + PREP_UNITS;
const N_IN = 11;
const F_HZ = 2;
const OMEGA = 2 * Math.PI * F_HZ;
const GO = 0.3;
const START: [number, number] = [0, 0.4];
const REACH = 0.1;
const REACH_TIME = 0.4;

/** Loading of movement unit u on z: 4 strong units along x, 16 weaker ones along y (Σ a² cos² = Σ a² sin² = 4). */
const loading = (u: number): [number, number] => {
  if (u < 4) return [u % 2 === 0 ? 1 : -1, 0];
  return [0, u % 2 === 0 ? 0.5 : -0.5];
};
const bias = (u: number) => 0.1 * ((u % 7) - 3);
/** Input weights of preparatory unit u on target x and y (the network's U; W = 0). */
const prepWeights = (u: number): [number, number] => [4 * Math.cos(u), 4 * Math.sin(u)];

function planted(): { arrays: RunArray[]; trials: TrialRecord[]; network: Checkpoint['network']; params: NetworkParams } {
  const B = C * REPEATS;
  const hidden = new Float32Array(B * T * U);
  const torques = new Float32Array(B * T * 2);
  const inputs = new Float32Array(B * T * N_IN);
  const pos = new Float32Array(B * T * 2);
  const vel = new Float32Array(B * T * 2);
  const targets = new Float32Array(B * 2);
  const trials: TrialRecord[] = [];
  const tauA = (1 - Math.sqrt(1 - Math.sqrt(0.1))) / 2;
  for (let b = 0; b < B; b++) {
    const c = b % C;
    const r = Math.floor(b / C);
    const theta = (c * Math.PI) / 4;
    const onset = 0.4 + 0.03 * r;
    const target: [number, number] = [START[0] + REACH * Math.cos(theta), START[1] + REACH * Math.sin(theta)];
    targets.set(target, b * 2);
    const t0 = onset - tauA * REACH_TIME;
    for (let t = 0; t < T; t++) {
      const time = t * dt;
      const s = time - onset;
      const moving = s >= -0.05 - 1e-9;
      const z = [Math.cos(theta + OMEGA * (s + 0.05)), Math.sin(theta + OMEGA * (s + 0.05))];
      const o = (b * T + t) * U;
      for (let u = 0; u < MOVE_UNITS; u++) {
        const q = loading(u);
        hidden[o + u] = Math.tanh(bias(u)) + (moving ? q[0] * z[0] + q[1] * z[1] : 0);
      }
      for (let k = 0; k < PREP_UNITS; k++) {
        const u = MOVE_UNITS + k;
        const w = prepWeights(u);
        hidden[o + u] = moving ? Math.tanh(bias(u)) : Math.tanh(w[0] * target[0] + w[1] * target[1] + bias(u));
      }
      const osc = moving ? 0.5 * Math.sin(2 * Math.PI * 3 * (s + 0.05)) : 0;
      torques[(b * T + t) * 2] = osc * Math.cos(theta);
      torques[(b * T + t) * 2 + 1] = osc * Math.sin(theta);
      inputs[(b * T + t) * N_IN] = target[0];
      inputs[(b * T + t) * N_IN + 1] = target[1];
      inputs[(b * T + t) * N_IN + 2] = time < GO ? 1 : 0;
      const tau = Math.min(1, Math.max(0, (time - t0) / REACH_TIME));
      const shape = minimumJerkShape(tau);
      const speed = tau > 0 && tau < 1 ? (REACH * 30 * tau * tau * (1 - tau) * (1 - tau)) / REACH_TIME : 0;
      pos[(b * T + t) * 2] = START[0] + REACH * shape * Math.cos(theta);
      pos[(b * T + t) * 2 + 1] = START[1] + REACH * shape * Math.sin(theta);
      vel[(b * T + t) * 2] = speed * Math.cos(theta);
      vel[(b * T + t) * 2 + 1] = speed * Math.sin(theta);
    }
    trials.push({ trial: b, condition: c, target, start: START, target_angle: theta, go_time: GO, movement_onset: onset, endpoint_error: 0, catch: false, start_time: b * T * dt, stop_time: (b + 1) * T * dt });
  }
  // Readout on one x-unit and one y-unit only: the preparatory units are output-null by construction.
  const readoutW = new Float32Array(2 * U);
  readoutW[0] = 1;
  readoutW[4] = 0.5;
  readoutW[U + 4] = 1;
  readoutW[U] = -0.3;
  const per = (name: string, data: Float32Array, last: number, lastAxis: string, unit: string): RunArray => ({ name, data, shape: [B, T, last], unit, axes: ['trials', 'times', lastAxis], description: name });
  const arrays: RunArray[] = [
    { name: 'times', data: Float64Array.from({ length: T }, (_, i) => i * dt), shape: [T], unit: 's', axes: ['times'], description: 'time' },
    per('inputs', inputs, N_IN, 'inputs', 'mixed'),
    per('hidden', hidden, U, 'units', 'a.u.'),
    per('torques', torques, 2, 'joints', 'N*m'),
    per('hand_position', pos, 2, 'xy', 'm'),
    per('hand_velocity', vel, 2, 'xy', 'm/s'),
    { name: 'targets', data: targets, shape: [B, 2], unit: 'm', axes: ['trials', 'xy'], description: 'targets' },
    { name: 'readout_weights', data: readoutW, shape: [2, U], unit: 'N*m', axes: ['outputs', 'units'], description: 'readout' },
  ];
  const network = networkSpecSchema.parse({ kind: 'rnn', hidden: U, inputs: N_IN, tau: 0.05, dt });
  const params: NetworkParams = {};
  for (const [name, shape] of Object.entries(paramShapes(network))) params[name] = { shape, data: new Float32Array(shape.reduce((a, v) => a * v, 1)) };
  for (let u = 0; u < U; u++) params.b.data[u] = bias(u);
  for (let k = 0; k < PREP_UNITS; k++) {
    const u = MOVE_UNITS + k;
    const w = prepWeights(u);
    params.Wx.data[0 * U + u] = w[0];
    params.Wx.data[1 * U + u] = w[1];
  }
  return { arrays, trials, network, params };
}

let dir: string;
let ckPath: string;
let result: RunAnalysis;
let net: ReturnType<typeof planted>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reach-analyze-run-'));
  net = planted();
  const config = parseTrainConfig({ network: { hidden: U } });
  const ck: Checkpoint = {
    packageVersion: 'test',
    backend: 'none',
    config,
    arm: resolveArm(config.arm),
    network: net.network,
    params: net.params,
    training: { iterations: 0, finalLoss: { position: 0, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 0 }, endpointError: 0 },
  };
  ckPath = join(dir, 'planted-controller.json');
  writeFileSync(ckPath, serializeCheckpoint(ck));
  writeRunDir(join(dir, 'run'), { config: { checkpoint: { path: ckPath }, options: { task: 'center-out', engine: 'matter', repeats: REPEATS } }, dt, arrays: net.arrays, trials: net.trials });
  result = analyzeRun(readRunDir(join(dir, 'run')), {
    ...DEFAULT_RUN_ANALYSIS_OPTIONS,
    jpcaPcs: 2,
    alignmentDims: 2,
    alignmentSamples: 200,
    tanglingWindow: [-0.05, 0.5],
    checkpoint: ck,
    checkpointPath: ckPath,
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyzeRun on a planted run directory', () => {
  it('aligns every trial on its own movement onset and averages the repeats of each target', () => {
    expect(result.run.conditions).toBe(C);
    expect(result.conditions.every((c) => c.trials.length === REPEATS)).toBe(true);
    expect(result.alignment.eventIndex.find((e) => e.trial === C)!.index).toBe(43);
    expect(result.alignment.eventIndex.find((e) => e.trial === 2 * C)!.index).toBe(46);
    expect(result.alignment.goFallbackTrials).toEqual([]);
  });

  it('jPCA recovers the planted rotation: frequency sin(ωdt)/(2π·dt) and R²_skew = (1 + cos ωdt)/2 for a discrete rotation', () => {
    const j = result.jpca;
    const wdt = OMEGA * dt;
    // dx = (R − I)x: M_best fits exactly; the skew fit keeps sin(ωdt) and misses the (cos ωdt − 1) diagonal.
    expect(j.R2_Mbest_kD).toBeCloseTo(1, 6);
    expect(j.R2_Mskew_kD).toBeCloseTo((1 + Math.cos(wdt)) / 2, 5);
    expect(j.rotationHz).toBeCloseTo(Math.sin(wdt) / (2 * Math.PI * dt), 4);
  });

  it('tuning: movement units are cosine-tuned with the planted preferred directions, bimodally; constant units are not', () => {
    const t = result.tuning;
    // Mean over the tuning window of R(ω(s + 0.05)) is a scaled rotation by φ̄: PD = loading angle − φ̄.
    let cs = 0;
    let sn = 0;
    let n = 0;
    for (let s = 0; s <= 0.2 + 1e-9; s += dt) {
      cs += Math.cos(OMEGA * (s + 0.05));
      sn += Math.sin(OMEGA * (s + 0.05));
      n++;
    }
    const phiBar = Math.atan2(sn, cs);
    const depthScale = Math.hypot(cs, sn) / n;
    for (let u = 0; u < MOVE_UNITS; u++) {
      const q = loading(u);
      const expected = Math.atan2(q[1], q[0]) - phiBar;
      const diff = Math.atan2(Math.sin(t.preferredDirection[u] - expected), Math.cos(t.preferredDirection[u] - expected));
      expect(Math.abs(diff)).toBeLessThan(1e-4);
      expect(t.modulationDepth[u]).toBeCloseTo(Math.hypot(q[0], q[1]) * depthScale, 5);
    }
    expect(t.fractionTuned).toBeCloseTo(MOVE_UNITS / U, 12);
    // Doubled PDs: 16 units at 180° − 2φ̄, 4 at −2φ̄ ⇒ r̄ = 12/20; the ordinary directions cancel.
    expect(t.pdAxial!.meanResultantLength).toBeCloseTo(0.6, 5);
    expect(t.pdAxial!.p).toBeLessThan(1e-3);
    const axis = (((Math.PI / 2 - phiBar) % Math.PI) + Math.PI) % Math.PI;
    expect(Math.abs(Math.sin(t.pdAxial!.meanAxis - axis))).toBeLessThan(1e-4);
    expect(t.pdUniform!.meanResultantLength).toBeLessThan(1e-5);
    // The strongest-tuned units are the four with twice the loading.
    expect([...t.exampleUnits.slice(0, 4)].sort()).toEqual([0, 1, 2, 3]);
  });

  it('tangling: the circular hidden trajectory obeys its analytic bound while the torques, crossing zero with opposite velocities, are far more tangled', () => {
    // On a circle at angular speed ω the backward-difference derivative is S·x with ‖S‖ = σ = 2 sin(ωdt/2)/dt, so
    // pairs of ordinary points give Q ≤ σ². The first bin of each condition takes the next bin's derivative
    // (tangleAnalysis.m), i.e. S·x₁ at x₀; against it Q ≤ σ²·max_d (d + δ)²/(d² + ε) = σ²(1 + δ²/ε), δ = ‖x₁ − x₀‖.
    const h = result.tangling.hidden;
    const sigma2 = (2 * Math.sin((OMEGA * dt) / 2) / dt) ** 2;
    const radius = 2; // QᵀQ = 4·I
    const delta2 = (2 * radius * Math.sin((OMEGA * dt) / 2)) ** 2;
    expect(h.summary.max).toBeLessThanOrEqual(sigma2 * (1 + delta2 / h.epsilon) * (1 + 1e-6));
    expect(h.summary.max).toBeGreaterThan(sigma2 * 0.9);
    expect(result.tangling.fractionTorqueMoreTangled).toBeGreaterThan(0.9);
    expect(result.tangling.medianRatio).toBeGreaterThan(3);
  });

  it('subspaces: preparation is entirely output-null and orthogonal to movement (alignment index 0), unlike random subspaces', () => {
    const s = result.subspaces;
    expect(s.readoutRank).toBe(2);
    expect(s.prep.potentVariance).toBe(0);
    expect(s.prep.nullFraction).toBe(1);
    expect(s.move.potentFraction).toBeGreaterThan(0.05);
    expect(s.alignment.index).toBeLessThan(1e-9);
    expect(s.alignment.random.mean).toBeGreaterThan(0.05);
    expect(s.alignment.fractionRandomBelow).toBe(0);
  });

  it('kinematics: minimum-jerk reaches of 10 cm, single-peaked', () => {
    expect(result.kinematics.meanReachLength).toBeCloseTo(REACH, 6);
    expect(result.kinematics.meanMinJerkCorrelation).toBeGreaterThan(0.999);
    expect(result.kinematics.singlePeakedFraction).toBe(1);
  });

  it('fixed points: with W = 0 the hold-input fixed point is tanh(U·x* + b), the recorded preparatory state, stable with |λ| = 1 − α', () => {
    const fp = result.fixedPoints;
    if (!('conditions' in fp)) throw new Error(`fixed points skipped: ${fp.skipped}`);
    expect(fp.conditions.length).toBe(C);
    for (const c of fp.conditions) {
      const fixed = c.points.filter((p) => p.isFixedPoint);
      expect(fixed.length).toBe(1);
      expect(fixed[0].stable).toBe(true);
      expect(fixed[0].maxAbsEigenvalue).toBeCloseTo(1 - dt / 0.05, 6);
      // float32 storage of the recorded activity limits the agreement.
      expect(fixed[0].distanceToPrepState).toBeLessThan(1e-5);
    }
    expect(fp.summary.meanPrepSpread).toBeGreaterThan(0.5);
  });
});

async function reach(args: string[]): Promise<void> {
  const program = new Command('reach').exitOverride();
  register(program);
  await program.parseAsync(['node', 'reach', 'analyze', ...args]);
}

describe('reach analyze --run', () => {
  it('writes analysis.json, one SVG per figure with unit-bearing axis titles, and a self-contained report.html', async () => {
    const out = join(dir, 'out');
    const logPath = join(dir, 'log.json');
    writeFileSync(logPath, JSON.stringify({ iterations: Array.from({ length: 30 }, (_, i) => ({ iteration: i + 1, loss: { position: 1 / (i + 1), hold: 0.1, effort: 1e-4, activity: 1e-3, weight: 1e-5, total: 1 / (i + 1) + 0.1 }, endpointError: 0.01 })) }));
    await reach(['--run', join(dir, 'run'), '--out', out, '--pcs', '2', '--alignment-dims', '2', '--log', logPath]);
    const analysis = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(analysis.kind).toBe('reach-run-analysis');
    expect(analysis.fixedPoints.checkpoint).toBe(ckPath);
    expect(analysis.jpca.R2_Mbest_kD).toBeCloseTo(1, 5);

    const figures = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.svg')).sort();
    expect(figures).toEqual(
      ['alignment-index', 'fixed-points', 'hand-paths', 'jpc-plane', 'loss-curve', 'output-null', 'pc-trajectories', 'pd-rose', 'speed-profiles', 'tangling', 'tuning-curves'].map((f) => `${f}.svg`),
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const tag of ['html', 'head', 'body', 'table', 'style']) expect(html.split(`<${tag}`).length - 1, tag).toBe(html.split(`</${tag}>`).length - 1);
    // Self-contained: no scripts, no external stylesheets or images.
    expect(html).not.toMatch(/<script|<link|<img|src=/i);
    const figureBlocks = html.split('<figure ').slice(1);
    expect(figureBlocks.length).toBe(figures.length);
    for (const block of figureBlocks) {
      const id = block.match(/id="fig-([^"]+)"/)![1];
      expect(block.split('<svg').length - 1, id).toBe(1);
      expect(block).toContain('<figcaption>');
      const svg = block.slice(block.indexOf('<svg'), block.indexOf('</svg>') + 6);
      if (id === 'pd-rose') {
        // Polar plot: no axes; the directions are labelled and the title says what the radius is.
        for (const label of ['0°', '90°', '180°', '270°']) expect(svg).toContain(`>${label}<`);
        expect(svg).toMatch(/radius = units per/);
        continue;
      }
      const titles = [...svg.matchAll(/role-axis-title[\s\S]*?<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
      expect(titles.length, id).toBeGreaterThanOrEqual(2);
      // Quantitative axes carry their unit in parentheses; the one categorical axis names its categories.
      for (const t of titles.filter((x) => x !== 'subspace of the readout')) expect(t, `${id}: axis title '${t}' names a unit`).toMatch(/\(.+\)/);
    }
    expect(html).toContain('Fixed points per target');
  });

  it('rejects a missing run directory, --input and --run together, and --input-only flags with --run', async () => {
    await expect(reach(['--run', join(dir, 'nope')])).rejects.toThrow(/does not exist/);
    await expect(reach(['--run', join(dir, 'run'), '--input', 'x.npy'])).rejects.toThrow(/exactly one of --input/);
    await expect(reach(['--run', join(dir, 'run'), '--dt', '0.01'])).rejects.toThrow(/only with --input.*--dt/);
    await expect(reach(['--run', join(dir, 'run'), '--jpca-window', '0.2,0.1'])).rejects.toThrow(/--jpca-window/);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});
