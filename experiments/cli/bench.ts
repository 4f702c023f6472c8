/** `reach bench`: print the project's speed figures as JSON (stdout) and a table (stderr). */
import type { Command } from 'commander';
import { availableParallelism, loadavg } from 'node:os';
import { BACKEND_CHOICES, initBackend } from '../../model/backend.ts';
import { DEFAULT_CHECKPOINT } from '../package-info.ts';
import { parseBackend, parseIntStrict, parsePositive, parseWorkers } from './options.ts';

/** The options as commander gives them (strings). */
interface RawOptions {
  backend: string;
  iterations: string;
  seconds: string;
  checkpoint: string;
  workers?: string;
  profile?: boolean;
  experiment?: boolean;
  rounds: string;
  trainIterations: string;
}

async function experimentBench(opts: RawOptions): Promise<void> {
  const workers = parseWorkers(opts.workers);
  const rounds = parseIntStrict(opts.rounds, '--rounds');
  if (rounds < 1) throw new Error(`--rounds must be at least 1, got ${rounds}`);
  const trainIterations = parseIntStrict(opts.trainIterations, '--train-iterations');
  if (trainIterations < 0) throw new Error(`--train-iterations must be 0 or more, got ${trainIterations}`);
  const { benchExperiment } = await import('../bench/experiment-wall.ts');
  process.stderr.write(`bench: the default experiment${trainIterations > 0 ? ` and the default trainings (${trainIterations} iterations)` : ''}, ${rounds} rounds of 1 and ${workers} workers, ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const r = benchExperiment({ workers, rounds, trainIterations, progress: (m) => process.stderr.write(`bench: ${m}\n`) });
  const rows: Array<[string, string]> = [['load average (1 min) before → after', `${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)}`]];
  for (const [c, same] of [[r.experiment, 'analysis.json identical (timings aside)'], ...Object.values(r.trainings).map((t) => [t, 'trained weights bit-identical'] as const)] as const) {
    rows.push(
      ...Object.entries(c.seconds).map(([w, s]): [string, string] => [`${c.command} --workers ${w} (wall s, each run)`, s.map((v) => v.toFixed(1)).join('  ')]),
      [`  ${workers} workers / 1 worker (median wall time ratio)`, c.ratio.toFixed(3)],
      [`  ${same}`, c.identical ? 'yes' : 'NO'],
    );
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  process.stderr.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Benchmark training (1 and N workers, next to a plain tfjs autodiff loop), simulation and closed-loop speed')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--iterations <n>', 'timed training iterations per network and worker count (after 2 warm-up)', '20')
    .option('--seconds <s>', 'seconds per simulation figure', '1')
    .option('--checkpoint <file>', 'controller for the closed-loop figure', DEFAULT_CHECKPOINT)
    .option('--workers <n>', `worker threads of the parallel training figures (default: the number of cores, ${availableParallelism()} here)`)
    .option('--profile', 'also print where a 1-worker training iteration spends its time, per cell and arm')
    .option('--experiment', 'instead: time the default experiment (npm start) and the default controllers\' trainings with 1 worker and with --workers, in turns, and print the ratios')
    .option('--rounds <n>', 'with --experiment: runs of each', '2')
    .option('--train-iterations <n>', 'with --experiment: iterations of each default training (0: time the experiment alone)', '150')
    .action(async (opts: RawOptions) => {
      if (opts.experiment) return experimentBench(opts);
      const backendChoice = parseBackend(opts.backend);
      const iterations = parseIntStrict(opts.iterations, '--iterations');
      const seconds = parsePositive(opts.seconds, '--seconds');
      const workers = parseWorkers(opts.workers);
      if (iterations < 1) throw new Error(`--iterations must be at least 1, got ${iterations}`);
      const [{ runBench }, { loadCheckpointFile }] = await Promise.all([import('../bench.ts'), import('../training.ts')]);
      const ck = loadCheckpointFile(opts.checkpoint);
      const { tf, backend } = await initBackend(backendChoice);
      process.stderr.write(`bench: backend ${backend}, node ${process.version}, ${availableParallelism()} cores, ${workers} workers, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
      const r = await runBench(tf, backend, ck, { iterations, seconds, workers, profile: opts.profile === true, progress: (m) => process.stderr.write(`bench: ${m}\n`) });
      const t = r.training;
      const rows: Array<[string, string]> = [
        ['backend', r.backend],
        ['load average (1 min) before → after training figures', `${t.load[0].toFixed(1)} → ${t.load[1].toFixed(1)}`],
        ['plain tfjs autodiff loop, leaky RNN 128, batch 64, 100 steps (ms/iteration; cores it got)', `${t.autodiffMsPerIteration.toFixed(1)}  ${t.autodiffCores.toFixed(2)}`],
        ...t.rows.map((row): [string, string] => [
          `train, ${row.cell.toUpperCase()} 128, batch 64, 100 steps, ${row.arm} arm, ${row.workers} worker${row.workers > 1 ? 's' : ''} (ms/iteration; × autodiff loop; CPU ms/iteration; cores it got; run-queue wait ms/iteration, all threads)`,
          `${row.msPerIteration.toFixed(1)}  ×${row.ratioToAutodiff.toFixed(3)}  ${row.cpuMsPerIteration.toFixed(1)}  ${row.cores.toFixed(2)}  ${row.runQueueMsPerIteration.toFixed(1)}`,
        ]),
        ...t.workerRatios.map((w): [string, string] => [`${w.cell.toUpperCase()}, ${w.arm} arm: ${t.workers} workers / 1 worker (time ratio)`, w.ratio.toFixed(3)]),
        ['weights bit-identical on 1 and N workers', t.identicalWeights ? 'yes' : 'NO'],
        ['analytic arm, 10 ms steps, 1 RK4 substep (steps/s)', r.analyticStepsPerSecond.toFixed(0)],
        ['analytic arm, 10 ms steps, 10 RK4 substeps (steps/s)', r.analyticSubsteppedStepsPerSecond.toFixed(0)],
        ['matter-js arm, 10 ms steps of 10 × 1 ms (steps/s)', r.matterStepsPerSecond.toFixed(0)],
        ['closed loop, 1.4 s center-out trials on matter-js (trials/s)', r.closedLoopTrialsPerSecond.toFixed(1)],
      ];
      for (const [what, parts] of Object.entries(r.profile ?? {})) {
        const total = parts.reduce((s, p) => s + p.ms, 0);
        rows.push([`profile, ${what}, 1 worker (ms/iteration of CPU time sampled)`, total.toFixed(1)]);
        for (const p of parts) rows.push([`  ${p.part}`, `${p.ms.toFixed(1).padStart(7)}  ${(100 * p.share).toFixed(1).padStart(5)} %`]);
      }
      const w = Math.max(...rows.map(([k]) => k.length));
      process.stderr.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    });
}
