/**
 * `reach experiment --protocol ablation`: where do the rotations come from (Kalidindi et al. 2021)?
 * The same center-out experiment under interventions on every trial — the recurrent weights removed,
 * the feedback inputs removed, and random hidden units silenced at increasing fractions — each
 * condition a run directory of its own (<out>/conditions/<name>/, analysed and exported like any run),
 * compared side by side: jPCA R² (M_skew, M_best), tangling of the hidden state, endpoint error.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues, KEY_HINTS } from '../../core/zod-issues.ts';
import type { Checkpoint } from '../../model/checkpoint.ts';
import { parseInterventionSpec, type InterventionSpec } from '../../model/interventions/spec.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../export/index.ts';
import { writeJsonAtomic } from '../io/files.ts';
import { stageDir } from '../io/out-dir.ts';
import type { Figure } from '../report/figures.ts';
import { getRunArray, readRunDir } from '../run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS } from '../run-analysis.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../run-options.ts';
import { runExperiment, writeRun } from '../run.ts';
import { writeProtocolOutputs } from './page.ts';

export const ablationSpecSchema = z
  .object({
    /** Fractions of hidden units silenced, one condition each. Default [0.1, 0.25, 0.5]. */
    silenceFractions: z.array(z.number().gt(0).max(1)).default([0.1, 0.25, 0.5]),
    /** Repeats of each center-out target per condition. Default 5. */
    repeats: z.number().int().min(1).default(5),
    /** Arm. Default matter. */
    engine: z.enum(['matter', 'analytic']).default('matter'),
    /** Seed of the sensory noise, the silenced units and the analysis. Default 1. */
    seed: z.number().int().default(1),
  })
  .strict();
export type AblationSpec = z.infer<typeof ablationSpecSchema>;

export function parseAblationSpec(input: unknown, where = 'protocol spec'): AblationSpec {
  const r = ablationSpecSchema.safeParse(input ?? {}, KEY_HINTS);
  if (!r.success) throw new Error(`invalid ${where}: ${formatIssues(r.error, '(spec)')}`);
  return r.data;
}

/** The conditions: a name, what was done, and the intervention spec on every trial. */
export function ablationConditions(s: AblationSpec): Array<{ name: string; label: string; interventions: InterventionSpec }> {
  const all = (ivs: unknown[]) => parseInterventionSpec({ interventions: ivs });
  return [
    { name: 'intact', label: 'intact', interventions: all([]) },
    { name: 'no-recurrence', label: 'recurrent weights removed', interventions: all([{ kind: 'recurrent-scale', id: 'no-recurrence', scale: 0 }]) },
    {
      name: 'no-feedback',
      label: 'feedback inputs removed',
      interventions: all([
        { kind: 'scale-feedback', id: 'no-vision', modality: 'vision', gain: 0 },
        { kind: 'scale-feedback', id: 'no-proprioception', modality: 'proprioception', gain: 0 },
      ]),
    },
    ...s.silenceFractions.map((f) => ({
      name: `silence-${Math.round(f * 100)}`,
      label: `${Math.round(f * 100)} % of units silenced`,
      interventions: all([{ kind: 'silence', id: 'silenced', units: { fraction: f, seed: s.seed } }]),
    })),
  ];
}

export interface AblationRow {
  name: string;
  label: string;
  R2_Mskew_kD: number;
  R2_Mbest_kD: number;
  /** Median tangling Q of the hidden state (s⁻²). */
  tanglingMedian: number;
  /** Mean and max endpoint error (m). */
  meanEndpointError: number;
  maxEndpointError: number;
}

