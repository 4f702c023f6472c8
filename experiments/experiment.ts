/**
 * The default experiment end to end (`reach experiment`, `npm start`): a controller (the committed
 * default, or one trained first) reaches to the 8 center-out targets on the matter-js arm, repeatedly
 * and with sensory noise; the run is analysed like a motor-cortex recording, exported (.npy, CSV, NWB)
 * and written up as report.html. Everything goes into one folder:
 *
 *   <out>/                   the run directory (manifest.json, *.npy, trials.json, config.json)
 *   <out>/analysis.json      analyzeRun's result
 *   <out>/figures/*.svg      the report's figures
 *   <out>/report.html        self-contained report
 *   <out>/export/<format>/   the exports
 *   <out>/train/             training directory and controller.json, when it trained first
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BackendChoice } from '../model/backend.ts';
import type { Checkpoint } from '../model/checkpoint.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import type { TrainConfig } from '../model/train.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from './export/index.ts';
import { writeFileAtomic } from './io/files.ts';
import { decimateLog, fixedPointFigures, logMismatch, logPathFor, populationFigures, readTrainingLog, renderFigures, runFigures, writeAnalysisOutputs, writeTrainingLog, type RenderedFigure, type TrainingLog } from './report/index.ts';
import { readRunDir } from './run-dir.ts';
import { DEFAULT_RUN_ANALYSIS_OPTIONS, startRunAnalysis, type RunAnalysis, type RunAnalysisOptions } from './run-analysis.ts';
import { EXPERIMENT_RUN_OPTIONS } from './run-options.ts';
import { checkRecordingFits, runExperiment, writeRun, type RunOptions, type RunResult, type RunSummary } from './run.ts';
import { stageDir, withOutputLock } from './io/out-dir.ts';
import { exportOnThread, type ExportThread } from './parallel/export-thread.ts';
import { startRenderThread, type RenderThread } from './parallel/render-thread.ts';
import { defaultWorkers, shardThreads, spawnShardWorkers } from './parallel/shard-pool.ts';
import { startTaskPool, type TaskPool } from './parallel/task-pool.ts';
import { mark, markProcessStart } from './parallel/timeline.ts';
import { loadCheckpointFile, makeCheckpoint, runTraining } from './training.ts';

export { EXPERIMENT_RUN_OPTIONS } from './run-options.ts';

/** Analysis threads at most, the calling thread included (the default experiment has 48 fixed-point starts and 10 closed-loop pieces to share). */
const MAX_ANALYSIS_THREADS = 8;

/** Points kept when a training log is copied (the loss curve needs no more). */
export const LOG_POINTS = 400;

export interface ExperimentOptions {
  /** Output folder (created). */
  out: string;
  /** Replace an existing non-empty `out` whole. Default false: refused. */
  force?: boolean;
  /** Controller checkpoint; ignored when `train` is given. */
  checkpointPath: string;
  /** Train a controller first with this config (into `<out>/train`), then each of `then` as a next stage, and use it. */
  train?: { config: TrainConfig; then?: TrainConfig[]; backend: BackendChoice };
  /** Closed-loop run (default EXPERIMENT_RUN_OPTIONS). */
  run?: RunOptions;
  /** Analysis options other than the checkpoint (default DEFAULT_RUN_ANALYSIS_OPTIONS). */
  analysis?: Partial<Omit<RunAnalysisOptions, 'checkpoint' | 'checkpointPath' | 'checkpointMissingReason'>>;
  /** Search for fixed points of the controller (default true). */
  fixedPoints?: boolean;
  /** Training log for the loss curve (default: the one training wrote, else `<checkpoint>.log.json` if present). */
  logPath?: string | null;
  /** Also write the log used, decimated, to this file (e.g. next to a committed model). */
  keepLogPath?: string;
  /** Export formats (default all: npy, csv, nwb). */
  formats?: readonly ExportFormat[];
  /** Progress messages. */
  progress?: (message: string) => void;
  /** Threads for training (shards of each batch) and the analysis; the results do not depend on it. Default: the number of cores. */
  workers?: number;
}

export interface ExperimentResult {
  out: string;
  checkpointPath: string;
  runSummary: RunSummary;
  analysis: RunAnalysis;
  report: string;
  analysisJson: string;
  figures: string[];
  exports: Record<string, string[]>;
  /** Wall time of each stage (s). */
  seconds: Record<string, number>;
}

