// Train a small controller, record it reaching to the center-out targets, and analyse its hidden
// activity like motor cortex: PCA, jPCA (rotations) and tangling.
// Usage: node examples/train-and-analyse.js [iterations = 300] [hidden units = 64]
// A few hundred iterations give a controller that reaches roughly; the bundled default controller
// (models/default-controller.json) trained for 2000.
import { initBackend, parseTrainConfig, initTrainState, train, networkSpecOf, resolveArm, runClosedLoop } from 'motor-cortex-rnn/model';
import { parseTaskSpec, centerOutConditions } from 'motor-cortex-rnn/sim';
import { jpca, tangling } from 'motor-cortex-rnn/analysis';

const [iterations = 300, hidden = 64] = process.argv.slice(2).map(Number);
const { tf, backend } = await initBackend('auto');
const config = parseTrainConfig({ iterations, batch: 16, network: { hidden }, gradientFlowEvery: 0 });
const state = await train(tf, config, initTrainState(config), {
  onIteration: (e) => {
    if (e.iteration % 50 === 0 || e.iteration === iterations) console.error(`iteration ${e.iteration}: loss ${e.loss.position.toFixed(4)}, endpoint error ${(e.endpointError * 100).toFixed(1)} cm`);
  },
});

// One trial per target, go cue at 0.3 s, noise-free, on the matter-js arm.
const arm = resolveArm(config.arm);
const task = parseTaskSpec(config.task);
const trials = centerOutConditions(arm, task, 0.3);
const rec = runClosedLoop(arm, networkSpecOf(config), state.params, trials, { engine: 'matter', feedback: config.feedback }, config.seed);

// Hidden activity is [conditions, times, units]; analyse from go to 0.5 s after it.
const shape = [trials.batch, rec.times.length, hidden];
const go = trials.goStep[0];
const window = [go, go + Math.round(0.5 / task.dt)];
const rotations = jpca(rec.hidden, shape, { dt: task.dt, numPCs: 6, timeIndices: window });
const tangle = tangling(rec.hidden, shape, { dt: task.dt, timeIndices: window });
const last = (rec.times.length - 1) * 2;
let endpointError = 0;
for (let c = 0; c < trials.batch; c++) {
  const i = c * rec.times.length * 2 + last;
  endpointError += Math.hypot(rec.handPosition[i] - trials.target[2 * c], rec.handPosition[i + 1] - trials.target[2 * c + 1]) / trials.batch;
}
console.log(JSON.stringify({
  backend,
  iterations: state.iteration,
  meanEndpointErrorM: endpointError,
  jpca: { rotationHz: rotations.rotationHz, R2_Mskew_kD: rotations.R2_Mskew_kD, R2_Mbest_kD: rotations.R2_Mbest_kD, varCaptEachPlane: Array.from(rotations.varCaptEachPlane) },
  tangling: tangle.summary,
}));
