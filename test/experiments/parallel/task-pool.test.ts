import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, normal } from '../../../core/random.ts';
import { initParams, networkSpecSchema } from '../../../model/network.ts';
import { serialMap } from '../../../experiments/parallel/analysis-tasks.ts';
import { startTaskPool, type TaskPool } from '../../../experiments/parallel/task-pool.ts';

let pool: TaskPool;
beforeAll(async () => {
  pool = await startTaskPool(2);
});
afterAll(async () => {
  await pool.dispose();
});

describe('analysis tasks on worker threads', () => {
  it('fixed-point searches give the serial results, in input order, whichever worker ran them', () => {
    const spec = networkSpecSchema.parse({ kind: 'gru', hidden: 12, inputs: 11, outputs: 2, dt: 0.01 });
    const rng = createRng(2);
    const tasks = Array.from({ length: 5 }, () => ({
      spec,
      params: initParams(spec, rng),
      input: Array.from({ length: 11 }, () => normal(rng)),
      starts: Array.from({ length: 3 * 12 }, () => 0.3 * normal(rng)),
    }));
    const serial = serialMap('fixedPoints', tasks);
    expect(pool.threads).toBe(2);
    expect(pool.map('fixedPoints', tasks)).toEqual(serial);
    // A second call on the same pool: nothing of the first is left over.
    expect(pool.map('fixedPoints', tasks.slice(2))).toEqual(serial.slice(2));
  });

  it('a failing task fails the call with its message, and the pool serves the next call', () => {
    const spec = networkSpecSchema.parse({ kind: 'rnn', hidden: 4, inputs: 11, outputs: 2, dt: 0.01 });
    const params = initParams(spec, createRng(1));
    const good = { spec, params, input: new Array<number>(11).fill(0), starts: [0.1, 0.2, 0.3, 0.4] };
    expect(() => pool.map('fixedPoints', [good, { ...good, starts: [1, 2, 3] }])).toThrow(/starting states must be \[starts, 4\]/);
    expect(pool.map('fixedPoints', [good])).toEqual(serialMap('fixedPoints', [good]));
  });
});
