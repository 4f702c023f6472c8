/**
 * Small dense linear algebra for the population analyses: row-major Float64Array matrices, products,
 * symmetric eigendecomposition (cyclic Jacobi), thin QR (Householder), thin SVD (QR, then one-sided
 * Jacobi on R), least squares, and eigenvalues/eigenvectors of general real matrices (Hessenberg
 * reduction, then complex single-shift QR to Schur form, then back-substitution). Written for the
 * sizes met here (tens to a few hundred columns); all routines are O(n³) and allocation-light.
 */

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

const EPS = 2.220446049250313e-16;

/** A rows × cols matrix of zeros, or wrapping `data` (not copied) when given. */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`invalid matrix shape ${rows} × ${cols}`);
  }
  if (data && data.length !== rows * cols) {
    throw new Error(`matrix ${rows} × ${cols} needs ${rows * cols} elements, got ${data.length}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** A matrix from nested arrays (one inner array per row). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = matrix(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new Error(`row ${i} has ${rows[i].length} entries, expected ${c}`);
    for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
  }
  return m;
}

/** The n × n identity. */
export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Aᵀ. */
export function transpose(a: Matrix): Matrix {
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** A·B. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols} do not conform`);
  const out = matrix(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const oi = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) out.data[oi + j] += aik * b.data[bk + j];
    }
  }
  return out;
}

/** Aᵀ·B without forming Aᵀ. */
export function matmulTN(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new Error(`matmulTN: (${a.rows}×${a.cols})ᵀ · ${b.rows}×${b.cols} do not conform`);
  const out = matrix(a.cols, b.cols);
  const n = b.cols;
  for (let k = 0; k < a.rows; k++) {
    const ak = k * a.cols;
    const bk = k * n;
    for (let i = 0; i < a.cols; i++) {
      const aki = a.data[ak + i];
      if (aki === 0) continue;
      const oi = i * n;
      for (let j = 0; j < n; j++) out.data[oi + j] += aki * b.data[bk + j];
    }
  }
  return out;
}

/** A·Bᵀ without forming Bᵀ. */
export function matmulNT(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new Error(`matmulNT: ${a.rows}×${a.cols} · (${b.rows}×${b.cols})ᵀ do not conform`);
  const out = matrix(a.rows, b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[j * b.cols + k];
      out.data[i * b.rows + j] = s;
    }
  }
  return out;
}

/** A·x for a vector x. */
export function matVec(a: Matrix, x: Float64Array): Float64Array {
  if (a.cols !== x.length) throw new Error(`matVec: ${a.rows}×${a.cols} · vector of ${x.length} do not conform`);
  const y = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** Columns [start, end) of A as a new matrix. */
export function sliceCols(a: Matrix, start: number, end: number): Matrix {
  const w = end - start;
  const out = matrix(a.rows, w);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols + start, i * a.cols + end), i * w);
  return out;
}

/** Column j of A as a vector. */
export function column(a: Matrix, j: number): Float64Array {
  const v = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) v[i] = a.data[i * a.cols + j];
  return v;
}

/** Sum of squared elements (squared Frobenius norm). */
export function sumSquares(a: Matrix | Float64Array): number {
  const d = a instanceof Float64Array ? a : a.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return s;
}

/** Dot product of two equal-length vectors. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** Euclidean norm. */
export function norm(x: ArrayLike<number>): number {
  return Math.sqrt(dot(x, x));
}

/** Symmetric eigendecomposition: A = V·diag(values)·Vᵀ, values descending, eigenvectors in V's columns. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Matrix;
}

/**
 * Cosine and sine of the Jacobi rotation that zeroes an off-diagonal entry, from ζ = (a_qq − a_pp)/(2a_pq):
 * the smaller root t = sign(ζ)/(|ζ| + √(1 + ζ²)) keeps the rotation below 45° (Golub & Van Loan §8.5).
 */
function jacobiRotation(zeta: number): [number, number] {
  const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
  const c = 1 / Math.sqrt(1 + t * t);
  return [c, c * t];
}

