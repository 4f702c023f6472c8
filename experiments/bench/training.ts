/**
 * Training speed, measured so that the figures mean something on a busy machine: every contestant (the
 * plain tfjs autodiff loop of ./autodiff-baseline.ts, and each cell on 1 and on N worker threads) runs in
 * the same process, in turns (a few iterations each per round, several rounds), and the report gives
 * ratios measured side by side: ours to the autodiff loop, N workers to 1. The trainings on 1 and N
 * workers must end with bit-identical weights, which the bench checks too. Each figure also says how
 * many cores it got (CPU time / wall time): on a machine saturated by other sessions the scheduler gives
 * a process its share whatever its thread count, and then N workers cannot run faster than one.
 */
import type * as tfType from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { BackendName } from '../../model/backend.ts';
import type { CellKind } from '../../model/cells/index.ts';
import { initTrainState, parseTrainConfig, resolveArm, train, type TrainConfig, type TrainState } from '../../model/train.ts';
import { parseTaskSpec } from '../../sim/tasks/task-spec.ts';
import { pooledShardRunner, startShardPool, type ShardPool } from '../parallel/shard-pool.ts';
import { autodiffBaseline } from './autodiff-baseline.ts';

/** The standard configuration: 128 units, batch 64, 100 steps of 10 ms (on each of BENCH_ARMS). */
export const STANDARD = { hidden: 128, batch: 64, duration: 1, dt: 0.01 } as const;

/** Arms trained in the bench: (label, training config `arm`): the torque-driven arm and the six-muscle arm26. */
export const BENCH_ARMS: ReadonlyArray<{ label: string; arm: string }> = [
  { label: 'torque', arm: 'motornet' },
  { label: 'muscle (arm26)', arm: 'arm26' },
];

export interface TrainingRow {
  cell: CellKind;
  arm: string;
  workers: number;
  /** Median ms per iteration. */
  msPerIteration: number;
  /** msPerIteration / the autodiff loop's, measured in the same rounds. */
  ratioToAutodiff: number;
  /** CPU time of the whole process (every thread) per iteration (ms). */
  cpuMsPerIteration: number;
  /** CPU time / wall time while it ran: how many cores it got (at most `workers` when the machine is free). */
  cores: number;
  /** Time the process's threads waited, ready to run, for a core, summed over threads, per iteration (ms): what other processes took from it. NaN without /proc. */
  runQueueMsPerIteration: number;
}

export interface TrainingBench {
  /** Worker threads of the parallel figures. */
  workers: number;
  /** Median ms per iteration of the plain tfjs autodiff loop (leaky RNN, torque arm). */
  autodiffMsPerIteration: number;
  /** Cores the autodiff loop got (CPU time / wall time). */
  autodiffCores: number;
  rows: TrainingRow[];
  /** Per cell and arm: ms on N workers / ms on 1 worker. */
  workerRatios: Array<{ cell: CellKind; arm: string; ratio: number }>;
  /** Whether every training ended with the same weights on 1 and on N workers. */
  identicalWeights: boolean;
  /** 1-minute load average before and after (os.loadavg). */
  load: [number, number];
}