/** Train into `<root>/train` (root: the experiment folder being staged); returns the controller's path. */
async function trainFirst(o: ExperimentOptions, root: string, progress: (m: string) => void): Promise<string> {
  // Loaded only here: tfjs takes a second to import and nothing else in the experiment needs it.
  const { initBackend } = await import('../model/backend.ts');
  // The shard workers load their tfjs while this thread loads its own.
  const workers = o.workers ?? defaultWorkers();
  const threads = shardThreads(workers, o.train!.config.batch);
  const shardWorkers = threads > 1 ? spawnShardWorkers(o.train!.backend, threads - 1) : undefined;
  const dir = join(root, 'train');
  try {
    const { tf, backend } = await initBackend(o.train!.backend);
    const stages = [o.train!.config, ...(o.train!.then ?? [])];
    progress(`training ${stages.at(-1)!.iterations} iterations${stages.length > 1 ? ` in ${stages.length} stages` : ''} on ${backend} → ${dir}`);
    let trained = await runTraining(tf, backend, stages[0], { out: dir, workers, shardWorkers });
    // A next stage goes on from the checkpoint the one before wrote in the same directory (its own shard workers: the first training's have ended).
    for (const next of stages.slice(1)) {
      if (trained.interrupted) break;
      trained = await runTraining(tf, backend, next, { out: dir, workers, resume: join(dir, 'checkpoint.json'), nextStage: true });
    }
    const { state, interrupted, config } = trained;
    if (interrupted) throw new Error(`training was interrupted at iteration ${state.iteration}; its checkpoint is in ${dir}`);
    const checkpointPath = join(dir, 'controller.json');
    writeFileAtomic(checkpointPath, serializeCheckpoint(makeCheckpoint(config, state, backend, false)));
    return checkpointPath;
  } finally {
    await shardWorkers?.dispose();
  }
}

/**
 * The training log for the loss curve: the one given (which must belong to the controller), the one
 * training just wrote, or `<checkpoint>.log.json` when it belongs to the controller (a log left from an
 * earlier controller is skipped with a message).
 */
function findLog(o: ExperimentOptions, ck: Checkpoint, checkpointPath: string, trainedLog: string | undefined, progress: (m: string) => void): TrainingLog | null {
  if (o.logPath === null) return null;
  const given = o.logPath ?? trainedLog;
  if (given) {
    const log = readTrainingLog(given);
    const why = logMismatch(log, ck.training);
    if (why) throw new Error(`training log ${given} does not belong to ${checkpointPath}: ${why}`);
    return log;
  }
  const beside = logPathFor(checkpointPath);
  if (!existsSync(beside)) return null;
  const log = readTrainingLog(beside);
  const why = logMismatch(log, ck.training);
  if (why) {
    progress(`no loss curve: ${beside} belongs to another controller (${why})`);
    return null;
  }
  return log;
}

/**
 * Train (optionally), run, analyse, export and report, holding the lock of `out`; see the module note
 * for the layout. The training and the run directory are written in a temporary sibling of `out` that
 * is renamed into place when both are complete (an existing non-empty `out` is refused unless `force`,
 * which replaces it whole); analysis, exports and report then go into it file by file.
 */
export async function runFullExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  return withOutputLock(o.out, () => experimentIn(o));
}

async function experimentIn(o: ExperimentOptions): Promise<ExperimentResult> {
  markProcessStart();
  mark('experiment start');
  // The analysis threads start loading now; until they are ready this thread takes their tasks.
  const tasks = startTaskPool(Math.min(o.workers ?? defaultWorkers(), MAX_ANALYSIS_THREADS));
  const threads: Threads = { tasks };
  try {
    return await experimentWith(o, threads);
  } finally {
    // An analysis that failed leaves no export thread writing into `out` after its lock is released.
    // The threads end side by side (each isolate's teardown takes a while).
    await Promise.all([threads.exports?.stop(), threads.renderer?.dispose(), tasks.dispose()]);
    mark('threads stopped');
  }
}

/** The experiment's threads besides this one: analysis tasks, and exports and a figure renderer once the run is done. */
interface Threads {
  tasks: TaskPool;
  exports?: ExportThread;
  renderer?: RenderThread;
}

