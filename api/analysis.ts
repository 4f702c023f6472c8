/**
 * `motor-cortex-rnn/analysis`: population analyses on plain arrays, the ones motor-cortex papers use.
 *
 * Activity is a flat array in C order with shape [conditions, times, units] (any rate unit; bins of `dt`
 * seconds), so recordings from elsewhere (a `.npy` file, a MATLAB export) go in as they are. Everything
 * here is pure arithmetic: it runs in Node and in browsers, with no TensorFlow and no file system.
 *
 * @packageDocumentation
 */
export { pca, type PcaOptions, type PcaResult } from '../model/analysis/pca.ts';
export { jpca, MIN_ROTATIONAL_R2, type JpcaOptions, type JpcaResult, type JpcPlane, type JpcaCircStats } from '../model/analysis/jpca.ts';
export { tangling, type TanglingOptions, type TanglingResult, type TanglingSummary } from '../model/analysis/tangling.ts';
export { cosineTuning, windowMean, type TuningOptions, type TuningResult } from '../model/analysis/tuning.ts';
export {
  readoutSpaces,
  potentNullSplit,
  potentNullByEpoch,
  alignmentIndex,
  alignmentBaseline,
  randomAlignmentIndices,
  covariance,
  type ReadoutSpaces,
  type PotentNullSplit,
  type PotentNullOptions,
  type Epoch,
  type AlignmentResult,
  type AlignmentBaseline,
} from '../model/analysis/subspace.ts';
export { fitTme, sampleTme, tensorMarginals, type TmeModel, type TmeMode, type TmeFitOptions, type TensorMarginals } from '../model/analysis/tme.ts';
export { cmptSurrogate, type CmptOptions, type CmptSurrogate } from '../model/analysis/cmpt.ts';
export {
  nullModelTest,
  surrogatePValue,
  NULL_METHODS,
  type NullMethod,
  type NullTestOptions,
  type NullTestResult,
  type NullStatistic,
} from '../model/analysis/null-models.ts';
export { reachMetrics, minimumJerkPath, minimumJerkSpeed, type ReachOptions, type ReachMetrics } from '../model/analysis/kinematics.ts';
export { rayleighTest, axialRayleighTest, type RayleighResult, type AxialRayleighResult } from '../model/analysis/stats.ts';
export { matrix, fromRows, type Matrix } from '../model/analysis/linalg.ts';
export type { Shape3 } from '../model/analysis/population.ts';
export { findFixedPoints, linearize, type FixedPoint, type FixedPointOptions, type FixedPointSearch, type Linearization } from '../model/fixed-points.ts';
export { createRng, normal, uniform, type Rng } from '../core/random.ts';