export interface TrainingBenchOptions {
  /** Timed iterations per contestant (after 2 warm-up). */
  iterations: number;
  /** Rounds the iterations are spread over (turns between contestants). Default 4. */
  rounds?: number;
  /** Worker threads of the parallel figures (≥ 2 to measure anything). */
  workers: number;
  cells?: readonly CellKind[];
  progress?: (message: string) => void;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** A bench training config: the standard sizes, no checkpoints, no gradient-flow iterations. */
export function benchConfig(cell: CellKind, arm: string): TrainConfig {
  return parseTrainConfig({
    seed: 1,
    iterations: 1,
    batch: STANDARD.batch,
    arm,
    network: { kind: cell, hidden: STANDARD.hidden },
    task: { kind: 'mixed', duration: STANDARD.duration, dt: STANDARD.dt },
    checkpointEvery: 0,
    gradientFlowEvery: 0,
  });
}

/** Run-queue wait of every thread of this process so far (ms; 2nd field of each thread's schedstat), NaN without /proc. */
function runQueueWait(): number {
  try {
    let ns = 0;
    for (const id of readdirSync('/proc/self/task')) {
      try {
        ns += Number(readFileSync(`/proc/self/task/${id}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

interface Contestant {
  times: number[];
  /** CPU, run-queue wait and wall ms over the timed rounds. */
  cpu: number;
  runQueue: number;
  wall: number;
  /** Run k iterations; returns their ms. */
  run(k: number): Promise<number[]>;
}

function ours(tf: typeof tfType, config: TrainConfig, pool: ShardPool | null): Contestant & { state: TrainState } {
  const state = initTrainState(config);
  return {
    state,
    times: [],
    cpu: 0,
    runQueue: 0,
    wall: 0,
    async run(k) {
      await train(tf, { ...config, iterations: state.iteration + k }, state, {}, { shards: pooledShardRunner(tf, pool) });
      return state.log.slice(-k).map((e) => e.ms);
    },
  };
}

export async function benchTraining(tf: typeof tfType, backend: BackendName, o: TrainingBenchOptions): Promise<TrainingBench> {
  const load0 = loadavg()[0];
  const rounds = o.rounds ?? 4;
  const cells = o.cells ?? (['rnn', 'gru', 'lstm'] as const);
  const pool = o.workers > 1 ? await startShardPool(tf, backend, o.workers) : null;
  const std = benchConfig('rnn', BENCH_ARMS[0].arm);
  const baseline = autodiffBaseline(tf, { arm: resolveArm(std.arm), task: parseTaskSpec(std.task), hidden: STANDARD.hidden, batch: STANDARD.batch, seed: 1 });
  try {
    const autodiff: Contestant = {
      times: [],
      cpu: 0,
      runQueue: 0,
      wall: 0,
      run(k) {
        const ms: number[] = [];
        for (let i = 0; i < k; i++) {
          const t0 = performance.now();
          baseline.iteration();
          ms.push(performance.now() - t0);
        }
        return Promise.resolve(ms);
      },
    };
    const entries = cells.flatMap((cell) =>
      BENCH_ARMS.flatMap(({ label, arm }) => [1, ...(pool ? [o.workers] : [])].map((workers) => ({ cell, arm: label, workers, c: ours(tf, benchConfig(cell, arm), workers > 1 ? pool : null) }))),
    );
    const all: Contestant[] = [autodiff, ...entries.map((e) => e.c)];
    for (const c of all) await c.run(2);
    const perRound = Math.max(1, Math.ceil(o.iterations / rounds));
    for (let r = 0; r < rounds; r++) {
      o.progress?.(`round ${r + 1}/${rounds}, load ${loadavg()[0].toFixed(1)}`);
      for (const c of all) {
        const cpu0 = process.cpuUsage();
        const wait0 = runQueueWait();
        const t0 = performance.now();
        c.times.push(...(await c.run(perRound)));
        const cpu = process.cpuUsage(cpu0);
        c.cpu += (cpu.user + cpu.system) / 1000;
        c.runQueue += runQueueWait() - wait0;
        c.wall += performance.now() - t0;
      }
    }
    const autodiffMs = median(autodiff.times);
    const rows: TrainingRow[] = entries.map((e) => {
      const ms = median(e.c.times);
      return { cell: e.cell, arm: e.arm, workers: e.workers, msPerIteration: ms, ratioToAutodiff: ms / autodiffMs, cpuMsPerIteration: e.c.cpu / e.c.times.length, cores: e.c.cpu / e.c.wall, runQueueMsPerIteration: e.c.runQueue / e.c.times.length };
    });
    const workerRatios = pool
      ? cells.flatMap((cell) =>
          BENCH_ARMS.map(({ label }) => {
            const of = (w: number) => rows.find((r) => r.cell === cell && r.arm === label && r.workers === w)!.msPerIteration;
            return { cell, arm: label, ratio: of(o.workers) / of(1) };
          }),
        )
      : [];
    const weights = (s: TrainState) => Object.values(s.params).map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64')).join();
    const identicalWeights = entries.every((e) => weights(e.c.state) === weights(entries.find((f) => f.cell === e.cell && f.arm === e.arm && f.workers === 1)!.c.state));
    return { workers: o.workers, autodiffMsPerIteration: autodiffMs, autodiffCores: autodiff.cpu / autodiff.wall, rows, workerRatios, identicalWeights, load: [load0, loadavg()[0]] };
  } finally {
    baseline.dispose();
    await pool?.dispose();
  }
}
