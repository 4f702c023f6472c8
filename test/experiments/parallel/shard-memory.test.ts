import { describe, expect, it } from 'vitest';
import { createShardMemory, shardGradients, sharedParams, writeParams } from '../../../experiments/parallel/shard-memory.ts';

const shapes = { Wx: [3, 2], b: [2], bout: [1] };
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('weights and shard gradients in shared memory', () => {
  it('another thread\'s views of the weights hold the written bits exactly (−0, NaN payloads, subnormals)', () => {
    const memory = createShardMemory(shapes, 2);
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
    const memory = createShardMemory(shapes, 3);
    const slots = shardGradients(memory);
    expect(slots).toHaveLength(3);
    expect(slots.map((s) => Object.entries(s).map(([k, g]) => [k, g.length]))).toEqual(Array(3).fill([['Wx', 6], ['b', 2], ['bout', 1]]));
    slots[1].b.fill(7);
    slots[2].Wx.fill(8);
    expect([...slots[0].Wx, ...slots[0].b, ...slots[0].bout, ...slots[1].bout, ...slots[2].b]).toEqual(Array(12).fill(0));
    expect([...shardGradients(memory)[1].b]).toEqual([7, 7]);
  });

  it('refuses weights of another size than the layout', () => {
    const memory = createShardMemory(shapes, 1);
    expect(() => writeParams(sharedParams(memory), { Wx: { shape: [2, 2], data: new Float32Array(4) }, b: { shape: [2], data: new Float32Array(2) }, bout: { shape: [1], data: new Float32Array(1) } })).toThrow('parameter Wx has 4 values, expected 6');
  });
});
