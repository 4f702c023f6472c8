import { describe, expect, it } from 'vitest';
import { jpca } from '../../model/analysis/jpca.ts';
import { matrix, matmul, qr } from '../../model/analysis/linalg.ts';
import { createRng, normal } from '../../core/random.ts';
import { agreesWithPrinted, readFixture, relativeError } from './fixtures.ts';

describe('jPCA on the Churchland et al. (2012) example data (reference: jPCA.m under Octave)', () => {
  const activity = readFixture('churchland2012-subset/activity.npy');
  const times = readFixture('churchland2012-subset/times_ms.npy');
  const result = jpca(activity.data, activity.shape, {
    dt: 0.01,
    numPCs: 6,
    times: times.data,
    timeWindow: [-50, 150],
    softNorm: null,
    meanSubtract: true,
  });

  it('analyses bins 0…20 (−50…150 ms inclusive)', () => {
    expect(result.timeIndices).toEqual([0, 20]);
  });

  it('reproduces R² of M_best and M_skew in 6 dims and in jPC plane 1 to 1e-6', () => {
    expect(relativeError(result.R2_Mbest_kD, 0.4268589142)).toBeLessThan(1e-6);
    expect(relativeError(result.R2_Mskew_kD, 0.286101456)).toBeLessThan(1e-6);
    expect(relativeError(result.R2_Mbest_2D, 0.5075561197)).toBeLessThan(1e-6);
    expect(relativeError(result.R2_Mskew_2D, 0.4677813969)).toBeLessThan(1e-6);
  });

  it('reproduces the variance captured by each jPC plane and each PC to 1e-6', () => {
    [0.3177362, 0.2829524, 0.2097169].forEach((v, i) => expect(relativeError(result.varCaptEachPlane[i], v)).toBeLessThan(1e-6));
    [0.3624726, 0.1482337, 0.1040375, 0.0745862, 0.0659852, 0.0550903].forEach((v, i) =>
      expect(relativeError(result.varCaptEachPC[i], v)).toBeLessThan(1e-6),
    );
  });

  it('reproduces the M_skew eigenvalues ±0.0786415i, ±0.0231897i, ±0.0085654i (rad/bin) and 1.2516 Hz', () => {
    // Printed to 7 decimals: for 0.0085654 that is 6e-6 relative, so agreement is checked to the printed digit.
    const expected = ['0.0786415', '-0.0786415', '0.0231897', '-0.0231897', '0.0085654', '-0.0085654'];
    expected.forEach((v, i) => {
      expect(agreesWithPrinted(result.MskewEigenvalues.im[i], v)).toBe(true);
      expect(Math.abs(result.MskewEigenvalues.re[i])).toBeLessThan(1e-12);
    });
    expect(agreesWithPrinted(result.rotationHz, '1.2516')).toBe(true);
    expect(result.rotationHz).toBeCloseTo(0.0786415 / (2 * Math.PI * 0.01), 6);
  });

  it('gives the same numbers for the window given as time indices', () => {
    const byIndex = jpca(activity.data, activity.shape, { dt: 0.01, timeIndices: [0, 20] });
    expect(byIndex.R2_Mskew_kD).toBe(result.R2_Mskew_kD);
    expect(byIndex.varCaptEachPlane[0]).toBe(result.varCaptEachPlane[0]);
  });

  it('returns orthonormal jPCs and projections of the documented shapes', () => {
    const k = 6;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let d = 0;
        for (let i = 0; i < k; i++) d += result.jPCs.data[i * k + a] * result.jPCs.data[i * k + b];
        expect(d).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
    expect(result.projection.length).toBe(10 * 21 * 6);
    expect(result.projectionAllTimes.length).toBe(10 * 61 * 6);
    expect(result.jPCs_highD.rows).toBe(50);
  });
});

/**
 * Planted dynamics in 3 orthogonal planes embedded in `units` dims. Condition c has phase
 * φ_c = 2πc/8 and plane p uses phase multiple p+1, so over the 8 conditions the state covariance is
 * exactly diagonal and isotropic within each plane, and the cross-condition mean is zero.
 */
function planted(step: (plane: number, x: [number, number]) => [number, number], amplitudes: number[], units: number, times: number) {
  const conditions = 8;
  const rng = createRng(7);
  const g = matrix(units, 6);
  for (let i = 0; i < g.data.length; i++) g.data[i] = normal(rng);
  const embed = qr(g).q;
  const low = matrix(conditions * times, 6);
  for (let c = 0; c < conditions; c++) {
    const phi = (2 * Math.PI * c) / conditions;
    for (let p = 0; p < 3; p++) {
      let x: [number, number] = [amplitudes[p] * Math.cos((p + 1) * phi), amplitudes[p] * Math.sin((p + 1) * phi)];
      for (let t = 0; t < times; t++) {
        low.data[(c * times + t) * 6 + 2 * p] = x[0];
        low.data[(c * times + t) * 6 + 2 * p + 1] = x[1];
        x = step(p, x);
      }
    }
  }
  const high = matmul(low, { rows: 6, cols: units, data: transposeData(embed) });
  return { data: high.data, shape: [conditions, times, units] };
}

function transposeData(m: { rows: number; cols: number; data: Float64Array }): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

