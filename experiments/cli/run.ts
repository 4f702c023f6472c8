/** `reach run`: a trained controller closed loop on the matter-js (or analytic) arm, recorded to a run directory. */
import type { Command } from 'commander';
import { parseFieldSpec } from '../../sim/force-fields.ts';
import { checkpointArmName, DEFAULT_ARM, defaultModel } from '../default-models.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../run-options.ts';
import { parseChoice, parseEngine, parseIntStrict, parsePositive } from './options.ts';

/** The options as commander gives them (strings; flags as booleans). */
interface RawOptions {
  arm?: string;
  checkpoint?: string;
  out: string;
  engine: string;
  task: string;
  repeats: string;
  go: string;
  duration: string;
  evalAfter: string;
  field: string;
  seed: string;
  interventions?: string;
  force?: boolean;
  json?: boolean;
}

/** The intervention spec in a JSON file, validated (errors name the file). */
export async function loadInterventionSpec(path: string) {
  const [{ readJsonFile }, { parseInterventionSpec }] = await Promise.all([import('../io/files.ts'), import('../../model/interventions/spec.ts')]);
  return parseInterventionSpec(readJsonFile(path), `intervention spec ${path}`);
}

export function register(program: Command): void {
  program
    .command('run')
    .description('Run a controller closed loop on the matter-js (or analytic) arm and record a run directory')
    .option('--arm <name>', `body whose default controller to run: motornet (torque motors) or arm26 (six muscles); default ${DEFAULT_ARM}; with --checkpoint, checked against it`)
    .option('--checkpoint <file>', 'controller checkpoint (default: the default controller of --arm)')
    .option('--out <dir>', 'run directory to write', 'runs/run')
    .option('--engine <name>', 'arm: matter or analytic', DEFAULT_RUN_OPTIONS.engine)
    .option('--task <name>', 'center-out (the 8 conditions) or random (reaches from the training distribution)', DEFAULT_RUN_OPTIONS.task)
    .option('--repeats <n>', 'repetitions of each center-out condition, or number of random trials', String(DEFAULT_RUN_OPTIONS.repeats))
    .option('--go <s>', 'go cue time of center-out trials (s)', String(DEFAULT_RUN_OPTIONS.goTime))
    .option('--duration <s>', 'trial duration (s)', String(DEFAULT_RUN_OPTIONS.duration))
    .option('--eval-after <s>', 'measure the endpoint error this long after go (s)', String(DEFAULT_RUN_OPTIONS.evalAfter))
    .option('--field <spec>', 'hand force: none, curl:13, viscous:b, constant:Fx,Fy, pulse:start,dur,Fx,Fy (joined by +)', 'none')
    .option('--seed <n>', 'seed of the sensory noise', String(DEFAULT_RUN_OPTIONS.seed))
    .option('--interventions <file>', 'JSON intervention spec (model/interventions/spec.ts): what to do on which trials and steps')
    .option('--force', 'replace an existing non-empty --out whole (default: refuse it)')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (opts: RawOptions) => {
      const o: RunOptions = {
        engine: parseEngine(opts.engine),
        task: parseChoice(opts.task, '--task', ['center-out', 'random'] as const),
        repeats: parseIntStrict(opts.repeats, '--repeats'),
        goTime: parsePositive(opts.go, '--go'),
        duration: parsePositive(opts.duration, '--duration'),
        evalAfter: parsePositive(opts.evalAfter, '--eval-after'),
        field: parseFieldSpec(opts.field),
        seed: parseIntStrict(opts.seed, '--seed'),
      };
      if (o.repeats < 1) throw new Error(`--repeats must be at least 1, got ${o.repeats}`);
      if (opts.interventions !== undefined) o.interventions = await loadInterventionSpec(opts.interventions);
      const [{ recordRun }, { loadCheckpointFile }] = await Promise.all([import('../run.ts'), import('../training.ts')]);
      const checkpoint = opts.checkpoint ?? defaultModel(opts.arm ?? DEFAULT_ARM).checkpoint;
      const ck = loadCheckpointFile(checkpoint);
      const arm = checkpointArmName(ck.config);
      if (opts.arm !== undefined && opts.arm !== arm) throw new Error(`--arm ${opts.arm}: ${checkpoint} is a controller for the ${arm} arm`);
      process.stderr.write(`run: ${checkpoint} (${ck.network.kind} ${ck.network.hidden} units, ${arm} arm) on the ${o.engine} engine, ${o.task}, field ${opts.field}\n`);
      const t0 = performance.now();
      const result = await recordRun(opts.out, ck, checkpoint, o, { force: opts.force === true });
      const seconds = (performance.now() - t0) / 1000;
      const s = result.summary;
      process.stderr.write(
        `run: ${s.trials} trials in ${seconds.toFixed(2)} s (${(s.trials / seconds).toFixed(1)} trials/s); endpoint error ${o.evalAfter} s after go: mean ${(s.meanEndpointError * 100).toFixed(2)} cm, max ${(s.maxEndpointError * 100).toFixed(2)} cm; straightness max ${(s.maxStraightness * 100).toFixed(1)} %; single-peaked ${(s.singlePeakedFraction * 100).toFixed(0)} % → ${opts.out}\n`,
      );
      if (opts.json) process.stdout.write(JSON.stringify({ out: opts.out, seconds, ...s }, null, 2) + '\n');
    });
}
