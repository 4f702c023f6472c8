import { describe, expect, it } from 'vitest';
import { alignmentBaseline, alignmentIndex, potentNullByEpoch, potentNullSplit, randomAlignmentIndices, readoutSpaces } from '../../model/analysis/subspace.ts';
import { fromRows, matmul, matmulTN, matrix, transpose, type Matrix } from '../../model/analysis/linalg.ts';

/** Two samples ±a_i on unit axis i for each amplitude: zero mean, variance along axis i proportional to a_i². */
function axisSamples(units: number, amps: number[]): Matrix {
  const x = matrix(2 * amps.length, units);
  amps.forEach((a, i) => {
    x.data[2 * i * units + i] = a;
    x.data[(2 * i + 1) * units + i] = -a;
  });
  return x;
}

function rotation3(): Matrix {
  const a = 0.4;
  const b = 1.2;
  const rz = fromRows([
    [Math.cos(a), -Math.sin(a), 0],
    [Math.sin(a), Math.cos(a), 0],
    [0, 0, 1],
  ]);
  const rx = fromRows([
    [1, 0, 0],
    [0, Math.cos(b), -Math.sin(b)],
    [0, Math.sin(b), Math.cos(b)],
  ]);
  return matmul(rz, rx);
}

describe('output-potent / output-null split (Kaufman et al. 2014)', () => {
  it('reads units 1–2 out: variance 1 on unit 1, 4 on unit 3 ⇒ potent 1/5, null 4/5; rank 2', () => {
    const w = fromRows([
      [2, 0, 0],
      [0, -1, 0],
    ]);
    const x = axisSamples(3, [1, 0, 2]);
    const s = potentNullSplit(x, w);
    expect(s.rank).toBe(2);
    expect(s.potentFraction).toBeCloseTo(0.2, 14);
    expect(s.nullFraction).toBeCloseTo(0.8, 14);
    expect(s.potentVariance + s.nullVariance).toBeCloseTo(s.totalVariance, 14);
  });

  it('is invariant to rotating both the readout and the activity, and the bases are orthonormal complements', () => {
    const q = rotation3();
    const w = matmul(fromRows([[2, 0, 0], [0, -1, 0]]), transpose(q));
    const x = matmul(axisSamples(3, [1, 0, 2]), transpose(q));
    expect(potentNullSplit(x, w).potentFraction).toBeCloseTo(0.2, 13);
    const sp = readoutSpaces(w);
    const both = matrix(3, 3);
    for (let i = 0; i < 3; i++) {
      both.data[i * 3] = sp.potent.data[i * 2];
      both.data[i * 3 + 1] = sp.potent.data[i * 2 + 1];
      both.data[i * 3 + 2] = sp.null.data[i];
    }
    const g = matmulTN(both, both);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(g.data[i * 3 + j]).toBeCloseTo(i === j ? 1 : 0, 13);
    // Activity in the null space does not move the output: W·null = 0.
    const wn = matmul(w, sp.null);
    for (const v of wn.data) expect(Math.abs(v)).toBeLessThan(1e-14);
  });

  it('splits each epoch of a [conditions, times, units] cube (preparatory activity null, movement activity potent)', () => {
    const w = fromRows([[1, 0]]);
    const cube = new Float64Array(2 * 4 * 2);
    // times 0–1: ±1 on unit 2 (null); times 2–3: ±1 on unit 1 (potent).
    [1, -1].forEach((sign, c) => {
      cube[(c * 4 + 0) * 2 + 1] = sign;
      cube[(c * 4 + 1) * 2 + 1] = sign;
      cube[(c * 4 + 2) * 2 + 0] = sign;
      cube[(c * 4 + 3) * 2 + 0] = sign;
    });
    const [prep, move] = potentNullByEpoch(cube, [2, 4, 2], w, [
      { name: 'prep', first: 0, last: 1 },
      { name: 'move', first: 2, last: 3 },
    ]);
    expect(prep.nullFraction).toBeCloseTo(1, 14);
    expect(move.potentFraction).toBeCloseTo(1, 14);
  });
});

describe('alignment index (Elsayed et al. 2016)', () => {
  it('is 0 for orthogonal subspaces, 1 for identical ones, a/b for a partial overlap', () => {
    const prep = axisSamples(4, [3, 2, 0, 0]);
    expect(alignmentIndex(prep, axisSamples(4, [0, 0, 3, 1]), 2).index).toBeCloseTo(0, 14);
    expect(alignmentIndex(prep, axisSamples(4, [2, 1, 0, 0]), 2).index).toBeCloseTo(1, 14);
    // k = 1: prep PC1 = unit 1; movement variance 1 (unit 1) and 4 (unit 3) ⇒ 1/4.
    expect(alignmentIndex(axisSamples(4, [3, 0, 0, 0]), axisSamples(4, [1, 0, 2, 0]), 1).index).toBeCloseTo(0.25, 14);
  });

  it('random subspaces drawn from the data space give indices within [0, 1]', () => {
    const prep = axisSamples(4, [3, 2, 0.5, 0.1]);
    const move = axisSamples(4, [0.2, 0.5, 3, 1]);
    const r = randomAlignmentIndices(alignmentBaseline(prep, move, 2), 5, 0, 50);
    for (const v of r) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('sample s of the chance distribution depends only on the seed and s: drawn in pieces, the same values', () => {
    const baseline = alignmentBaseline(axisSamples(4, [3, 2, 0.5, 0.1]), axisSamples(4, [0.2, 0.5, 3, 1]), 2);
    const whole = randomAlignmentIndices(baseline, 5, 0, 50);
    const pieces = [randomAlignmentIndices(baseline, 5, 0, 20), randomAlignmentIndices(baseline, 5, 20, 30)];
    expect(Float64Array.from([...pieces[0], ...pieces[1]])).toEqual(whole);
    expect(new Set(whole).size).toBe(50);
  });
});
