/**
 * Benchmarks: training milliseconds per iteration at the standard configuration (leaky RNN, 128 units,
 * batch 64, 100 steps of 10 ms, torque-driven and muscle arm) and for the GRU and LSTM, on 1 and N worker threads,
 * side by side with a plain tfjs autodiff loop (experiments/bench/training.ts); optionally where an
 * iteration's time goes (experiments/bench/profile.ts); simulation steps per second of the analytic and
 * matter-js arms, and closed-loop trials per second. Wall-clock figures belong here, never in tests.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import type { CellKind } from '../model/cells/index.ts';
import type { Checkpoint } from '../model/checkpoint.ts';
import { initTrainState, train } from '../model/train.ts';
import { getArmPreset } from '../sim/arm-params.ts';
import { stepArm } from '../sim/dynamics.ts';
import { createMatterArm } from '../sim/matter-arm.ts';
import { profileIterations, type ProfileRow } from './bench/profile.ts';
import { BENCH_ARMS, benchConfig, benchTraining, type TrainingBench } from './bench/training.ts';
import { DEFAULT_RUN_OPTIONS, runExperiment } from './run.ts';

export interface BenchResult {
  backend: BackendName;
  node: string;
  /** Training ms per iteration of each cell on 1 and N workers, and their ratios to a plain tfjs autodiff loop timed in the same run. */
  training: TrainingBench;
  /** Where a 1-worker iteration's time goes, per cell and arm ('GRU, muscle (arm26) arm'; with --profile). */
  profile?: Record<string, ProfileRow[]>;
  /** Analytic arm, 10 ms control steps (1 RK4 substep) per second. */
  analyticStepsPerSecond: number;
  /** Analytic arm, 10 ms control steps with 10 RK4 substeps (1 ms) per second. */
  analyticSubsteppedStepsPerSecond: number;
  /** matter-js arm, 10 ms control steps (10 engine updates of 1 ms) per second. */
  matterStepsPerSecond: number;
  /** Closed-loop center-out trials (1.4 s each, matter-js arm) per second. */
  closedLoopTrialsPerSecond: number;
}

/** Profile `iterations` 1-worker iterations of a cell on an arm at the standard configuration (after 2 warm-up). */
async function profileCell(tf: typeof tfType, kind: CellKind, arm: string, iterations: number): Promise<ProfileRow[]> {
  const config = benchConfig(kind, arm);
  const state = initTrainState(config);
  await train(tf, { ...config, iterations: 2 }, state);
  return profileIterations(iterations, async () => {
    await train(tf, { ...config, iterations: 2 + iterations }, state);
  });
}

function rate(fn: () => number, seconds: number): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) n += fn();
  return n / ((performance.now() - t0) / 1000);
}

export interface BenchOptions {
  /** Timed training iterations per contestant. */
  iterations: number;
  /** Seconds per simulation figure. */
  seconds: number;
  /** Worker threads of the parallel training figures. */
  workers: number;
  /** Also profile 1-worker iterations of each cell on each arm. Default false. */
  profile?: boolean;
  progress?: (message: string) => void;
}

export async function runBench(tf: typeof tfType, backend: BackendName, ck: Checkpoint, opts: BenchOptions): Promise<BenchResult> {
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
  const training = await benchTraining(tf, backend, { iterations: opts.iterations, workers: opts.workers, progress: opts.progress });
  let profile: BenchResult['profile'];
  if (opts.profile) {
    profile = {};
    for (const kind of ['rnn', 'gru', 'lstm'] as const) {
      for (const { label, arm } of BENCH_ARMS) {
        opts.progress?.(`profiling ${kind}, ${label} arm`);
        profile[`${kind.toUpperCase()}, ${label} arm`] = await profileCell(tf, kind, arm, Math.min(opts.iterations, 10));
      }
    }
  }
  return {
    backend,
    node: process.version,
    training,
    ...(profile ? { profile } : {}),
    analyticStepsPerSecond,
    analyticSubsteppedStepsPerSecond,
    matterStepsPerSecond,
    closedLoopTrialsPerSecond,
  };
}

