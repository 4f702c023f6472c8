// Analyse your own [conditions, times, units] recording: PCA, jPCA and tangling on plain arrays.
// Usage: node examples/analyse-recording.js [activity.npy bin-width-s first-bin last-bin]
//   activity.npy: float32/float64, shape [conditions, times, units], C order (e.g. condition-averaged
//   firing rates); bin width in s; the jPCA window is bins first…last (inclusive).
// Without arguments it makes a synthetic recording: 8 conditions whose 40 units mix one 2 Hz rotation
// started at a condition-specific phase, plus a little noise — jPCA should find that rotation.
import { readFileSync } from 'node:fs';
import { decodeNpy } from 'motor-cortex-rnn/io';
import { createRng, normal, jpca, pca, matrix, tangling } from 'motor-cortex-rnn/analysis';

function synthetic() {
  const [conditions, times, units, dt, hz] = [8, 50, 40, 0.01, 2];
  const rng = createRng(7);
  const mixing = Array.from({ length: units }, () => [normal(rng), normal(rng)]);
  const data = new Float64Array(conditions * times * units);
  for (let c = 0; c < conditions; c++) {
    for (let t = 0; t < times; t++) {
      const phase = 2 * Math.PI * (hz * t * dt + c / conditions);
      const [x, y] = [Math.cos(phase), Math.sin(phase)];
      for (let u = 0; u < units; u++) data[(c * times + t) * units + u] = mixing[u][0] * x + mixing[u][1] * y + 0.01 * normal(rng);
    }
  }
  return { data, shape: [conditions, times, units], dt, window: [0, times - 1] };
}

/** @param {string[]} args path, bin width (s), first and last bin of the jPCA window */
function fromFile([path, dt, first, last]) {
  const { data, shape } = decodeNpy(new Uint8Array(readFileSync(path)));
  if (shape.length !== 3) throw new Error(`${path}: expected [conditions, times, units], got shape [${shape}]`);
  return { data, shape, dt: Number(dt), window: [Number(first ?? 0), Number(last ?? shape[1] - 1)] };
}

const args = process.argv.slice(2);
const { data, shape, dt, window } = args.length > 0 ? fromFile(args) : synthetic();
const [conditions, times, units] = shape;

// PCA of all (condition, time) samples: a [conditions·times, units] matrix.
const pcs = pca(matrix(conditions * times, units, Float64Array.from(data)), { components: 6 });
const rotations = jpca(data, shape, { dt, numPCs: 6, timeIndices: window });
const tangle = tangling(data, shape, { dt, timeIndices: window });
console.log(JSON.stringify({
  shape,
  pcaVarianceExplained: Array.from(pcs.explainedFraction),
  jpca: {
    R2_Mbest_kD: rotations.R2_Mbest_kD,
    R2_Mskew_kD: rotations.R2_Mskew_kD,
    rotationHz: rotations.rotationHz,
    varCaptEachPlane: Array.from(rotations.varCaptEachPlane),
    warnings: rotations.warnings,
  },
  tanglingMedianPerS2: tangle.summary.median,
}));
