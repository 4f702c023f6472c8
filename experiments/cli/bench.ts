/** `reach bench`: print the project's speed figures as JSON (stdout) and a table (stderr). */
import type { Command } from 'commander';
import { BACKEND_CHOICES, initBackend } from '../../model/backend.ts';
import { DEFAULT_CHECKPOINT } from '../package-info.ts';
import { parseBackend, parseIntStrict, parsePositive } from './options.ts';

/** The options as commander gives them (strings). */
interface RawOptions {
  backend: string;
  iterations: string;
  seconds: string;
  checkpoint: string;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Benchmark training, simulation and closed-loop speed')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--iterations <n>', 'timed training iterations per network (after 3 warm-up)', '20')
    .option('--seconds <s>', 'seconds per simulation figure', '1')
    .option('--checkpoint <file>', 'controller for the closed-loop figure', DEFAULT_CHECKPOINT)
    .action(async (opts: RawOptions) => {
      const backendChoice = parseBackend(opts.backend);
      const iterations = parseIntStrict(opts.iterations, '--iterations');
      const seconds = parsePositive(opts.seconds, '--seconds');
      if (iterations < 1) throw new Error(`--iterations must be at least 1, got ${iterations}`);
      const [{ runBench }, { loadCheckpointFile }] = await Promise.all([import('../bench.ts'), import('../training.ts')]);
      const ck = loadCheckpointFile(opts.checkpoint);
      const { tf, backend } = await initBackend(backendChoice);
      process.stderr.write(`bench: backend ${backend}, node ${process.version}\n`);
      const r = await runBench(tf, backend, ck, { iterations, seconds });
      const rows: Array<[string, string]> = [
        ['backend', r.backend],
        ['train, leaky RNN 128, batch 64, 100 steps (ms/iteration)', r.trainRnnMsPerIteration.toFixed(1)],
        ['train, GRU 128, batch 64, 100 steps (ms/iteration)', r.trainGruMsPerIteration.toFixed(1)],
        ['train, LSTM 128, batch 64, 100 steps (ms/iteration)', r.trainLstmMsPerIteration.toFixed(1)],
        ['analytic arm, 10 ms steps, 1 RK4 substep (steps/s)', r.analyticStepsPerSecond.toFixed(0)],
        ['analytic arm, 10 ms steps, 10 RK4 substeps (steps/s)', r.analyticSubsteppedStepsPerSecond.toFixed(0)],
        ['matter-js arm, 10 ms steps of 10 × 1 ms (steps/s)', r.matterStepsPerSecond.toFixed(0)],
        ['closed loop, 1.4 s center-out trials on matter-js (trials/s)', r.closedLoopTrialsPerSecond.toFixed(1)],
      ];
      const w = Math.max(...rows.map(([k]) => k.length));
      process.stderr.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    });
}
