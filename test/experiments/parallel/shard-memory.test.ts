import { describe, expect, it } from 'vitest';
import { batchRequest, createShardMemory, finishOutcome, readOutcome, readRequest, shardGradients, shardOutcomes, sharedParams, writeParams, writeRequest } from '../../../experiments/parallel/shard-memory.ts';
import { createRng } from '../../../core/random.ts';
import { planShards } from '../../../model/shards.ts';
import { parseTaskSpec, sampleTrials } from '../../../sim/tasks/task-spec.ts';
import { getBodyPreset } from '../../../sim/body.ts';

const shapes = { Wx: [3, 2], b: [2], bout: [1] };
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('weights and shard gradients in shared memory', () => {
  it('another thread\'s views of the weights hold the written bits exactly (−0, NaN payloads, subnormals)', () => {
    const memory = createShardMemory(shapes, 2, 4, 32);
    const params = {
      Wx: { shape: [3, 2], data: new Float32Array([-0, 1e-45, Number.NaN, 3.4028234663852886e38, -1.5, 0.1]) },
      b: { shape: [2], data: new Float32Array(new Uint32Array([0x7fc00001, 0xff800000]).buffer) },
      bout: { shape: [1], data: new Float32Array([2]) },
    };
    writeParams(sharedParams(memory), params);
    // A worker makes its own views of the posted memory.
    const seen = sharedParams(structuredClone(memory));
    for (const [name, p] of Object.entries(params)) {
      expect(seen[name].shape).toEqual(p.shape);
      expect(bits(seen[name].data)).toEqual(bits(p.data));
    }
  });

  it('each shard has its own gradient slot, the parameters\' sizes', () => {
    const memory = createShardMemory(shapes, 3, 4, 48);
    const slots = shardGradients(memory);
    expect(slots).toHaveLength(3);
    expect(slots.map((s) => Object.entries(s).map(([k, g]) => [k, g.length]))).toEqual(Array(3).fill([['Wx', 6], ['b', 2], ['bout', 1]]));
    slots[1].b.fill(7);
    slots[2].Wx.fill(8);
    expect([...slots[0].Wx, ...slots[0].b, ...slots[0].bout, ...slots[1].bout, ...slots[2].b]).toEqual(Array(12).fill(0));
    expect([...shardGradients(memory)[1].b]).toEqual([7, 7]);
  });

  it('refuses weights of another size than the layout', () => {
    const memory = createShardMemory(shapes, 1, 4, 16);
    expect(() => writeParams(sharedParams(memory), { Wx: { shape: [2, 2], data: new Float32Array(4) }, b: { shape: [2], data: new Float32Array(2) }, bout: { shape: [1], data: new Float32Array(1) } })).toThrow('parameter Wx has 4 values, expected 6');
  });

  it('a shard\'s losses, endpoint sums and gradient flow reach another thread\'s views exactly, once flagged finished in that batch', () => {
    const memory = createShardMemory(shapes, 3, 4, 48);
    const mine = shardOutcomes(memory);
    const theirs = shardOutcomes(structuredClone(memory));
    const grads = shardGradients(memory)[2];
    const loss = { position: 0.1, hold: -0, speed: 1e-300, effort: Number.NaN, activity: 3, weight: 0, total: Number.POSITIVE_INFINITY };
    const result = { index: 2, loss, endpointSum: 0.7, endpointCount: 13, grads, gradientFlowSquared: new Float64Array([1, 2, 3, 5e-324]) };
    expect(readOutcome(theirs, 9, 2, grads, true)).toBeNull();
    finishOutcome(mine, 9, result);
    expect(readOutcome(theirs, 8, 2, grads, true)).toBeNull();
    expect(readOutcome(theirs, 9, 1, grads, true)).toBeNull();
    expect(readOutcome(theirs, 9, 2, grads, true)).toEqual(result);
    expect(Object.is(readOutcome(theirs, 9, 2, grads, true)!.loss.hold, -0)).toBe(true);
    const { gradientFlowSquared: _, ...withoutFlow } = result;
    expect(readOutcome(theirs, 9, 2, grads, false)).toEqual(withoutFlow);
  });

  it('a batch\'s trials, shards and mode reach another thread\'s views exactly, with allocTrialBatch\'s fields', () => {
    const task = parseTaskSpec({ kind: 'mixed', duration: 0.3, delay: [0.05, 0.1] });
    const trials = sampleTrials(getBodyPreset('motornet').skeleton, task, 40, createRng(2));
    const shards = planShards(40, createRng(3));
    const memory = createShardMemory(shapes, shards.length, task.steps, 40);
    const theirs = batchRequest(structuredClone(memory));
    expect(readRequest(theirs)).toBeNull();
    writeRequest(batchRequest(memory), 5, trials, shards, 'gradientFlow');
    expect(readRequest(theirs)).toEqual({ number: 5, shards, mode: 'gradientFlow' });
    expect(Object.keys(theirs.trials)).toEqual(Object.keys(trials));
    for (const [key, value] of Object.entries(trials)) expect(theirs.trials[key as keyof typeof trials]).toEqual(value);
    writeRequest(batchRequest(memory), 6, trials, shards.slice(0, 1), 'gradients');
    expect(readRequest(theirs)).toEqual({ number: 6, shards: shards.slice(0, 1), mode: 'gradients' });
  });
});
