import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../core/random.ts';
import { fitExponential, preparatoryShift, signedPerpendicularDeviation } from '../../model/analysis/adaptation.ts';

describe('adaptation measures', () => {
  it('a path bending to the right of an upward reach has a negative deviation equal to its largest lateral offset', () => {
    // Reach from (0, 0) to (0, 0.1) bowing right: x = 0.02·sin(π·s).
    const path: number[] = [];
    for (let i = 0; i <= 50; i++) path.push(0.02 * Math.sin((Math.PI * i) / 50), (0.1 * i) / 50);
    expect(signedPerpendicularDeviation(path, [0, 0], [0, 0.1], 0, 50)).toBeCloseTo(-0.02, 10);
    const mirrored = path.map((v, i) => (i % 2 === 0 ? -v : v));
    expect(signedPerpendicularDeviation(mirrored, [0, 0], [0, 0.1], 0, 50)).toBeCloseTo(0.02, 10);
  });

  it('the exponential fit recovers the time constant, amplitude and asymptote of a noisy decay', () => {
    const rng = createRng(2);
    const x = Array.from({ length: 150 }, (_, k) => k);
    const y = x.map((k) => 0.005 + 0.03 * Math.exp(-k / 20) + 0.0005 * normal(rng));
    const f = fitExponential(x, y);
    expect(f.tau).toBeGreaterThan(18);
    expect(f.tau).toBeLessThan(22);
    expect(f.amplitude).toBeCloseTo(0.03, 2);
    expect(f.asymptote).toBeCloseTo(0.005, 3);
    expect(f.r2).toBeGreaterThan(0.95);
  });

  it('a shift orthogonal to the readout lies wholly in the output-null space, a shift along it wholly in the potent space; equal shifts are uniform', () => {
    const n = 4;
    const C = 3;
    const wOut = [1, 0, 0, 0, 0, 1, 0, 0]; // outputs read units 0 and 1
    const before = new Array<number>(C * n).fill(0);
    const nullShift = Array.from({ length: C * n }, (_, i) => (i % n === 2 ? 0.5 : 0));
    const a = preparatoryShift(before, nullShift, C, wOut, 2);
    expect(a.nullFraction).toBeCloseTo(1, 12);
    expect(a.chanceNullFraction).toBe(0.5);
    expect(a.meanPairwiseCosine).toBeCloseTo(1, 12);
    expect(a.uniformity).toBeCloseTo(1, 12);
    const potentShift = Array.from({ length: C * n }, (_, i) => (i % n === 0 ? (i < n ? 1 : -1) : 0));
    const b = preparatoryShift(before, potentShift, C, wOut, 2);
    expect(b.nullFraction).toBeCloseTo(0, 12);
    expect(b.uniformity).toBeCloseTo(1 / 3, 12);
  });
});