/**
 * Eigendecomposition of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan §8.5), which
 * is accurate to working precision in every eigenvalue and gives orthonormal eigenvectors. Only the
 * symmetric part of the input is used.
 */
export function symmetricEigen(input: Matrix): SymmetricEigen {
  const n = input.rows;
  if (input.cols !== n) throw new Error(`symmetricEigen needs a square matrix, got ${input.rows}×${input.cols}`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (input.data[i * n + j] + input.data[j * n + i]);
  }
  const v = identity(n).data;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= EPS * EPS * total * 1e-4 || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        if (Math.abs(apq) < EPS * 1e-3 * Math.sqrt(Math.abs(app * aqq)) && sweep > 3) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        const [c, s] = jacobiRotation((aqq - app) / (2 * apq));
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const vectors = matrix(n, n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src];
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** Thin QR factorisation A = Q·R of an m × n matrix with m ≥ n: Q is m × n with orthonormal columns, R is n × n upper triangular. */
export interface QR {
  q: Matrix;
  r: Matrix;
}

/**
 * Householder QR (Golub & Van Loan Alg. 5.2.1), with the thin Q formed explicitly unless
 * `wantQ` is false (then `q` is a 0 × 0 matrix). Works on columns stored contiguously, which keeps
 * the tall-and-thin case (many samples, few units) cache-friendly.
 */
export function qr(a: Matrix, wantQ = true): QR {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new Error(`qr needs rows ≥ cols, got ${m}×${n}`);
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = a.data[i * n + j];
    cols.push(c);
  }
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ck = cols[k];
    let sigma = 0;
    for (let i = k; i < m; i++) sigma += ck[i] * ck[i];
    const alpha = Math.sqrt(sigma);
    const v = new Float64Array(m - k);
    vs.push(v);
    if (alpha === 0) continue;
    const x0 = ck[k];
    const u0 = x0 >= 0 ? x0 + alpha : x0 - alpha;
    v[0] = 1;
    let vtv = 1;
    for (let i = k + 1; i < m; i++) {
      v[i - k] = ck[i] / u0;
      vtv += v[i - k] * v[i - k];
    }
    const beta = 2 / vtv;
    betas[k] = beta;
    for (let j = k; j < n; j++) applyReflector(cols[j], v, beta, k);
  }
  const r = matrix(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r.data[i * n + j] = cols[j][i];
  if (!wantQ) return { q: matrix(0, 0), r };
  const qCols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(m);
    e[j] = 1;
    for (let k = Math.min(j, n - 1); k >= 0; k--) if (betas[k] !== 0) applyReflector(e, vs[k], betas[k], k);
    qCols.push(e);
  }
  const q = matrix(m, n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) q.data[i * n + j] = qCols[j][i];
  return { q, r };
}

/** x[k:] ← (I − β·v·vᵀ)·x[k:]. */
function applyReflector(x: Float64Array, v: Float64Array, beta: number, k: number): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * x[k + i];
  s *= beta;
  if (s === 0) return;
  for (let i = 0; i < v.length; i++) x[k + i] -= s * v[i];
}

/** Thin SVD A = U·diag(s)·Vᵀ of an m × n matrix: U m × r, s (descending, ≥ 0) of length r, V n × r, r = min(m, n). */
export interface SVD {
  u: Matrix;
  s: Float64Array;
  v: Matrix;
}

/**
 * Thin SVD. For m ≥ n the matrix is first reduced by QR, then R is diagonalised by one-sided
 * (Hestenes) Jacobi rotations, which give small singular values to high relative accuracy
 * (Demmel & Veselić 1992); for m < n the transpose is decomposed and the factors swapped.
 * With `wantU` false (honoured for m ≥ n) U is skipped and returned as a 0 × 0 matrix.
 */
