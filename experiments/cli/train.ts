/** `reach train`: train a controller by BPTT through the differentiable arm. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BACKEND_CHOICES, initBackend } from '../../model/backend.ts';
import { parseBackend, parseIntStrict, parseWorkers } from './options.ts';

/** The options as commander gives them (strings; flags as booleans). */
interface RawOptions {
  config?: string;
  out: string;
  iterations?: string;
  seed?: string;
  arm?: string;
  backend: string;
  resume?: string;
  restartOptimizer?: boolean;
  export?: string;
  force?: boolean;
  json?: boolean;
  workers?: string;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train an RNN controller to reach (BPTT through the differentiable arm); writes config.json, log.json, checkpoint.json')
    .option('--config <file>', 'training config (JSON); omitted fields take their defaults')
    .option('--out <dir>', 'output directory', 'runs/train')
    .option('--iterations <n>', 'number of iterations (overrides the config)')
    .option('--seed <n>', 'random seed (overrides the config)')
    .option('--arm <name>', 'body preset (overrides the config): motornet or li-todorov (torque motors), arm26 (six muscles)')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--resume <checkpoint>', 'continue training from a checkpoint written by reach train (its optimizer state and log are kept); with --config, a next stage: the same network under that config, Adam restarted, iterations counted from the first stage')
    .option('--restart-optimizer', 'with --resume: accept a checkpoint without optimizer state (e.g. from --export); keeps the weights, restarts Adam')
    .option('--export <file>', 'also write a compact checkpoint (weights, config, summary; no optimizer state) to this file')
    .option('--force', 'start a fresh training in an --out that holds another one (its files are deleted)')
    .option('--json', 'print the training summary as JSON on stdout')
    .option('--workers <n>', `threads computing each batch (the weights do not depend on it; default: the number of cores, ${availableParallelism()} here)`)
    .action(async (opts: RawOptions) => {
      const backendChoice = parseBackend(opts.backend);
      const workers = parseWorkers(opts.workers);
      if (opts.resume && !opts.config && (opts.seed !== undefined || opts.arm !== undefined)) {
        throw new Error('--resume continues with the checkpoint\'s own config and random state; to change them, give the next stage\'s --config (--seed and --arm alone cannot be combined with it)');
      }
      if (opts.restartOptimizer && !opts.resume) throw new Error('--restart-optimizer applies only with --resume');
      // The shard workers load their modules and tfjs while this thread loads its own.
      const [{ spawnShardWorkers }, { mark, markProcessStart }] = await Promise.all([import('../parallel/shard-workers.ts'), import('../parallel/timeline.ts')]);
      markProcessStart();
      let shardWorkers = workers > 1 ? spawnShardWorkers(backendChoice, workers - 1) : undefined;
      try {
        const [{ parseTrainConfig }, { serializeCheckpoint }, { writeFileAtomic }, { loadCheckpointFile, loadTrainConfig, makeCheckpoint, runTraining }, { shardThreads }] = await Promise.all([
          import('../../model/train.ts'),
          import('../../model/checkpoint.ts'),
          import('../io/files.ts'),
          import('../training.ts'),
          import('../parallel/shard-pool.ts'),
        ]);
        const overrides = {
          ...(opts.iterations !== undefined ? { iterations: parseIntStrict(opts.iterations, '--iterations') } : {}),
          ...(opts.seed !== undefined ? { seed: parseIntStrict(opts.seed, '--seed') } : {}),
          ...(opts.arm !== undefined ? { arm: opts.arm } : {}),
        };
        const nextStage = opts.resume !== undefined && opts.config !== undefined;
        const config = opts.resume && !nextStage ? parseTrainConfig({ ...loadCheckpointFile(opts.resume).config, ...overrides }) : loadTrainConfig(opts.config, overrides);
        mark('config loaded');
        if (shardWorkers && shardWorkers.count > shardThreads(workers, config.batch) - 1) {
          // A batch of fewer shards than threads: the pool starts as many workers as it uses.
          await shardWorkers.dispose();
          shardWorkers = undefined;
        }
        const { tf, backend } = await initBackend(backendChoice);
        mark(`backend ${backend}`);
        process.stderr.write(`train: backend ${backend}, ${typeof config.arm === 'string' ? config.arm : config.arm.name} arm, ${config.network.kind} ${config.network.hidden} units, batch ${config.batch}, ${config.task.steps} steps, seed ${config.seed}, ${workers} worker${workers > 1 ? 's' : ''} → ${opts.out}\n`);
        const { state, interrupted, config: trained } = await runTraining(tf, backend, config, { out: opts.out, resume: opts.resume, restartOptimizer: opts.restartOptimizer === true, nextStage, force: opts.force === true, workers, shardWorkers });
        if (opts.export && !interrupted) {
          writeFileAtomic(opts.export, serializeCheckpoint(makeCheckpoint(trained, state, backend, false)));
          process.stderr.write(`train: compact checkpoint → ${opts.export}\n`);
        }
        if (opts.json) {
          const last = state.log.at(-1);
          process.stdout.write(JSON.stringify({ checkpoint: join(opts.out, 'checkpoint.json'), backend, iterations: state.iteration, loss: last?.loss, endpointError: last?.endpointError, interrupted }, null, 2) + '\n');
        }
        if (interrupted) process.exitCode = 130;
      } finally {
        await shardWorkers?.dispose();
      }
    });
}
