/**
 * `motor-cortex-rnn/model`: recurrent controllers (RNN, GRU, LSTM), their training through the
 * differentiable arm, checkpoints and the closed loop that records a trained controller reaching.
 *
 * Training runs on TensorFlow.js: get `tf` from `initBackend` ('tensorflow' needs the optional
 * @tensorflow/tfjs-node; 'wasm' and 'cpu' work everywhere). Time constants and delays are in s,
 * hidden activity is dimensionless (activity units), torques are in N·m.
 *
 * @packageDocumentation
 */
export { initBackend, BACKEND_CHOICES, type BackendChoice, type BackendName } from '../model/backend.ts';
export { CELL_KINDS, type CellKind, type StatePart, type StepMap } from '../model/cells/index.ts';
export { initParams, paramShapes, stateSize, type NetworkSpec, type NetworkParams, type Param } from '../model/network.ts';
export {
  parseTrainConfig,
  initTrainState,
  train,
  networkSpecOf,
  resolveArm,
  resolveBody,
  TrainingDivergedError,
  type TrainConfig,
  type TrainState,
  type TrainHooks,
  type IterationLog,
  type TrainOptions,
} from '../model/train.ts';
export type { LossSpec, LossComponents } from '../model/losses.ts';
export {
  parseCheckpoint,
  serializeCheckpoint,
  checkpointBody,
  summarizeTraining,
  CheckpointError,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type TrainingSummary,
} from '../model/checkpoint.ts';
export { runClosedLoop, type ClosedLoopOptions, type Recording, type InterventionRecord, type MuscleRecording } from '../model/closed-loop.ts';
export { createController, resetController, controllerAct, type Controller } from '../model/controller-step.ts';
export { stepMap } from '../model/fixed-points.ts';
