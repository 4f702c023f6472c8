/**
 * Schedules: which trials a selector names among N, which hidden units a units selector names among n,
 * and whether control step t of a trial lies in a window. Random choices use their own seed, so the
 * same spec names the same trials and units whatever else the run draws.
 */
import { createRng, randomInt } from '../../core/random.ts';
import type { InterventionWindow, TrialSelector, UnitsSelector } from './spec.ts';

/** A seeded choice of k distinct indices among first…last (partial Fisher–Yates), in increasing order. */
function choose(seed: number, first: number, last: number, k: number): number[] {
  const pool = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const rng = createRng(seed);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/** The trials (indices < n, increasing) a selector names in a run of n trials. */
export function selectTrials(sel: TrialSelector, n: number): number[] {
  const clip = (within?: [number, number]): [number, number] => [Math.min(within?.[0] ?? 0, n), Math.min(within?.[1] ?? n - 1, n - 1)];
  switch (sel.kind) {
    case 'all':
      return Array.from({ length: n }, (_, i) => i);
    case 'list':
      return [...new Set(sel.trials.filter((t) => t < n))].sort((a, b) => a - b);
    case 'range': {
      const out: number[] = [];
      for (let t = sel.first; t <= Math.min(sel.last, n - 1); t++) out.push(t);
      return out;
    }
    case 'fraction': {
      const [a, b] = clip(sel.within);
      if (b < a) return [];
      return choose(sel.seed, a, b, Math.round(sel.fraction * (b - a + 1)));
    }
    case 'catch': {
      const [a, b] = clip(sel.within);
      const rng = createRng(sel.seed);
      const out: number[] = [];
      for (let s = a; s + sel.every - 1 <= b; s += sel.every) out.push(s + randomInt(rng, sel.every));
      return out;
    }
  }
}

/** The hidden units (indices < n, increasing) a units selector names among n units. */
export function selectUnits(sel: UnitsSelector, n: number): number[] {
  if (Array.isArray(sel)) {
    const bad = sel.find((u) => u >= n);
    if (bad !== undefined) throw new Error(`unit ${bad} does not exist: the network has ${n} hidden units (0…${n - 1})`);
    return [...new Set(sel)].sort((a, b) => a - b);
  }
  return choose(sel.seed, 0, n - 1, Math.round(sel.fraction * n));
}

/**
 * Whether step t (time t·dt s from trial start) lies in the window, given the steps of the reference
 * events (−1 when the event has not happened: no go cue on a catch trial, no movement yet).
 */
export function inWindow(w: InterventionWindow, t: number, dt: number, goStep: number, onsetStep: number): boolean {
  const ref = w.from === 'start' ? 0 : w.from === 'go' ? goStep : onsetStep;
  if (ref < 0) return false;
  // Half a step of tolerance: window edges are given in s and land on whole steps.
  const s = (t - ref) * dt + 1e-9 * dt;
  return s >= w.start && (w.end === undefined || s < w.end);
}
