/** An untrained center-out controller for the viewer's Node tests: what they check does not depend on the weights. */
import { createRng } from '../../core/random.ts';
import type { Checkpoint } from '../../model/checkpoint.ts';
import { initParams } from '../../model/network.ts';
import { networkSpecOf, parseTrainConfig, resolveArm } from '../../model/train.ts';

export function untrainedCheckpoint(hidden: number, seed: number): Checkpoint {
  const config = parseTrainConfig({ network: { hidden, outputScale: 0.3 }, task: { kind: 'center-out' } });
  const network = networkSpecOf(config);
  return {
    packageVersion: 'test',
    backend: 'none',
    config,
    arm: resolveArm(config.arm),
    network,
    params: initParams(network, createRng(seed)),
    training: { iterations: 0, finalLoss: { position: 0, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 0 }, endpointError: NaN },
  };
}
