import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { CheckpointError, parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../model/checkpoint.ts';
import { initTrainState, networkSpecOf, parseTrainConfig, resolveArm } from '../../model/train.ts';

function makeCheckpoint(withResume: boolean): Checkpoint {
  const config = parseTrainConfig({ seed: 2, network: { hidden: 16 } });
  const state = initTrainState(config);
  state.rng = createRng(99);
  return {
    packageVersion: '0.0.0-test',
    backend: 'cpu',
    config,
    arm: resolveArm(config.arm),
    network: networkSpecOf(config),
    params: state.params,
    training: { iterations: 0, finalLoss: { position: 1, hold: 0, speed: 0, effort: 0, activity: 0, weight: 0, total: 1 }, endpointError: 0.01 },
    ...(withResume ? { resume: { adam: state.adam, rng: state.rng, lr: state.lr, badSteps: 0 } } : {}),
  };
}

describe('checkpoint file', () => {
  it('round-trips weights bit-exactly, with config, arm and optimizer state', () => {
    const ck = makeCheckpoint(true);
    const back = parseCheckpoint(serializeCheckpoint(ck));
    for (const [k, p] of Object.entries(ck.params)) {
      expect(back.params[k].shape).toEqual(p.shape);
      expect(Buffer.from(back.params[k].data.buffer, back.params[k].data.byteOffset, back.params[k].data.byteLength)).toEqual(
        Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength),
      );
    }
    expect(back.config).toEqual(ck.config);
    expect(back.arm).toEqual(ck.arm);
    expect(Array.from(back.resume!.rng.s)).toEqual(Array.from(ck.resume!.rng.s));
    expect(back.resume!.adam.step).toBe(ck.resume!.adam.step);
  });

  it('a truncated file is reported as truncated', () => {
    const text = serializeCheckpoint(makeCheckpoint(false));
    expect(() => parseCheckpoint(text.slice(0, Math.floor(text.length / 2)), 'ck.json')).toThrow(/ck\.json is truncated/);
  });

  it('a flipped character in the weights is caught by the checksum', () => {
    const text = serializeCheckpoint(makeCheckpoint(false));
    const i = text.indexOf('"base64":"') + 20;
    const flipped = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    expect(() => parseCheckpoint(flipped, 'ck.json')).toThrow(/corrupted: checksum mismatch/);
  });

  it('a file from another program, another version or another network shape is refused with the reason', () => {
    expect(() => parseCheckpoint('{"hello": 1}', 'x.json')).toThrow(/not a reach checkpoint/);
    const text = serializeCheckpoint(makeCheckpoint(false));
    expect(() => parseCheckpoint(text.replace('"version":1', '"version":7'), 'x.json')).toThrow(/version 7/);
    const ck = makeCheckpoint(false);
    ck.params.Wx = { shape: [3, 3], data: new Float32Array(9) };
    expect(() => parseCheckpoint(serializeCheckpoint(ck), 'x.json')).toThrow(/parameter 'Wx' has shape \[3,3\]/);
    const bad = makeCheckpoint(false);
    bad.params.b.data[0] = NaN;
    expect(() => parseCheckpoint(serializeCheckpoint(bad), 'x.json')).toThrow(CheckpointError);
  });
});
