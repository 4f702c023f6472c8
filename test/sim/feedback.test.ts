import { describe, expect, it } from 'vitest';
import { MOTORNET_ARM } from '../../sim/arm-params.ts';
import { handPosition, handVelocity } from '../../sim/dynamics.ts';
import { convertStepDelays, createFeedback, FEEDBACK_SIZE, pushFeedback, readFeedback } from '../../sim/feedback.ts';
import { createRng } from '../../core/random.ts';

const p = MOTORNET_ARM;
const dt = 0.01;
/** Distinct state at step t for arm i. */
const stateAt = (t: number, i = 0) => [0.5 + 0.01 * t + 0.1 * i, 1 + 0.02 * t, 0.3 * t, -0.1 * t - i];

describe('sensory feedback', () => {
  it('a feedback delay of k·dt seconds returns the state of k steps ago (the initial state before history exists)', () => {
    for (const [dp, dv] of [[0, 0], [3, 7], [5, 2]]) {
      const fb = createFeedback(p, { proprioceptionDelay: dp * dt, visionDelay: dv * dt }, dt, stateAt(0));
      for (let t = 1; t <= 12; t++) {
        pushFeedback(fb, stateAt(t));
        const obs = readFeedback(fb);
        const xp = stateAt(Math.max(0, t - dp));
        const xv = stateAt(Math.max(0, t - dv));
        expect(Array.from(obs.subarray(0, 4))).toEqual(xp);
        const h = handPosition(p, xv[0], xv[1]);
        const v = handVelocity(p, xv[0], xv[1], xv[2], xv[3]);
        expect(obs[4]).toBeCloseTo(h[0], 14);
        expect(obs[5]).toBeCloseTo(h[1], 14);
        expect(obs[6]).toBeCloseTo(v[0], 14);
        expect(obs[7]).toBeCloseTo(v[1], 14);
      }
    }
  });

  it('batched feedback keeps each arm its own history', () => {
    const n = 3;
    const batch = (t: number) => [0, 1, 2].flatMap((i) => stateAt(t, i));
    const fb = createFeedback(p, { proprioceptionDelay: 0.02 }, dt, batch(0), n);
    for (let t = 1; t <= 5; t++) pushFeedback(fb, batch(t));
    const obs = readFeedback(fb);
    for (let i = 0; i < n; i++) expect(Array.from(obs.subarray(i * FEEDBACK_SIZE, i * FEEDBACK_SIZE + 4))).toEqual(stateAt(3, i));
  });

  it('noise has the requested standard deviation per channel group and is reproducible from the seed', () => {
    const opts = { jointAngleNoise: 0.01, jointVelocityNoise: 0.1, handPositionNoise: 0.002, handVelocityNoise: 0 };
    const fb = createFeedback(p, opts, dt, stateAt(0));
    const clean = readFeedback(createFeedback(p, {}, dt, stateAt(0)));
    const rng = createRng(5);
    const N = 4000;
    const sq = new Float64Array(FEEDBACK_SIZE);
    for (let k = 0; k < N; k++) {
      const o = readFeedback(fb, rng);
      for (let c = 0; c < FEEDBACK_SIZE; c++) sq[c] += (o[c] - clean[c]) ** 2;
    }
    const sd = Array.from(sq, (s) => Math.sqrt(s / N));
    const want = [0.01, 0.01, 0.1, 0.1, 0.002, 0.002, 0, 0];
    // Sample std of N normals is within ~4/sqrt(2N) ≈ 4.5% of the true std with overwhelming probability.
    for (let c = 0; c < FEEDBACK_SIZE; c++) expect(Math.abs(sd[c] - want[c])).toBeLessThanOrEqual(0.05 * want[c]);
    const a = readFeedback(fb, createRng(9));
    const b = readFeedback(fb, createRng(9));
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('rejects bad options, wrong state sizes and noise without a generator', () => {
    expect(() => createFeedback(p, { visionDelay: -1 }, dt, stateAt(0))).toThrow(/visionDelay: must be ≥ 0 s/);
    expect(() => createFeedback(p, { proprioceptionDelay: 0.025 }, dt, stateAt(0))).toThrow(/proprioceptionDelay = 0.025 s is not a whole number of control steps of dt = 0.01 s/);
    expect(() => createFeedback(p, { visionDelay: 5 }, dt, stateAt(0))).toThrow(/visionDelay: must be ≤ 0.5 s/);
    expect(() => createFeedback(p, { jointAngleNoise: -1 }, dt, stateAt(0))).toThrow(/noise std must be ≥ 0/);
    expect(() => createFeedback(p, {}, dt, [1, 2, 3])).toThrow(/must hold 4 numbers/);
    const fb = createFeedback(p, { handPositionNoise: 0.001 }, dt, stateAt(0));
    expect(() => readFeedback(fb)).toThrow(/seeded Rng is required/);
    expect(() => pushFeedback(fb, [1, 2])).toThrow(/must hold 4 numbers/);
  });

  it('delays written in control steps (integers ≥ 1) convert to seconds at the given dt, with a note; seconds pass unchanged', () => {
    const old = convertStepDelays({ proprioceptionDelay: 2, visionDelay: 5, jointAngleNoise: 0.001 }, 0.01);
    expect(old.opts).toEqual({ proprioceptionDelay: 0.02, visionDelay: 0.05, jointAngleNoise: 0.001 });
    expect(old.note).toMatch(/proprioceptionDelay 2 steps → 0.02 s, visionDelay 5 steps → 0.05 s/);
    const now = convertStepDelays({ proprioceptionDelay: 0.02, visionDelay: 0 }, 0.01);
    expect(now).toEqual({ opts: { proprioceptionDelay: 0.02, visionDelay: 0 }, note: null });
    // The converted delay reads the state 5 steps back, as the step-valued one did.
    const fb = createFeedback(p, { ...(old.opts as object), jointAngleNoise: 0 }, dt, stateAt(0));
    for (let t = 1; t <= 8; t++) pushFeedback(fb, stateAt(t));
    const h = handPosition(p, stateAt(3)[0], stateAt(3)[1]);
    expect(readFeedback(fb)[4]).toBeCloseTo(h[0], 14);
  });
});
