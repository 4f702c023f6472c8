import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../../core/random.ts';
import { runTask } from '../../../experiments/parallel/analysis-tasks.ts';
import { findFixedPoints } from '../../../model/fixed-points.ts';
import { initParams, networkSpecSchema } from '../../../model/network.ts';

describe('analysis tasks run here', () => {
  it('one input array held under two networks: each start minimises its own network (the cached step map follows the weights)', () => {
    const spec = networkSpecSchema.parse({ kind: 'rnn', hidden: 6, inputs: 3, outputs: 2, dt: 0.01 });
    const rng = createRng(5);
    const input = [0.4, -0.2, 0.7];
    const starts = Array.from({ length: 6 }, () => 0.3 * normal(rng));
    for (const params of [initParams(spec, rng), initParams(spec, rng)]) {
      const piece = runTask('fixedPointStart', { spec, params, input, starts, s: 0 });
      // The whole search from this one start reaches the same minimum.
      const whole = findFixedPoints(spec, params, input, starts);
      expect(whole.points.some((p) => p.q === piece.q && Array.from(p.state).every((v, i) => v === piece.state[i]))).toBe(true);
    }
  });
});