/** Run every condition into `<out>/conditions/<name>`, analyse, export and write the comparison report. */
export async function runAblation(out: string, force: boolean, ck: Checkpoint, checkpointPath: string, s: AblationSpec, formats: readonly ExportFormat[] = EXPORT_FORMATS, progress: (m: string) => void = () => {}): Promise<{ report: string; analysisJson: string; rows: AblationRow[] }> {
  const conditions = ablationConditions(s);
  const staged = stageDir(out, { force, what: 'experiment' });
  try {
    for (const c of conditions) {
      progress(`running ${c.label}`);
      const o = { ...EXPERIMENT_RUN_OPTIONS, repeats: s.repeats, engine: s.engine, seed: s.seed, ...(c.interventions.interventions.length ? { interventions: c.interventions } : {}) };
      writeRun(join(staged.tmp, 'conditions', c.name), ck, checkpointPath, o, runExperiment(ck, o));
    }
    staged.commit();
  } catch (err) {
    staged.abandon();
    throw err;
  }
  const rows: AblationRow[] = [];
  const paths: Array<Record<string, number | string>> = [];
  const files: Record<string, string[]> = {};
  for (const c of conditions) {
    progress(`analysing ${c.label}`);
    const dir = join(out, 'conditions', c.name);
    const run = readRunDir(dir);
    const a = analyzeRun(run, { ...DEFAULT_RUN_ANALYSIS_OPTIONS, seed: s.seed, checkpoint: null, checkpointPath, checkpointMissingReason: 'not searched in the ablation protocol' });
    writeJsonAtomic(join(dir, 'analysis.json'), a);
    rows.push({ name: c.name, label: c.label, R2_Mskew_kD: a.jpca.R2_Mskew_kD, R2_Mbest_kD: a.jpca.R2_Mbest_kD, tanglingMedian: a.tangling.hidden.summary.median, meanEndpointError: a.kinematics.meanEndpointError, maxEndpointError: a.kinematics.maxEndpointError });
    files[c.label] = [`conditions/${c.name}/analysis.json`, `conditions/${c.name}/manifest.json`];
    for (const f of formats) files[c.label].push(...(await exportRun(run, f, join(dir, 'export', f))).map((p) => p.slice(out.length + 1)));
    const hand = getRunArray(run, 'hand_position');
    const [B, T] = hand.shape;
    for (let b = 0; b < Math.min(B, 8); b++) {
      const go = run.trials[b].go_time ?? 0;
      for (let t = Math.round(go / run.dt); t < T; t += 2) paths.push({ condition: c.name, trial: b, t, x: Math.round(hand.data[(b * T + t) * 2] * 1e4) / 100, y: Math.round(hand.data[(b * T + t) * 2 + 1] * 1e4) / 100 });
    }
  }
  const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
  const order = conditions.map((c) => c.name);
  const bar = (field: string, title: string, axis: string) => ({
    title,
    width: 220,
    height: 200,
    mark: 'bar',
    encoding: { x: { field: 'condition', type: 'nominal', sort: order, title: null, axis: { labelAngle: -40 } }, y: { field, type: 'quantitative', title: axis }, color: { field: 'condition', type: 'nominal', sort: order, legend: null } },
  });
  const values = rows.map((r) => ({ condition: r.name, skew: r.R2_Mskew_kD, tangling: r.tanglingMedian, error: Math.round(r.meanEndpointError * 1e4) / 100 }));
  const figures: Figure[] = [
    {
      id: 'ablation-summary',
      title: 'Rotations, tangling and accuracy per condition',
      caption: 'Left: jPCA R² of the rotational (skew-symmetric) fit, 6 PCs, −50…200 ms around movement onset (Churchland et al. 2012). Middle: median tangling Q of the hidden state (Russo et al. 2018). Right: mean hand-to-target distance 0.8 s after go. Conditions: intact; no-recurrence (recurrent weights × 0); no-feedback (visual and proprioceptive inputs × 0); silence-N (N % of units held at 0).',
      spec: { $schema: SCHEMA, data: { values }, hconcat: [bar('skew', 'jPCA R² M_skew (kD)', 'R²'), bar('tangling', 'Tangling', 'median Q (s⁻²)'), bar('error', 'Accuracy', 'mean endpoint error (cm)')] } as Figure['spec'],
    },
    {
      id: 'ablation-hand-paths',
      title: 'Hand paths',
      caption: 'Hand paths after go of one repeat of each target, per condition (shoulder at the origin, cm).',
      spec: {
        $schema: SCHEMA,
        data: { values: paths },
        facet: { column: { field: 'condition', type: 'nominal', sort: order, title: null } },
        spec: { width: 150, height: 150, mark: { type: 'line', strokeWidth: 1 }, encoding: { x: { field: 'x', type: 'quantitative', title: 'x (cm)' }, y: { field: 'y', type: 'quantitative', title: 'y (cm)', scale: { zero: false } }, detail: { field: 'trial', type: 'nominal' }, order: { field: 't', type: 'quantitative' }, color: { field: 'trial', type: 'nominal', legend: null } } },
      },
    },
  ];
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
  const written = await writeProtocolOutputs(out, { protocol: 'ablation', spec: s, conditions: conditions.map((c) => ({ name: c.name, label: c.label, interventions: c.interventions })), rows }, {
    title: 'Ablation: where do rotations come from?',
    setup: `${s.repeats} repeats of each center-out target on the ${s.engine} arm per condition, controller ${checkpointPath}; each intervention acts on every trial at every step. Each condition is a run directory under conditions/.`,
    rows: rows.map((r) => [r.label, `R² skew ${fmt(r.R2_Mskew_kD)}, best ${fmt(r.R2_Mbest_kD)}; tangling ${fmt(r.tanglingMedian)} s⁻²; endpoint error ${(r.meanEndpointError * 100).toFixed(2)} cm (max ${(r.maxEndpointError * 100).toFixed(2)})`, r.name]),
    figures,
    files,
  });
  return { ...written, rows };
}
