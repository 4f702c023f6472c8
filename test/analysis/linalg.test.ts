import { describe, expect, it } from 'vitest';
import {
  eigGeneral,
  fromRows,
  identity,
  leastSquares,
  matmul,
  matmulTN,
  matrix,
  qr,
  solve,
  svd,
  symmetricEigen,
  transpose,
  type Matrix,
} from '../../model/analysis/linalg.ts';

/** A 4 × 4 rotation (orthogonal, det 1) built from two plane rotations. */
function orthogonal4(): Matrix {
  const a = 0.7;
  const b = -1.1;
  const r1 = fromRows([
    [Math.cos(a), -Math.sin(a), 0, 0],
    [Math.sin(a), Math.cos(a), 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ]);
  const r2 = fromRows([
    [1, 0, 0, 0],
    [0, Math.cos(b), 0, -Math.sin(b)],
    [0, 0, 1, 0],
    [0, Math.sin(b), 0, Math.cos(b)],
  ]);
  const r3 = fromRows([
    [Math.cos(b), 0, -Math.sin(b), 0],
    [0, 1, 0, 0],
    [Math.sin(b), 0, Math.cos(b), 0],
    [0, 0, 0, 1],
  ]);
  return matmul(matmul(r1, r2), r3);
}

function diag(values: number[]): Matrix {
  const m = matrix(values.length, values.length);
  values.forEach((v, i) => (m.data[i * values.length + i] = v));
  return m;
}

describe('symmetric eigendecomposition (Jacobi)', () => {
  it('returns the eigenvalues of Q·diag(λ)·Qᵀ in descending order with eigenvectors Q (up to sign)', () => {
    const q = orthogonal4();
    const a = matmul(matmul(q, diag([2, -3, 7, 0.5])), transpose(q));
    const { values, vectors } = symmetricEigen(a);
    [7, 2, 0.5, -3].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 13));
    const expectedCols = [2, 0, 3, 1];
    expectedCols.forEach((src, dst) => {
      let d = 0;
      for (let i = 0; i < 4; i++) d += vectors.data[i * 4 + dst] * q.data[i * 4 + src];
      expect(Math.abs(d)).toBeCloseTo(1, 12);
    });
  });

  it('knows [[2, 1], [1, 2]] has eigenvalues 3 and 1', () => {
    const { values } = symmetricEigen(fromRows([[2, 1], [1, 2]]));
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
  });
});

describe('QR, SVD and least squares', () => {
  it('QR: Q has orthonormal columns, R is upper triangular, Q·R = A', () => {
    const a = fromRows([[1, 2], [3, 4], [5, 6], [7, 9]]);
    const { q, r } = qr(a);
    const qtq = matmulTN(q, q);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(qtq.data[i * 2 + j]).toBeCloseTo(i === j ? 1 : 0, 14);
    expect(r.data[2]).toBe(0);
    const back = matmul(q, r);
    for (let i = 0; i < a.data.length; i++) expect(back.data[i]).toBeCloseTo(a.data[i], 13);
  });

  it('SVD of U·diag(s)·Vᵀ recovers s = (5, 3, 1e-6) including the tiny value to high relative accuracy', () => {
    const q = orthogonal4();
    const u = matrix(4, 3);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) u.data[i * 3 + j] = q.data[i * 4 + j];
    const v3 = fromRows([
      [0.36, 0.48, -0.8],
      [-0.8, 0.6, 0],
      [0.48, 0.64, 0.6],
    ]);
    const a = matmul(matmul(u, diag([5, 3, 1e-6])), transpose(v3));
    const { s } = svd(a);
    expect(s[0]).toBeCloseTo(5, 13);
    expect(s[1]).toBeCloseTo(3, 13);
    expect(Math.abs(s[2] - 1e-6) / 1e-6).toBeLessThan(1e-8);
    const wide = svd(transpose(a)).s;
    expect(wide[0]).toBeCloseTo(5, 13);
  });

  it('least squares fits the line y = 1 + 2x exactly and returns the normal-equation solution for noisy data', () => {
    const xs = [0, 1, 2, 3, 4];
    const a = fromRows(xs.map((x) => [1, x]));
    const exact = leastSquares(a, fromRows(xs.map((x) => [1 + 2 * x])));
    expect(exact.data[0]).toBeCloseTo(1, 13);
    expect(exact.data[1]).toBeCloseTo(2, 13);
    // Data 0, 1, 1, 3, 4 → slope Σ(x−2)(y−1.8)/Σ(x−2)² = 10/10 = 1, intercept 1.8 − 2 = −0.2.
    const noisy = leastSquares(a, fromRows([[0], [1], [1], [3], [4]]));
    expect(noisy.data[0]).toBeCloseTo(-0.2, 13);
    expect(noisy.data[1]).toBeCloseTo(1, 13);
    expect(() => leastSquares(fromRows([[1, 2], [2, 4], [3, 6]]), fromRows([[1], [2], [3]]))).toThrow(/rank-deficient/);
  });

  it('solve: A·x = b for a small system with a known solution', () => {
    const x = solve(fromRows([[0, 2, 1], [1, 1, 0], [3, 0, 1]]), fromRows([[7], [3], [6]]));
    [1, 2, 3].forEach((v, i) => expect(x.data[i]).toBeCloseTo(v, 13));
  });
});

describe('general real eigenvalues (Hessenberg + QR)', () => {
  it('finds the roots 3, 2, 1 of x³ − 6x² + 11x − 6 from its companion matrix', () => {
    const e = eigGeneral(fromRows([[6, -11, 6], [1, 0, 0], [0, 1, 0]]));
    [3, 2, 1].forEach((v, i) => expect(e.re[i]).toBeCloseTo(v, 12));
    for (const v of e.im) expect(v).toBe(0);
  });

  it('finds a ± ib of a rotation-scaling block hidden by an orthogonal similarity, with eigenvectors satisfying A·v = λ·v', () => {
    const q = orthogonal4();
    const block = fromRows([
      [-0.2, -1.5, 0, 0],
      [1.5, -0.2, 0, 0],
      [0, 0, 0.3, 0],
      [0, 0, 0, -2],
    ]);
    const a = matmul(matmul(q, block), transpose(q));
    const e = eigGeneral(a);
    expect(e.re[0]).toBeCloseTo(0.3, 12);
    expect(e.im[0]).toBe(0);
    expect(e.re[1]).toBeCloseTo(-0.2, 12);
    expect(e.im[1]).toBeCloseTo(1.5, 12);
    expect(e.im[2]).toBeCloseTo(-1.5, 12);
    expect(e.re[3]).toBeCloseTo(-2, 12);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 4; i++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < 4; j++) {
          sr += a.data[i * 4 + j] * e.vectorsRe.data[j * 4 + k];
          si += a.data[i * 4 + j] * e.vectorsIm.data[j * 4 + k];
        }
        const vr = e.vectorsRe.data[i * 4 + k];
        const vi = e.vectorsIm.data[i * 4 + k];
        expect(sr).toBeCloseTo(e.re[k] * vr - e.im[k] * vi, 12);
        expect(si).toBeCloseTo(e.re[k] * vi + e.im[k] * vr, 12);
      }
    }
  });

  it('gives ±i·ω for a skew-symmetric generator and 1 (twice) for the identity', () => {
    const e = eigGeneral(fromRows([[0, -2], [2, 0]]));
    expect(e.im[0]).toBeCloseTo(2, 14);
    expect(e.im[1]).toBeCloseTo(-2, 14);
    const id = eigGeneral(identity(3));
    for (const v of id.re) expect(v).toBe(1);
  });
});
