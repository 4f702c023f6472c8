/**
 * Central finite differences of an episode's total loss at a few random entries of every parameter,
 * next to the BPTT gradient there: the samples the gradient-check tests judge, each with its own
 * tolerance (the forward pass is float32).
 */
import { createRng, randomInt } from '../../core/random.ts';
import type { Episode } from '../../model/episode.ts';
import { cloneParams, type NetworkParams } from '../../model/network.ts';
import type { TrialBatch } from '../../sim/tasks/task-spec.ts';

export interface GradientSample {
  name: string;
  index: number;
  /** ∂loss/∂θ by BPTT. */
  analytic: number;
  /** (loss(θ + h) − loss(θ − h)) / 2h, h = 1 % of |θ| (at least 5e-4). */
  fd: number;
}

/** `perParam` entries of each parameter, drawn with `seed`. */
export function sampleGradients(episode: Episode, params: NetworkParams, trials: TrialBatch, grads: Record<string, ArrayLike<number>>, perParam = 3, seed = 9): GradientSample[] {
  const rng = createRng(seed);
  const out: GradientSample[] = [];
  for (const name of Object.keys(params)) {
    for (let k = 0; k < perParam; k++) {
      const index = randomInt(rng, params[name].data.length);
      const h = 1e-2 * Math.max(0.05, Math.abs(params[name].data[index]));
      const up = cloneParams(params);
      const down = cloneParams(params);
      up[name].data[index] += h;
      down[name].data[index] -= h;
      const fd = (episode.run(up, trials, null, 'forward').loss.total - episode.run(down, trials, null, 'forward').loss.total) / (up[name].data[index] - down[name].data[index]);
      out.push({ name, index, analytic: grads[name][index], fd });
    }
  }
  return out;
}