describe('jPCA on planted dynamics', () => {
  const dt = 0.01;
  it('recovers planted rotations: R²(M_best) = 1, R²(M_skew) = 1 − (1 − cos ω)/2, |λ| = sin ω, planes ordered by speed', () => {
    // Clockwise rotations (negative angle) in unit space at 1.5, 4 and 0.7 Hz.
    const omegas = [-2 * Math.PI * 1.5 * dt, -2 * Math.PI * 4 * dt, -2 * Math.PI * 0.7 * dt];
    const amps = [3, 2, 1];
    const rot = (p: number, x: [number, number]): [number, number] => {
      const c = Math.cos(omegas[p]);
      const s = Math.sin(omegas[p]);
      return [c * x[0] - s * x[1], s * x[0] + c * x[1]];
    };
    const { data, shape } = planted(rot, amps, 12, 30);
    const r = jpca(data, shape, { dt, numPCs: 6 });
    expect(r.R2_Mbest_kD).toBeCloseTo(1, 10);
    // Fastest plane first: plane 2 (4 Hz), then 1.5 Hz, then 0.7 Hz.
    const order = [1, 0, 2];
    order.forEach((p, q) => {
      expect(r.planes[q].angularSpeedPerBin).toBeCloseTo(Math.abs(Math.sin(omegas[p])), 10);
      expect(r.MskewEigenvalues.im[2 * q]).toBeCloseTo(Math.abs(Math.sin(omegas[p])), 10);
      expect(r.planes[q].varianceFraction).toBeCloseTo(amps[p] ** 2 / (9 + 4 + 1), 10);
    });
    expect(r.rotationHz).toBeCloseTo(Math.sin(2 * Math.PI * 4 * dt) / (2 * Math.PI * dt), 8);
    const w = order.map((p) => amps[p] ** 2);
    const loss = order.map((p) => 1 - Math.cos(omegas[p]));
    const kd = 1 - w.reduce((s, wi, i) => s + wi * loss[i] ** 2, 0) / w.reduce((s, wi, i) => s + wi * 2 * loss[i], 0);
    expect(r.R2_Mskew_kD).toBeCloseTo(kd, 10);
    expect(r.R2_Mskew_2D).toBeCloseTo(1 - loss[0] / 2, 10);
    expect(r.R2_Mbest_2D).toBeCloseTo(1, 10);
  });

  it('orients every plane counter-clockwise, as jPCA.m does, even for clockwise planted rotations', () => {
    const omega = -2 * Math.PI * 2 * dt;
    const rot = (_p: number, x: [number, number]): [number, number] => [
      Math.cos(omega) * x[0] - Math.sin(omega) * x[1],
      Math.sin(omega) * x[0] + Math.cos(omega) * x[1],
    ];
    const { data, shape } = planted(rot, [3, 2, 1], 10, 20);
    const r = jpca(data, shape, { dt, numPCs: 6 });
    const [nc, nt] = [8, 20];
    for (let q = 0; q < 3; q++) {
      for (let c = 0; c < nc; c++) {
        for (let t = 0; t + 1 < nt; t++) {
          const a = (c * nt + t) * 6 + 2 * q;
          const b = (c * nt + t + 1) * 6 + 2 * q;
          const cross = r.projection[a] * (r.projection[b + 1] - r.projection[a + 1]) - r.projection[a + 1] * (r.projection[b] - r.projection[a]);
          expect(cross).toBeGreaterThan(0);
        }
      }
      expect(r.planes[q].circStats.avgDPwithPiOver2).toBeGreaterThan(0.99);
    }
  });

  it('finds no rotation in pure decay/expansion along orthogonal axes: R²(M_skew) = 0, R²(M_best) = 1', () => {
    const rates = [
      [0.97, 1.03],
      [0.95, 1.02],
      [0.9, 1.05],
    ];
    const scale = (p: number, x: [number, number]): [number, number] => [rates[p][0] * x[0], rates[p][1] * x[1]];
    const { data, shape } = planted(scale, [3, 2, 1], 9, 25);
    const r = jpca(data, shape, { dt, numPCs: 6 });
    expect(r.R2_Mbest_kD).toBeCloseTo(1, 10);
    expect(Math.abs(r.R2_Mskew_kD)).toBeLessThan(1e-10);
    for (const p of r.planes) expect(p.angularSpeedPerBin).toBeLessThan(1e-10);
  });
});

describe('jPCA input checks', () => {
  const shape = [4, 10, 8];
  const data = new Float64Array(4 * 10 * 8).map((_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011));
  it('rejects odd k, k > units, NaN, a window outside the data and a wrong length', () => {
    expect(() => jpca(data, shape, { dt: 0.01, numPCs: 5 })).toThrow(/even/);
    expect(() => jpca(data, shape, { dt: 0.01, numPCs: 10 })).toThrow(/units/);
    const bad = Float64Array.from(data);
    bad[17] = NaN;
    expect(() => jpca(bad, shape, { dt: 0.01, numPCs: 4 })).toThrow(/non-finite/);
    expect(() => jpca(data, shape, { dt: 0.01, numPCs: 4, times: Float64Array.from({ length: 10 }, (_, i) => i * 0.01), timeWindow: [0, 0.2] })).toThrow(
      /outside/,
    );
    expect(() => jpca(data.subarray(1), shape, { dt: 0.01 })).toThrow(/needs/);
  });

  it('explains when the data span fewer dimensions than the PCs requested', () => {
    const lowRank = new Float64Array(4 * 20 * 10);
    for (let c = 0; c < 4; c++) {
      for (let t = 0; t < 20; t++) {
        for (let u = 0; u < 10; u++) lowRank[(c * 20 + t) * 10 + u] = (u % 2 === 0 ? 1 : -0.5) * Math.cos(0.3 * t + c) + (u % 3) * Math.sin(0.3 * t + c);
      }
    }
    expect(() => jpca(lowRank, [4, 20, 10], { dt: 0.01, numPCs: 4 })).toThrow(/span only 2 dimensions/);
  });
});
