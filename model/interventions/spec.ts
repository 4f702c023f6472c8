/**
 * Interventions as data (Feedbax-style schedules on trial subsets): a JSON spec lists what to do to the
 * closed loop, on which trials and in which time window. model/interventions/apply.ts is the one place
 * that acts on a spec; this file only describes and validates it.
 *
 * Units: times in s, angles in rad, hand positions in m, joint angles in rad, forces in N, hidden
 * activity in the network's activity units (a.u.). Trials are indexed from 0 in the order they are run.
 *
 * Where each kind acts in a control step (see apply.ts):
 *   before the cell  — recurrent-scale; rotate-, shift-, scale-, delay-feedback; noise on the feedback
 *   after the cell   — clamp, silence, current; noise on the hidden state
 *   on the plant     — hand-force; noise on the torques
 */
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';
import { forceFieldSchema } from '../../sim/force-fields.ts';

const int = z.number().int();
const index = int.min(0, 'must be ≥ 0');
const finite = z.number();
const span = z.tuple([index, index]).refine(([a, b]) => b >= a, 'must be [first, last] with last ≥ first');

/** Which trials an intervention hits. `within` limits a random choice to trials [first, last]. */
export const trialSelectorSchema = z.discriminatedUnion('kind', [
  /** Every trial. */
  z.object({ kind: z.literal('all') }).strict(),
  /** The listed trials. */
  z.object({ kind: z.literal('list'), trials: z.array(index) }).strict(),
  /** Trials first…last (inclusive). */
  z.object({ kind: z.literal('range'), first: index, last: index }).strict().refine((r) => r.last >= r.first, 'range: last must be ≥ first'),
  /** round(fraction × N) trials drawn without replacement (seeded). */
  z.object({ kind: z.literal('fraction'), fraction: finite.gt(0).max(1), seed: int, within: span.optional() }).strict(),
  /** Catch-like: one trial in each consecutive block of `every` trials, at a seeded random place in the block. */
  z.object({ kind: z.literal('catch'), every: int.min(2), seed: int, within: span.optional() }).strict(),
]);
export type TrialSelector = z.infer<typeof trialSelectorSchema>;

/** When in a trial: from `start` to `end` s (default: to the end of the trial) after the reference event. */
export const windowSchema = z
  .object({
    /** Reference: trial start, the go cue (never on catch trials), or movement onset (hand speed first ≥ `onsetSpeed` after go). */
    from: z.enum(['start', 'go', 'onset']).default('start'),
    start: finite.default(0),
    end: finite.optional(),
  })
  .strict()
  .refine((w) => w.end === undefined || w.end > w.start, 'window end must be after its start (s)');
export type InterventionWindow = z.infer<typeof windowSchema>;

/** Hidden units: a list of indices, or a seeded random fraction of all units. */
export const unitsSchema = z.union([
  z.array(index).min(1, 'list at least one unit'),
  z.object({ fraction: finite.gt(0).max(1), seed: int }).strict(),
]);
export type UnitsSelector = z.infer<typeof unitsSchema>;

const modality = z.enum(['vision', 'proprioception']);

const common = {
  /** Name in records (default `<kind>-<index in the spec>`). */
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a letter, then letters, digits, _ or -').optional(),
  trials: trialSelectorSchema.default({ kind: 'all' }),
  /** Trials left out even when `trials` selects them (e.g. the catch trials of an exposure block). */
  exceptTrials: trialSelectorSchema.optional(),
  window: windowSchema.default({ from: 'start', start: 0 }),
};

export const interventionSchema = z.discriminatedUnion('kind', [
  /** Recurrent weights × scale (0 removes recurrence; the leak of a leaky RNN stays). */
  z.object({ kind: z.literal('recurrent-scale'), scale: finite, ...common }).strict(),
  /** Visual feedback (hand position about the trial's start, and hand velocity) rotated by `angle` rad, counter-clockwise. */
  z.object({ kind: z.literal('rotate-feedback'), angle: finite, ...common }).strict(),
  /** Added to the positions of a modality: [dx, dy] (m) for vision, [dq1, dq2] (rad) for proprioception. */
  z.object({ kind: z.literal('shift-feedback'), modality, offset: z.tuple([finite, finite]), ...common }).strict(),
  /** A modality's channels (positions and velocities) × gain; 0 removes the feedback input. */
  z.object({ kind: z.literal('scale-feedback'), modality, gain: finite, ...common }).strict(),
  /** A modality seen `delay` s later than the sensors deliver it (a whole number of control steps). */
  z.object({ kind: z.literal('delay-feedback'), modality, delay: finite.gt(0), ...common }).strict(),
  /** Hidden units held at `value` (a.u.) after each cell step. */
  z.object({ kind: z.literal('clamp'), units: unitsSchema, value: finite, ...common }).strict(),
  /** Hidden units held at 0 after each cell step. */
  z.object({ kind: z.literal('silence'), units: unitsSchema, ...common }).strict(),
  /** `amount` (a.u.) added to hidden units after each cell step. */
  z.object({ kind: z.literal('current'), units: unitsSchema, amount: finite, ...common }).strict(),
  /** Gaussian noise of std `std` on the feedback channels (their units), the hidden state (a.u.) or the torques (N·m). */
  z.object({ kind: z.literal('noise'), on: z.enum(['feedback', 'hidden', 'torque']), std: finite.min(0), seed: int.default(1), ...common }).strict(),
  /** A force on the hand (sim/force-fields.ts: curl, constant for a pulse, …) while the window is open. */
  z.object({ kind: z.literal('hand-force'), field: forceFieldSchema, ...common }).strict(),
]);
export type Intervention = z.infer<typeof interventionSchema>;
export type InterventionKind = Intervention['kind'];

export const interventionSpecSchema = z
  .object({
    interventions: z.array(interventionSchema),
    /** Hand speed (m/s) whose first crossing after go is movement onset for `from: "onset"` windows. Default 0.05. */
    onsetSpeed: finite.gt(0).default(0.05),
  })
  .strict();
export type InterventionSpec = z.infer<typeof interventionSpecSchema>;

/** No interventions. */
export const NO_INTERVENTIONS: InterventionSpec = { interventions: [], onsetSpeed: 0.05 };

/** Validate a spec (e.g. parsed JSON); errors name each offending field and the closest known key. */
export function parseInterventionSpec(input: unknown, where = 'intervention spec'): InterventionSpec {
  const r = interventionSpecSchema.safeParse(input, KEY_HINTS);
  if (!r.success) throw new Error(`invalid ${where}: ${formatIssues(r.error, '(spec)')}`);
  const ids = r.data.interventions.map(interventionId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`invalid ${where}: two interventions are named '${dup}'`);
  return r.data;
}

/** The name an intervention is recorded under. */
export function interventionId(iv: Intervention, i?: number): string {
  return iv.id ?? `${iv.kind}-${i ?? 0}`;
}
