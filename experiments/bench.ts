/**
 * Benchmarks: training milliseconds per iteration at the standard configuration (leaky RNN, 128 units,
 * batch 64, 100 steps of 10 ms, torque-driven arm) and for the GRU and LSTM, simulation steps per second of the
 * analytic and matter-js arms, and closed-loop trials per second. Wall-clock figures belong here, never
 * in tests.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import type { CellKind } from '../model/cells/index.ts';
import type { Checkpoint } from '../model/checkpoint.ts';
import { initTrainState, parseTrainConfig, train } from '../model/train.ts';
import { getArmPreset } from '../sim/arm-params.ts';
import { stepArm } from '../sim/dynamics.ts';
import { createMatterArm } from '../sim/matter-arm.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment } from './run.ts';

export interface BenchResult {
  backend: BackendName;
  node: string;
  /** Median training ms per iteration, leaky RNN standard configuration. */
  trainRnnMsPerIteration: number;
  /** Median training ms per iteration, GRU at the same sizes. */
  trainGruMsPerIteration: number;
  /** Median training ms per iteration, LSTM at the same sizes. */
  trainLstmMsPerIteration: number;
  /** Analytic arm, 10 ms control steps (1 RK4 substep) per second. */
  analyticStepsPerSecond: number;
  /** Analytic arm, 10 ms control steps with 10 RK4 substeps (1 ms) per second. */
  analyticSubsteppedStepsPerSecond: number;
  /** matter-js arm, 10 ms control steps (10 engine updates of 1 ms) per second. */
  matterStepsPerSecond: number;
  /** Closed-loop center-out trials (1.4 s each, matter-js arm) per second. */
  closedLoopTrialsPerSecond: number;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function trainingMs(tf: typeof tfType, kind: CellKind, iterations: number, warmup: number): Promise<number> {
  const config = parseTrainConfig({
    seed: 1,
    iterations: iterations + warmup,
    batch: 64,
    network: { kind, hidden: 128 },
    task: { kind: 'mixed', duration: 1, dt: 0.01 },
    checkpointEvery: 0,
  });
  const state = initTrainState(config);
  await train(tf, config, state);
  return median(state.log.slice(warmup).map((e) => e.ms));
}

function rate(fn: () => number, seconds: number): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) n += fn();
  return n / ((performance.now() - t0) / 1000);
}

export async function runBench(tf: typeof tfType, backend: BackendName, ck: Checkpoint, opts: { iterations: number; seconds: number }): Promise<BenchResult> {
  const arm = getArmPreset('motornet');
  const tau = new Float64Array([0.5, -0.3]);
  const x = new Float64Array([0.8, 1.2, 0, 0]);
  const analytic = (substeps: number) =>
    rate(() => {
      x.set([0.8, 1.2, 0, 0]);
      for (let i = 0; i < 1000; i++) stepArm(arm, x, tau, 0.01, x, { substeps });
      return 1000;
    }, opts.seconds);
  const analyticStepsPerSecond = analytic(1);
  const analyticSubsteppedStepsPerSecond = analytic(10);
  const matter = createMatterArm(arm, { q0: [0.8, 1.2] });
  const matterStepsPerSecond = rate(() => {
    matter.setState([0.8, 1.2, 0, 0]);
    for (let i = 0; i < 100; i++) matter.step(tau, 0.01);
    return 100;
  }, opts.seconds);
  matter.dispose();
  const closedLoopTrialsPerSecond = rate(() => runExperiment(ck, DEFAULT_RUN_OPTIONS).summary.trials, opts.seconds);
  return {
    backend,
    node: process.version,
    trainRnnMsPerIteration: await trainingMs(tf, 'rnn', opts.iterations, 3),
    trainGruMsPerIteration: await trainingMs(tf, 'gru', opts.iterations, 3),
    trainLstmMsPerIteration: await trainingMs(tf, 'lstm', opts.iterations, 3),
    analyticStepsPerSecond,
    analyticSubsteppedStepsPerSecond,
    matterStepsPerSecond,
    closedLoopTrialsPerSecond,
  };
}