export function svd(a: Matrix, wantU = true): SVD {
  if (a.rows < a.cols) {
    const t = svd(transpose(a));
    return { u: t.v, s: t.s, v: t.u };
  }
  const n = a.cols;
  const { q, r } = qr(a, wantU);
  const w = Float64Array.from(r.data);
  const v = identity(n).data;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let k = p + 1; k < n; k++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          const x = w[i * n + p];
          const y = w[i * n + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const [c, s] = jacobiRotation((beta - alpha) / (2 * gamma));
        for (let i = 0; i < n; i++) {
          const x = w[i * n + p];
          const y = w[i * n + k];
          w[i * n + p] = c * x - s * y;
          w[i * n + k] = s * x + c * y;
          const vx = v[i * n + p];
          const vy = v[i * n + k];
          v[i * n + p] = c * vx - s * vy;
          v[i * n + k] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i * n + j] * w[i * n + j];
    sv[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => sv[j] - sv[i]);
  const s = new Float64Array(n);
  const ur = matrix(n, n);
  const vOut = matrix(n, n);
  const tol = (order.length > 0 ? sv[order[0]] : 0) * n * EPS;
  order.forEach((src, dst) => {
    s[dst] = sv[src];
    for (let i = 0; i < n; i++) {
      vOut.data[i * n + dst] = v[i * n + src];
      ur.data[i * n + dst] = sv[src] > tol && sv[src] > 0 ? w[i * n + src] / sv[src] : 0;
    }
  });
  if (!wantU) return { u: matrix(0, 0), s, v: vOut };
  completeOrthonormalColumns(ur, s, tol);
  return { u: matmul(q, ur), s, v: vOut };
}

/** Replace the columns of a square U that belong to (numerically) zero singular values by an orthonormal completion. */
function completeOrthonormalColumns(u: Matrix, s: Float64Array, tol: number): void {
  const n = u.rows;
  for (let j = 0; j < n; j++) {
    if (s[j] > tol && s[j] > 0) continue;
    for (let e = 0; e < n; e++) {
      const cand = new Float64Array(n);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let other = 0; other < n; other++) {
          if (other === j) continue;
          let d = 0;
          for (let i = 0; i < n; i++) d += u.data[i * n + other] * cand[i];
          for (let i = 0; i < n; i++) cand[i] -= d * u.data[i * n + other];
        }
      }
      const nn = norm(cand);
      if (nn > 0.5) {
        for (let i = 0; i < n; i++) u.data[i * n + j] = cand[i] / nn;
        break;
      }
    }
  }
}

/**
 * Least-squares solution X of A·X ≈ B (A m × n with m ≥ n and full column rank, B m × p), by
 * Householder QR: X = R⁻¹·Qᵀ·B. Throws when A is rank-deficient, naming the condition.
 */
export function leastSquares(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new Error(`leastSquares: A has ${a.rows} rows but B has ${b.rows}`);
  if (a.rows < a.cols) {
    throw new Error(`leastSquares: ${a.rows} equations for ${a.cols} unknowns (underdetermined)`);
  }
  const { q, r } = qr(a);
  const n = a.cols;
  let rmax = 0;
  for (let i = 0; i < n; i++) rmax = Math.max(rmax, Math.abs(r.data[i * n + i]));
  for (let i = 0; i < n; i++) {
    if (Math.abs(r.data[i * n + i]) <= rmax * Math.max(a.rows, n) * EPS) {
      throw new Error(`leastSquares: the design matrix (${a.rows}×${n}) is rank-deficient`);
    }
  }
  const qtb = matmulTN(q, b);
  const p = b.cols;
  const x = matrix(n, p);
  for (let j = 0; j < p; j++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = qtb.data[i * p + j];
      for (let k = i + 1; k < n; k++) s -= r.data[i * n + k] * x.data[k * p + j];
      x.data[i * p + j] = s / r.data[i * n + i];
    }
  }
  return x;
}

