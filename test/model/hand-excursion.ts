import type { Recording } from '../../model/closed-loop.ts';

/** Largest distance (m) of trial b's hand from `goal`, and its largest speed (m/s), over samples [from, to). */
export function excursion(rec: Recording, b: number, goal: ArrayLike<number>, from: number, to: number): { distance: number; speed: number } {
  const T = rec.trials.steps;
  let distance = 0;
  let speed = 0;
  for (let t = from; t < to; t++) {
    const o = (b * T + t) * 2;
    distance = Math.max(distance, Math.hypot(rec.handPosition[o] - goal[0], rec.handPosition[o + 1] - goal[1]));
    speed = Math.max(speed, Math.hypot(rec.handVelocity[o], rec.handVelocity[o + 1]));
  }
  return { distance, speed };
}
