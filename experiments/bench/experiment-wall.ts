/**
 * The wall time of the default experiment (`npm start`: run, analysis, exports, report) with one thread
 * and with N, in turns in the same bench so the ratio means something on a busy machine; each run is a
 * fresh `reach experiment` process. The analyses must agree to the last digit (timings aside).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REACH_BIN } from '../sweeps/executors/command.ts';

export interface ExperimentBench {
  workers: number;
  /** Wall seconds of each run, by worker count, in the order run. */
  seconds: Record<string, number[]>;
  /** Median N-worker wall time / median 1-worker wall time. */
  ratio: number;
  /** Whether analysis.json was the same (timings aside) for every run. */
  identicalAnalysis: boolean;
  /** 1-minute load average before and after. */
  load: [number, number];
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** analysis.json without its wall-clock fields. */
function analysisWithoutTimes(dir: string): string {
  return readFileSync(join(dir, 'analysis.json'), 'utf8').replace(/"seconds":\s*[0-9.eE+-]+/g, '"seconds":0');
}

export function benchExperiment(o: { workers: number; rounds: number; progress?: (m: string) => void }): ExperimentBench {
  const load0 = loadavg()[0];
  const root = mkdtempSync(join(tmpdir(), 'reach-bench-experiment-'));
  const seconds: Record<string, number[]> = { 1: [], [o.workers]: [] };
  const analyses = new Set<string>();
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const workers of [1, o.workers]) {
        const out = join(root, 'experiment');
        o.progress?.(`experiment, round ${r + 1}/${o.rounds}, ${workers} worker${workers > 1 ? 's' : ''}, load ${loadavg()[0].toFixed(1)}`);
        const t0 = performance.now();
        const p = spawnSync(REACH_BIN[0], [REACH_BIN[1], 'experiment', '--out', out, '--force', '--workers', String(workers)], { encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`reach experiment --workers ${workers} failed: ${p.stderr}`);
        seconds[workers].push((performance.now() - t0) / 1000);
        analyses.add(analysisWithoutTimes(out));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { workers: o.workers, seconds, ratio: median(seconds[o.workers]) / median(seconds[1]), identicalAnalysis: analyses.size === 1, load: [load0, loadavg()[0]] };
}