/** Solve the square system A·X = B by LU with partial pivoting; throws if A is singular. */
export function solve(a: Matrix, b: Matrix): Matrix {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`solve needs a square matrix, got ${a.rows}×${a.cols}`);
  if (b.rows !== n) throw new Error(`solve: A is ${n}×${n} but B has ${b.rows} rows`);
  const lu = Float64Array.from(a.data);
  const p = b.cols;
  const x = Float64Array.from(b.data);
  let scale = 0;
  for (let i = 0; i < lu.length; i++) scale = Math.max(scale, Math.abs(lu[i]));
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[piv * n + k])) piv = i;
    if (Math.abs(lu[piv * n + k]) <= scale * n * EPS) throw new Error(`solve: the ${n}×${n} matrix is singular`);
    if (piv !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[piv * n + j]] = [lu[piv * n + j], lu[k * n + j]];
      for (let j = 0; j < p; j++) [x[k * p + j], x[piv * p + j]] = [x[piv * p + j], x[k * p + j]];
    }
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k] / lu[k * n + k];
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
      for (let j = 0; j < p; j++) x[i * p + j] -= f * x[k * p + j];
    }
  }
  for (let j = 0; j < p; j++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * p + j];
      for (let k = i + 1; k < n; k++) s -= lu[i * n + k] * x[k * p + j];
      x[i * p + j] = s / lu[i * n + i];
    }
  }
  return matrix(n, p, x);
}

/** Eigenvalues (and unit-norm eigenvectors in columns) of a general real square matrix, as real and imaginary parts. */
export interface GeneralEigen {
  /** Real parts of the eigenvalues, ordered by decreasing real part (conjugate pairs adjacent, +imag first). */
  re: Float64Array;
  /** Imaginary parts (exactly 0 for real eigenvalues; conjugate pairs exactly opposite). */
  im: Float64Array;
  /** Real parts of the eigenvectors, column i for eigenvalue i: [n, n]. */
  vectorsRe: Matrix;
  /** Imaginary parts of the eigenvectors: [n, n]. */
  vectorsIm: Matrix;
}

/**
 * Eigen-decomposition of a general real matrix: Householder reduction to Hessenberg form, complex
 * single-shift QR iterations with Wilkinson shifts to a complex Schur form T = Zᴴ·A·Z, eigenvectors
 * of T by back-substitution mapped back through Z (the LAPACK xHSEQR/xTREVC route). Real
 * eigenvalues are returned with zero imaginary part and real eigenvectors; complex ones as exact
 * conjugate pairs. Meant for small matrices (jPCA's k × k, fixed-point Jacobians).
 */
export function eigGeneral(a: Matrix): GeneralEigen {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`eigGeneral needs a square matrix, got ${a.rows}×${a.cols}`);
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i])) throw new Error('eigGeneral: the matrix has non-finite entries');
  }
  const { h, z } = hessenberg(a);
  const hr = h.data;
  const hi = new Float64Array(n * n);
  const zr = z.data;
  const zi = new Float64Array(n * n);
  let anorm = 0;
  for (let i = 0; i < n * n; i++) anorm = Math.max(anorm, Math.abs(hr[i]));
  schurComplex(n, hr, hi, zr, zi, anorm);

  const evRe = new Float64Array(n);
  const evIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    evRe[i] = hr[i * n + i];
    evIm[i] = hi[i * n + i];
  }
  const vecRe = new Float64Array(n * n);
  const vecIm = new Float64Array(n * n);
  const small = Math.max(anorm, Number.MIN_VALUE) * EPS;
  for (let k = 0; k < n; k++) {
    const yr = new Float64Array(n);
    const yi = new Float64Array(n);
    yr[k] = 1;
    for (let i = k - 1; i >= 0; i--) {
      let sr = 0;
      let si = 0;
      for (let j = i + 1; j <= k; j++) {
        const tr = hr[i * n + j];
        const ti = hi[i * n + j];
        sr += tr * yr[j] - ti * yi[j];
        si += tr * yi[j] + ti * yr[j];
      }
      let dr = hr[i * n + i] - evRe[k];
      let di = hi[i * n + i] - evIm[k];
      if (Math.hypot(dr, di) < small) {
        dr = small;
        di = 0;
      }
      const den = dr * dr + di * di;
      yr[i] = -(sr * dr + si * di) / den;
      yi[i] = -(si * dr - sr * di) / den;
    }
    for (let row = 0; row < n; row++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j <= k; j++) {
        sr += zr[row * n + j] * yr[j] - zi[row * n + j] * yi[j];
        si += zr[row * n + j] * yi[j] + zi[row * n + j] * yr[j];
      }
      vecRe[row * n + k] = sr;
      vecIm[row * n + k] = si;
    }
  }
  return pairConjugates(n, evRe, evIm, vecRe, vecIm, anorm);
}

