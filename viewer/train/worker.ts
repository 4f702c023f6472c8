/**
 * The training worker: `reach train`'s loop (model/train.ts, one shard runner in this thread) on tfjs's
 * wasm backend, whose binaries vite bundles next to this script (so a built site trains offline). It
 * posts every iteration's loss, and every {@link SNAPSHOT_EVERY} iterations (and when it stops) the
 * network as it is now with its center-out errors. Requests arrive between iterations: `train` yields to
 * the event loop before each one.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { version } from '../../package.json';
import { initBackend } from '../../model/backend.ts';
import { checkpointOf, serializeCheckpoint } from '../../model/checkpoint.ts';
import { initTrainState, train, type TrainConfig, type TrainState } from '../../model/train.ts';
import { browserTrainConfig, type TrainChoice } from './config.ts';
import { centerOutErrors } from './evaluate.ts';
import type { Progress, TrainReply, TrainRequest } from './protocol.ts';

/** Iterations between snapshots of the network (each costs 8 closed-loop reaches on the matter-js arm, ~0.1 s). */
export const SNAPSHOT_EVERY = 20;

// tfjs picks one by what the browser offers: threads only on a cross-origin-isolated page (not a plain static host).
// Imported dynamically, as initBackend imports it, so that the bundler keeps one chunk for it.
const backendReady = import('@tensorflow/tfjs-backend-wasm').then(({ setWasmPaths }) => {
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  return initBackend('wasm');
});

interface Job {
  choice: TrainChoice;
  config: TrainConfig;
  state: TrainState;
  running: boolean;
  stopRequested: boolean;
  /** Training wall time of the finished stretches (s). */
  elapsed: number;
  snapshotAt: number;
}
let job: Job | null = null;

const post = (msg: TrainReply) => (self as unknown as Worker).postMessage(msg);
const postState = (j: Job) => post({ type: 'state', running: j.running, iteration: j.state.iteration, iterations: j.config.iterations });

function snapshot(j: Job, backend: string, elapsed: number): void {
  j.snapshotAt = j.state.iteration;
  const checkpoint = checkpointOf(j.config, j.state, backend, version, false);
  post({ type: 'snapshot', iteration: j.state.iteration, elapsed, checkpoint, errors: Array.from(centerOutErrors(j.config, j.state.params)) });
}

async function run(j: Job): Promise<void> {
  const { tf, backend } = await backendReady;
  j.running = true;
  postState(j);
  const t0 = performance.now();
  const elapsed = () => j.elapsed + (performance.now() - t0) / 1000;
  try {
    await train(tf, j.config, j.state, {
      onIteration: (e) => {
        const p: Progress = { iteration: e.iteration, loss: e.loss.total, endpointError: e.endpointError, elapsed: elapsed() };
        post({ type: 'progress', progress: p });
        if (e.iteration % SNAPSHOT_EVERY === 0) snapshot(j, backend, elapsed());
      },
      shouldStop: () => j.stopRequested,
    });
  } catch (err) {
    post({ type: 'error', message: `training stopped: ${(err as Error).message}` });
  }
  j.elapsed = elapsed();
  j.running = false;
  j.stopRequested = false;
  if (j.snapshotAt !== j.state.iteration) snapshot(j, backend, j.elapsed);
  postState(j);
}

async function handle(req: TrainRequest): Promise<void> {
  if (req.type === 'start') {
    if (job?.running) throw new Error('training is already running; stop it first');
    const config = browserTrainConfig(req.choice);
    job = { choice: req.choice, config, state: initTrainState(config), running: false, stopRequested: false, elapsed: 0, snapshotAt: -1 };
    await run(job);
  } else if (req.type === 'stop') {
    if (job?.running) job.stopRequested = true;
  } else if (req.type === 'resume') {
    if (!job || job.running) return;
    if (job.state.iteration >= job.config.iterations) job.config = { ...job.config, iterations: job.state.iteration + job.choice.iterations };
    await run(job);
  } else if (req.type === 'save') {
    if (!job) throw new Error('nothing trained yet');
    const { backend } = await backendReady;
    post({ type: 'checkpoint', text: serializeCheckpoint(checkpointOf(job.config, job.state, backend, version, true)), iteration: job.state.iteration });
  }
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', message: (err as Error).message }));
};

backendReady.then(
  ({ backend }) => post({ type: 'ready', backend }),
  (err: unknown) => post({ type: 'error', message: `the wasm backend did not start: ${(err as Error).message}` }),
);
