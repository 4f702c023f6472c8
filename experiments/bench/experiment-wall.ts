/**
 * Wall times of whole commands with one thread and with N, in turns in the same bench so the ratios mean
 * something on a busy machine: the default experiment (`npm start`: run, analysis, exports, report) and
 * the trainings of the default controllers (their committed configs, shortened). Each run is a fresh
 * `reach` process, so start-up, worker start-up, checkpoint writes and the rest count as a user sees
 * them. Each run's CPU time (all its threads: the workers', V8's compiler and garbage collector) is
 * recorded too: on a busy machine wall times wander, while the CPU a run needs with N workers over what
 * it needs with one says how much the extra threads cost. The results must not depend on the threads:
 * the analyses agree to the last digit (timings aside), the figures and the npy and CSV exports byte for
 * byte, the trained weights bit for bit.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_MODELS } from '../default-models.ts';
import { PACKAGE_ROOT } from '../package-info.ts';
import { REACH_BIN } from '../sweeps/executors/command.ts';

/** One command timed on 1 and N workers. */
export interface CommandBench {
  /** What was timed (the command line, without --out and --workers). */
  command: string;
  /** Wall seconds of each run, by worker count, in the order run. */
  seconds: Record<string, number[]>;
  /** Median N-worker wall time / median 1-worker wall time. */
  ratio: number;
  /** CPU seconds of each run (user + system, every thread of the process), by worker count; NaN without /proc. */
  cpuSeconds: Record<string, number[]>;
  /** Median N-worker CPU time / median 1-worker CPU time: what the extra threads cost (1 would be free). */
  cpuRatio: number;
  /** Whether every run gave the same result (analysis.json timings aside, figures, npy and CSV exports; checkpoint weights). */
  identical: boolean;
}

export interface ExperimentBench {
  workers: number;
  /** `reach experiment` (npm start). */
  experiment: CommandBench;
  /** `reach train --config <default config> --iterations n` of each default controller, by arm. */
  trainings: Record<string, CommandBench>;
  /** 1-minute load average before and after. */
  load: [number, number];
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** analysis.json without its wall-clock fields. */
function analysisWithoutTimes(dir: string): string {
  return readFileSync(join(dir, 'analysis.json'), 'utf8').replace(/"seconds":\s*[0-9.eE+-]+/g, '"seconds":0');
}

/**
 * What an experiment must give whatever its threads: analysis.json without its timings, and the
 * figures and the npy and CSV exports byte for byte (the NWB file holds its creation time and random
 * object ids, so it differs from run to run anyway).
 */
function experimentResult(dir: string): string {
  const parts = [analysisWithoutTimes(dir)];
  for (const sub of ['figures', 'export/npy', 'export/csv']) {
    for (const f of readdirSync(join(dir, sub)).sort()) parts.push(`${sub}/${f} ${createHash('sha256').update(readFileSync(join(dir, sub, f))).digest('hex')}`);
  }
  return parts.join('\n');
}

/** CPU seconds (user + system) of the children this process has waited for, from /proc/self/stat (in USER_HZ = 100 ticks/s); NaN without /proc. */
function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields 16 and 17 (cutime, cstime), counted after the command name, which may hold spaces.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(after[13]) + Number(after[14])) / 100;
  } catch {
    return NaN;
  }
}

/** The trained weights of a training directory. */
const trainedWeights = (dir: string) => JSON.stringify((JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { params: unknown }).params);

interface Timed {
  name: string;
  args: string[];
  /** The result of a run in `out`, to compare across runs. */
  result: (out: string) => string;
}

/**
 * Time the default experiment and, unless `trainIterations` is 0, the default trainings of
 * `trainIterations` iterations: each on 1 and `workers` workers, command after command, `rounds` times.
 */
export function benchExperiment(o: { workers: number; rounds: number; trainIterations: number; progress?: (m: string) => void }): ExperimentBench {
  const load0 = loadavg()[0];
  const root = mkdtempSync(join(tmpdir(), 'reach-bench-experiment-'));
  const commands: Timed[] = [
    { name: 'experiment', args: ['experiment', '--force'], result: experimentResult },
    ...(o.trainIterations > 0
      ? // The first stage: a training from scratch, as the speed figures compare.
        Object.entries(DEFAULT_MODELS).map(([arm, m]) => ({ name: arm, args: ['train', '--force', '--config', m.trainStages[0], '--iterations', String(o.trainIterations)], result: trainedWeights }))
      : []),
  ];
  const seconds = commands.map((): Record<string, number[]> => ({ 1: [], [o.workers]: [] }));
  const cpuSeconds = commands.map((): Record<string, number[]> => ({ 1: [], [o.workers]: [] }));
  const results = commands.map(() => new Set<string>());
  try {
    for (let r = 0; r < o.rounds; r++) {
      commands.forEach((c, k) => {
        for (const workers of [1, o.workers]) {
          const out = join(root, c.name);
          o.progress?.(`${c.name}, round ${r + 1}/${o.rounds}, ${workers} worker${workers > 1 ? 's' : ''}, load ${loadavg()[0].toFixed(1)}`);
          const t0 = performance.now();
          const cpu0 = childrenCpuSeconds();
          const p = spawnSync(REACH_BIN[0], [REACH_BIN[1], ...c.args, '--out', out, '--workers', String(workers)], { encoding: 'utf8' });
          if (p.status !== 0) throw new Error(`reach ${c.args.join(' ')} --workers ${workers} failed: ${p.stderr}`);
          seconds[k][workers].push((performance.now() - t0) / 1000);
          cpuSeconds[k][workers].push(childrenCpuSeconds() - cpu0);
          results[k].add(c.result(out));
        }
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const benches = commands.map(
    (c, k): CommandBench => ({
      command: `reach ${c.args.filter((a) => a !== '--force').map((a) => (a.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, a) : a)).join(' ')}`,
      seconds: seconds[k],
      ratio: median(seconds[k][o.workers]) / median(seconds[k][1]),
      cpuSeconds: cpuSeconds[k],
      cpuRatio: median(cpuSeconds[k][o.workers]) / median(cpuSeconds[k][1]),
      identical: results[k].size === 1,
    }),
  );
  return {
    workers: o.workers,
    experiment: benches[0],
    trainings: Object.fromEntries(commands.slice(1).map((c, k) => [c.name, benches[k + 1]])),
    load: [load0, loadavg()[0]],
  };
}