/** Householder reduction to upper Hessenberg form: A = Z·H·Zᵀ. */
function hessenberg(a: Matrix): { h: Matrix; z: Matrix } {
  const n = a.rows;
  const h = Float64Array.from(a.data);
  const z = identity(n).data;
  for (let k = 0; k < n - 2; k++) {
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += h[i * n + k] * h[i * n + k];
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    const x0 = h[(k + 1) * n + k];
    const u0 = x0 >= 0 ? x0 + alpha : x0 - alpha;
    const v = new Float64Array(n);
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = h[i * n + k] / u0;
    let vtv = 0;
    for (let i = k + 1; i < n; i++) vtv += v[i] * v[i];
    const beta = 2 / vtv;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i] * h[i * n + j];
      s *= beta;
      for (let i = k + 1; i < n; i++) h[i * n + j] -= s * v[i];
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += h[i * n + j] * v[j];
      s *= beta;
      for (let j = k + 1; j < n; j++) h[i * n + j] -= s * v[j];
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += z[i * n + j] * v[j];
      s *= beta;
      for (let j = k + 1; j < n; j++) z[i * n + j] -= s * v[j];
    }
    for (let i = k + 2; i < n; i++) h[i * n + k] = 0;
  }
  return { h: matrix(n, n, h), z: matrix(n, n, z) };
}

