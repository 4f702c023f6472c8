/**
 * The viewer's muscle drawing against the muscle model: each drawn line passes each joint it crosses at
 * the model's moment arm, and over the postures of the reaching workspace the drawn line shortens where the
 * model's musculotendon path shortens (the sign of the finite-difference derivative of the drawn length
 * equals the sign of the model's moment arm ∂L/∂q). Straight lines through one point per joint cannot
 * wrap: past ~125° of elbow flexion the drawn extensors stop lengthening (see viewer/muscle-drawing.ts).
 */
import { describe, expect, it } from 'vitest';
import { ARM26_SKELETON } from '../../sim/arm-params.ts';
import { allocMusclePaths, musclePaths } from '../../sim/actuators/arm26.ts';
import { ARM26_MUSCLES } from '../../sim/actuators/arm26-params.ts';
import { forwardKinematics } from '../../sim/dynamics.ts';
import { centerOutTargets, parseTaskSpec } from '../../sim/tasks/task-spec.ts';
import { musclePolylines } from '../../viewer/muscle-drawing.ts';

const arm = ARM26_SKELETON;
const m = ARM26_MUSCLES;
const n = m.muscles.length;
const length = (path: number[]) => {
  let s = 0;
  for (let i = 2; i < path.length; i += 2) s += Math.hypot(path[i] - path[i - 2], path[i + 1] - path[i - 1]);
  return s;
};
/** Distance (m) from point p to the polyline. */
const toPath = (p: readonly number[], path: number[]) => {
  let best = Infinity;
  for (let i = 2; i < path.length; i += 2) {
    const [ax, ay, bx, by] = [path[i - 2], path[i - 1], path[i], path[i + 1]];
    const [dx, dy] = [bx - ax, by - ay];
    const u = Math.max(0, Math.min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(p[0] - ax - u * dx, p[1] - ay - u * dy));
  }
  return best;
};
/** Postures across the joint ranges (rad), clear of the limits by the finite-difference step. */
const postures: Array<[number, number]> = [];
for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) postures.push([arm.qMin[0] + ((arm.qMax[0] - arm.qMin[0]) * i) / 8, arm.qMin[1] + ((arm.qMax[1] - arm.qMin[1]) * j) / 8]);

describe('viewer muscle drawing', () => {
  it('a muscle passes each joint it crosses no farther than its moment arm, and runs beside every joint, not through it', () => {
    for (const [q1, q2] of postures) {
      const lines = musclePolylines(arm, m, q1, q2);
      const { elbow } = forwardKinematics(arm, q1, q2);
      const r = musclePaths(m, q1, q2, 0, 0, allocMusclePaths(n)).momentArm;
      for (let k = 0; k < n; k++) {
        const crossesShoulder = m.geometry.linear[0][k] !== 0;
        const crossesElbow = m.geometry.linear[1][k] !== 0 || m.geometry.quadratic[1][k] !== 0;
        if (crossesShoulder) expect(toPath([0, 0], lines[k])).toBeLessThanOrEqual(Math.abs(r[k]) + 1e-12);
        if (crossesElbow) expect(toPath(elbow, lines[k])).toBeLessThanOrEqual(Math.abs(r[n + k]) + 1e-12);
        // Every line keeps clear of the joint centres (it is drawn beside the bone, not through the joint).
        expect(toPath([0, 0], lines[k])).toBeGreaterThan(0.005);
        expect(toPath(elbow, lines[k])).toBeGreaterThan(0.005);
      }
    }
  });

  it('the drawn line shortens as a joint turns where the model\'s musculotendon path shortens (sign of ∂L/∂q), up to 115° of elbow flexion', () => {
    const maxElbow = 2.0;
    // The default center-out targets (10 cm from the start posture 45°, 90°, as the muscle controller's task) need less elbow flexion than that (law of cosines).
    const task = parseTaskSpec({ kind: 'center-out' });
    const [l1, l2] = arm.l;
    for (const [x, y] of centerOutTargets(arm, task)) expect(Math.acos((x * x + y * y - l1 * l1 - l2 * l2) / (2 * l1 * l2))).toBeLessThan(maxElbow);
    const h = 1e-5;
    let checked = 0;
    const inRange = postures.filter(([, q2]) => q2 <= maxElbow);
    for (const [q1, q2] of inRange) {
      const r = musclePaths(m, q1, q2, 0, 0, allocMusclePaths(n)).momentArm;
      for (const j of [0, 1] as const) {
        const plus = musclePolylines(arm, m, j === 0 ? q1 + h : q1, j === 1 ? q2 + h : q2).map(length);
        const minus = musclePolylines(arm, m, j === 0 ? q1 - h : q1, j === 1 ? q2 - h : q2).map(length);
        for (let k = 0; k < n; k++) {
          const rk = r[j * n + k];
          if (Math.abs(rk) < 1e-9) continue;
          expect(Math.sign((plus[k] - minus[k]) / (2 * h)), `${m.muscles[k]} about joint ${j + 1} at (${q1.toFixed(2)}, ${q2.toFixed(2)})`).toBe(Math.sign(rk));
          checked++;
        }
      }
    }
    expect(checked).toBe(inRange.length * 8);
  });
});