async function experimentWith(o: ExperimentOptions, threads: Threads): Promise<ExperimentResult> {
  const { tasks } = threads;
  const progress = o.progress ?? (() => {});
  const seconds: Record<string, number> = {};
  const clock = (name: string, t0: number) => (seconds[name] = (performance.now() - t0) / 1000);
  const staged = stageDir(o.out, { force: o.force, what: 'experiment' });
  let checkpointPath = o.checkpointPath;
  let trainedLog: string | undefined;
  let t0 = performance.now();
  let result: RunResult;
  let ck: Checkpoint;
  const runOpts = o.run ?? EXPERIMENT_RUN_OPTIONS;
  try {
    let checkpointFile = checkpointPath;
    if (o.train) {
      checkpointFile = await trainFirst(o, staged.tmp, progress);
      checkpointPath = join(staged.out, relative(staged.tmp, checkpointFile));
      trainedLog = join(staged.out, 'train', 'log.json');
      clock('train', t0);
    }
    // Loads Vega while the run and the analysis go on, then draws the report's figures (this thread loads no Vega).
    if (tasks.threads > 1) threads.renderer = startRenderThread();
    ck = loadCheckpointFile(checkpointFile);
    mark('checkpoint loaded');
    checkRecordingFits(ck, runOpts);

    t0 = performance.now();
    progress(`running ${checkpointPath} (${ck.network.kind} ${ck.network.hidden} units): ${runOpts.task}, ${runOpts.repeats} repeats, ${runOpts.engine} arm`);
    result = runExperiment(ck, runOpts, tasks.map);
    mark('run done');
    writeRun(staged.tmp, ck, checkpointPath, runOpts, result);
    mark('run written');
    staged.commit();
  } catch (err) {
    staged.abandon();
    throw err;
  }
  clock('run', t0);

  const formats = o.formats ?? EXPORT_FORMATS;
  const exportDir = (format: ExportFormat) => join(o.out, 'export', format);
  // With threads to spare the exports are written beside the analysis; `export` then times only the wait for them.
  const exporting = formats.length > 0 && tasks.threads > 1 ? (threads.exports = exportOnThread(o.out, formats.map((format) => ({ format, outDir: exportDir(format) })))).written : null;
  if (exporting) progress(`exporting ${formats.join(', ')} beside the analysis`);
  // A failed export is reported after the analysis, not as an unhandled rejection during it.
  exporting?.catch(() => {});

  t0 = performance.now();
  progress('analysing: PCA, jPCA, tuning, tangling, subspaces, fixed points');
  const run = readRunDir(o.out);
  mark('run read');
  const withFixedPoints = o.fixedPoints ?? true;
  const log = findLog(o, ck, checkpointPath, trainedLog, progress);
  const shownLog = log && decimateLog(log, LOG_POINTS);
  // With a render thread each group of figures is drawn there as soon as its part of the analysis exists:
  // the run's figures during the population analysis, those of the population analysis during the search.
  const { renderer } = threads;
  const drawing: Array<Promise<RenderedFigure[]>> = [];
  const draw = renderer ? (figures: Parameters<typeof renderFigures>[0]) => {
    const drawn = renderFigures(figures, renderer);
    // A failed figure is reported when the report is written, not as an unhandled rejection meanwhile.
    drawn.catch(() => {});
    drawing.push(drawn);
  } : null;
  const analysing = startRunAnalysis(
    run,
    {
      ...DEFAULT_RUN_ANALYSIS_OPTIONS,
      ...o.analysis,
      checkpoint: withFixedPoints ? ck : null,
      checkpointPath,
      checkpointMissingReason: withFixedPoints ? undefined : 'switched off (--no-fixed-points)',
    },
    tasks,
    draw ? (part) => draw(runFigures(run, part, shownLog)) : undefined,
  );
  draw?.(populationFigures(analysing.partial));
  const analysis = analysing.finish();
  clock('analysis', t0);
  mark('analysis done');
  // The analysis threads are done: they end while the exports, figures and report are finished (a failure to stop surfaces when the experiment ends).
  tasks.dispose().catch(() => {});

  t0 = performance.now();
  const exports: Record<string, string[]> = exporting ? await exporting : {};
  if (!exporting) {
    for (const format of formats) {
      progress(`exporting ${format}`);
      exports[format] = await exportRun(run, format, exportDir(format));
    }
  }
  clock('export', t0);
  mark('exports done');

  t0 = performance.now();
  if (shownLog && o.keepLogPath) writeTrainingLog(o.keepLogPath, shownLog);
  const files: Record<string, string[]> = {
    'Run directory': ['manifest.json', 'config.json', 'trials.json', ...run.manifest.arrays.map((a) => a.file)],
  };
  for (const [format, paths] of Object.entries(exports)) files[`Export: ${format}`] = paths.map((p) => relative(o.out, p));
  draw?.(fixedPointFigures(analysis));
  const figures = draw
    ? Promise.all(drawing).then((groups) => {
        // The render thread ends as soon as the last figure is drawn, while the report is written.
        renderer?.dispose().catch(() => {});
        return groups.flat();
      })
    : undefined;
  const written = await writeAnalysisOutputs(o.out, run, analysis, { log: shownLog, files, title: 'Reaching experiment', progress, figures });
  clock('report', t0);
  mark('report done');
  return { out: o.out, checkpointPath, runSummary: result.summary, analysis, report: written.report, analysisJson: written.analysisJson, figures: written.figures, exports, seconds };
}