/** In-place complex Schur form of a Hessenberg matrix (hr + i·hi), accumulating the unitary Z. */
function schurComplex(n: number, hr: Float64Array, hi: Float64Array, zr: Float64Array, zi: Float64Array, anorm: number): void {
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  const sr = new Float64Array(n);
  const si = new Float64Array(n);
  let end = n - 1;
  let iter = 0;
  const maxIter = 60 * Math.max(n, 1);
  let totalIter = 0;
  while (end > 0) {
    let l = end;
    while (l > 0) {
      const sub = Math.hypot(hr[l * n + l - 1], hi[l * n + l - 1]);
      let scale = Math.hypot(hr[(l - 1) * n + l - 1], hi[(l - 1) * n + l - 1]) + Math.hypot(hr[l * n + l], hi[l * n + l]);
      if (scale === 0) scale = anorm;
      if (sub <= EPS * scale || sub <= Number.MIN_VALUE) {
        hr[l * n + l - 1] = 0;
        hi[l * n + l - 1] = 0;
        break;
      }
      l--;
    }
    if (l === end) {
      end--;
      iter = 0;
      continue;
    }
    iter++;
    totalIter++;
    if (totalIter > maxIter) throw new Error('eigGeneral: QR iterations did not converge');
    let mur: number;
    let mui: number;
    if (iter % 11 === 0) {
      // Exceptional shift (EISPACK comqr style): breaks the symmetry that can stall real shifts.
      const sub = Math.abs(hr[end * n + end - 1]) + (end >= 2 ? Math.abs(hr[(end - 1) * n + end - 2]) : 0);
      mur = hr[end * n + end] + 0.75 * sub;
      mui = hi[end * n + end] + 0.4375 * sub;
    } else {
      [mur, mui] = wilkinsonShift(n, hr, hi, end);
    }
    for (let i = l; i <= end; i++) {
      hr[i * n + i] -= mur;
      hi[i * n + i] -= mui;
    }
    for (let k = l; k < end; k++) {
      const ar = hr[k * n + k];
      const ai = hi[k * n + k];
      const br = hr[(k + 1) * n + k];
      const bi = hi[(k + 1) * n + k];
      const r = Math.hypot(ar, ai, br, bi);
      if (r === 0) {
        cr[k] = 1;
        ci[k] = 0;
        sr[k] = 0;
        si[k] = 0;
      } else {
        cr[k] = ar / r;
        ci[k] = ai / r;
        sr[k] = br / r;
        si[k] = bi / r;
      }
      // Rows k, k+1 ← [[c̄, s̄], [−s, c]]·rows.
      for (let j = k; j < n; j++) {
        const xr = hr[k * n + j];
        const xi = hi[k * n + j];
        const yr = hr[(k + 1) * n + j];
        const yi = hi[(k + 1) * n + j];
        hr[k * n + j] = cr[k] * xr + ci[k] * xi + sr[k] * yr + si[k] * yi;
        hi[k * n + j] = cr[k] * xi - ci[k] * xr + sr[k] * yi - si[k] * yr;
        hr[(k + 1) * n + j] = -(sr[k] * xr - si[k] * xi) + (cr[k] * yr - ci[k] * yi);
        hi[(k + 1) * n + j] = -(sr[k] * xi + si[k] * xr) + (cr[k] * yi + ci[k] * yr);
      }
    }
    for (let k = l; k < end; k++) {
      // Columns k, k+1 ← columns·[[c, −s̄], [s, c̄]] (the Hermitian transpose of the row rotation).
      const rowEnd = Math.min(k + 1, end);
      const applyCols = (mr: Float64Array, mi: Float64Array, rows: number) => {
        for (let i = 0; i < rows; i++) {
          const xr = mr[i * n + k];
          const xi = mi[i * n + k];
          const yr = mr[i * n + k + 1];
          const yi = mi[i * n + k + 1];
          mr[i * n + k] = xr * cr[k] - xi * ci[k] + yr * sr[k] - yi * si[k];
          mi[i * n + k] = xr * ci[k] + xi * cr[k] + yr * si[k] + yi * sr[k];
          mr[i * n + k + 1] = -(xr * sr[k] + xi * si[k]) + (yr * cr[k] + yi * ci[k]);
          mi[i * n + k + 1] = -(xi * sr[k] - xr * si[k]) + (yi * cr[k] - yr * ci[k]);
        }
      };
      applyCols(hr, hi, rowEnd + 1);
      applyCols(zr, zi, n);
    }
    for (let i = l; i <= end; i++) {
      hr[i * n + i] += mur;
      hi[i * n + i] += mui;
    }
  }
}

/** The eigenvalue of the trailing 2 × 2 block of the active window closest to its last diagonal entry. */
function wilkinsonShift(n: number, hr: Float64Array, hi: Float64Array, end: number): [number, number] {
  const i = end - 1;
  const ar = hr[i * n + i];
  const ai = hi[i * n + i];
  const br = hr[i * n + end];
  const bi = hi[i * n + end];
  const cr = hr[end * n + i];
  const ci = hi[end * n + i];
  const dr = hr[end * n + end];
  const di = hi[end * n + end];
  const hr2 = (ar - dr) / 2;
  const hi2 = (ai - di) / 2;
  // disc = ((a − d)/2)² + b·c; eigenvalues (a + d)/2 ± √disc.
  const discR = hr2 * hr2 - hi2 * hi2 + (br * cr - bi * ci);
  const discI = 2 * hr2 * hi2 + (br * ci + bi * cr);
  const mod = Math.hypot(discR, discI);
  const sqR = Math.sqrt((mod + discR) / 2);
  let sqI = Math.sqrt(Math.max(0, (mod - discR) / 2));
  if (discI < 0) sqI = -sqI;
  const mr = (ar + dr) / 2;
  const mi = (ai + di) / 2;
  const e1r = mr + sqR;
  const e1i = mi + sqI;
  const e2r = mr - sqR;
  const e2i = mi - sqI;
  if (Math.hypot(e1r - dr, e1i - di) <= Math.hypot(e2r - dr, e2i - di)) return [e1r, e1i];
  return [e2r, e2i];
}

