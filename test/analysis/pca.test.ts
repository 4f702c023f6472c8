import { describe, expect, it } from 'vitest';
import { pca } from '../../model/analysis/pca.ts';
import { fromRows } from '../../model/analysis/linalg.ts';

describe('PCA', () => {
  // Four points ±(2, 0), ±(0, 1) rotated by 30°, shifted by (5, −1): covariance has eigenvalues
  // 8/3 (along (cos 30°, sin 30°)) and 2/3 (along (−sin 30°, cos 30°)), total 10/3.
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const pts = [
    [2, 0],
    [0, 1],
    [-2, 0],
    [0, -1],
  ].map(([x, y]) => [5 + c * x - s * y, -1 + s * x + c * y]);
  const r = pca(fromRows(pts));

  it('recovers the hand-computed variances 8/3 and 2/3 and fractions 0.8, 0.2', () => {
    expect(r.variances[0]).toBeCloseTo(8 / 3, 13);
    expect(r.variances[1]).toBeCloseTo(2 / 3, 13);
    expect(r.explainedFraction[0]).toBeCloseTo(0.8, 13);
    expect(r.totalVariance).toBeCloseTo(10 / 3, 13);
    expect(r.mean[0]).toBeCloseTo(5, 13);
    expect(r.mean[1]).toBeCloseTo(-1, 13);
  });

  it('recovers the components up to sign, and scores ±2 / ±1 along them', () => {
    expect(Math.abs(r.loadings.data[0] * c + r.loadings.data[2] * s)).toBeCloseTo(1, 13);
    expect(Math.abs(-r.loadings.data[1] * s + r.loadings.data[3] * c)).toBeCloseTo(1, 13);
    expect(Math.abs(r.scores.data[0])).toBeCloseTo(2, 13);
    expect(Math.abs(r.scores.data[3])).toBeCloseTo(1, 13);
  });

  it('makes the largest-magnitude loading of each component positive', () => {
    for (let k = 0; k < 2; k++) {
      const col = [r.loadings.data[k], r.loadings.data[2 + k]];
      const big = Math.abs(col[0]) >= Math.abs(col[1]) ? col[0] : col[1];
      expect(big).toBeGreaterThan(0);
    }
  });

  it('rejects too many components', () => {
    expect(() => pca(fromRows(pts), { components: 3 })).toThrow(/components/);
  });
});
