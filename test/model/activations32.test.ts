import { describe, expect, it } from 'vitest';
import { sigmoid32, tanh32 } from '../../model/cells/common.ts';

const grid = Array.from({ length: 40_001 }, (_, i) => -20 + i * 1e-3);

describe('the float32 nonlinearities of the batched cell steps', () => {
  it('tanh32 is within 2.61e-7 of tanh on [−20, 20], odd, strictly inside (−1, 1), and NaN stays NaN', () => {
    let worst = 0;
    for (const v of grid) {
      const y = tanh32(v);
      worst = Math.max(worst, Math.abs(y - Math.tanh(v)));
      expect(Math.abs(y)).toBeLessThan(1);
      expect(tanh32(-v)).toBe(-y);
    }
    expect(worst).toBeLessThanOrEqual(2.61e-7);
    expect(tanh32(0)).toBe(0);
    expect(1 - tanh32(1e6)).toBeLessThanOrEqual(2.61e-7);
    expect(Number.isNaN(tanh32(NaN))).toBe(true);
  });

  it('tanh32 rounds to the float32 of tanh within 3 ulp', () => {
    for (const v of grid) {
      const exact = Math.fround(Math.tanh(v));
      const ulp = Math.abs(Math.fround(exact + Math.sign(exact || 1) * 2 ** (Math.floor(Math.log2(Math.abs(exact) || 2 ** -126)) - 23)) - exact) || 2 ** -149;
      expect(Math.abs(Math.fround(tanh32(v)) - exact)).toBeLessThanOrEqual(3 * ulp);
    }
  });

  it('sigmoid32 is within 1.31e-7 of the logistic 1/(1 + e^−v), half of tanh32’s error', () => {
    let worst = 0;
    for (const v of grid) worst = Math.max(worst, Math.abs(sigmoid32(v) - 1 / (1 + Math.exp(-v))));
    expect(worst).toBeLessThanOrEqual(1.31e-7);
    expect(sigmoid32(0)).toBe(0.5);
  });
});