/**
 * Make the output of the complex Schur route honour the structure of a real matrix: near-real
 * eigenvalues become real (with real eigenvectors), complex ones are matched into exact conjugate
 * pairs (+imag first, eigenvector of the partner = conjugate), then groups are ordered by decreasing
 * real part (ties: decreasing |imag|) and vectors are normalised to unit length.
 */
function pairConjugates(n: number, re: Float64Array, im: Float64Array, vr: Float64Array, vi: Float64Array, anorm: number): GeneralEigen {
  const tol = Math.max(anorm, Number.MIN_VALUE) * 1e3 * EPS * Math.max(n, 1);
  interface Item {
    re: number;
    im: number;
    vr: Float64Array;
    vi: Float64Array;
  }
  const col = (src: Float64Array, k: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i * n + k];
    return out;
  };
  const used = new Uint8Array(n);
  const groups: Item[][] = [];
  for (let k = 0; k < n; k++) {
    if (used[k]) continue;
    used[k] = 1;
    if (Math.abs(im[k]) <= tol) {
      const [r, i] = realifyVector(col(vr, k), col(vi, k));
      groups.push([{ re: re[k], im: 0, vr: r, vi: i }]);
      continue;
    }
    let partner = -1;
    let bestDist = Infinity;
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      const d = Math.hypot(re[j] - re[k], im[j] + im[k]);
      if (d < bestDist) {
        bestDist = d;
        partner = j;
      }
    }
    if (partner < 0) throw new Error('eigGeneral: a complex eigenvalue has no conjugate partner');
    used[partner] = 1;
    const pos = im[k] > 0 ? k : partner;
    const mr = (re[k] + re[partner]) / 2;
    const mi = (Math.abs(im[k]) + Math.abs(im[partner])) / 2;
    const [pr, pi] = unitVector(col(vr, pos), col(vi, pos));
    groups.push([
      { re: mr, im: mi, vr: pr, vi: pi },
      { re: mr, im: -mi, vr: pr, vi: pi.map((x) => -x) },
    ]);
  }
  groups.sort((a, b) => b[0].re - a[0].re || b[0].im - a[0].im);
  const out: GeneralEigen = {
    re: new Float64Array(n),
    im: new Float64Array(n),
    vectorsRe: matrix(n, n),
    vectorsIm: matrix(n, n),
  };
  groups.flat().forEach((it, k) => {
    out.re[k] = it.re;
    out.im[k] = it.im;
    for (let i = 0; i < n; i++) {
      out.vectorsRe.data[i * n + k] = it.vr[i];
      out.vectorsIm.data[i * n + k] = it.vi[i];
    }
  });
  return out;
}

function unitVector(r: Float64Array, i: Float64Array): [Float64Array, Float64Array] {
  const nn = Math.sqrt(sumSquares(r) + sumSquares(i));
  if (nn === 0) return [r, i];
  return [r.map((x) => x / nn), i.map((x) => x / nn)];
}

/** Rotate the phase of a complex vector that should be real so that it is real, largest entry positive. */
function realifyVector(r: Float64Array, i: Float64Array): [Float64Array, Float64Array] {
  let big = 0;
  let mag = -1;
  for (let k = 0; k < r.length; k++) {
    const m = Math.hypot(r[k], i[k]);
    if (m > mag) {
      mag = m;
      big = k;
    }
  }
  if (mag <= 0) return [r, new Float64Array(r.length)];
  const cr = r[big] / mag;
  const ci = -i[big] / mag;
  const out = new Float64Array(r.length);
  for (let k = 0; k < r.length; k++) out[k] = r[k] * cr - i[k] * ci;
  const nn = norm(out);
  return [out.map((x) => x / nn), new Float64Array(r.length)];
}
