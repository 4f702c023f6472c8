/** The adaptation protocols' run directory, exports, analysis.json, figures and report.html. */
import { join } from 'node:path';
import type { Checkpoint } from '../../model/checkpoint.ts';
import { serializeCheckpoint } from '../../model/checkpoint.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../export/index.ts';
import { writeFileAtomic } from '../io/files.ts';
import { stageDir } from '../io/out-dir.ts';
import type { Figure } from '../report/figures.ts';
import { readRunDir, writeRunDir, type TrialRecord } from '../run-dir.ts';
import { recordingArrays } from '../run.ts';
import { PACKAGE_VERSION } from '../package-info.ts';
import { PHASES, type AdaptationAnalysis, type AdaptationRun } from './adaptation.ts';
import { writeProtocolOutputs } from './page.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const mm = (m: number) => Math.round(m * 1e5) / 100;
const PHASE_COLORS = { domain: [...PHASES], range: ['#777777', '#d62728', '#1f77b4', '#2ca02c'] };

function figures(run: AdaptationRun, a: AdaptationAnalysis): Figure[] {
  const points = a.perTrial.map((t) => ({ trial: t.trial, phase: t.phase, deviation: mm(t.deviation), endpoint: mm(t.endpointError) }));
  const out: Figure[] = [
    {
      id: 'deviation-per-trial',
      title: 'Signed maximum perpendicular deviation per trial',
      caption: `Largest distance of the hand path (movement onset to offset) from the start–target line, positive to the left of the reach. Perturbation (${run.protocol === 'curl-adaptation' ? JSON.stringify(run.spec.field) : `visual rotation ${((run.spec.rotation * 180) / Math.PI).toFixed(0)}°`}) on exposure trials; catch trials have it off. After-effects on catch and washout trials lie on the side opposite to early exposure.`,
      spec: {
        $schema: SCHEMA,
        width: 700,
        height: 260,
        data: { values: points },
        mark: { type: 'point', filled: true, size: 30 },
        encoding: {
          x: { field: 'trial', type: 'quantitative', title: 'trial' },
          y: { field: 'deviation', type: 'quantitative', title: 'signed deviation (mm)' },
          color: { field: 'phase', type: 'nominal', scale: PHASE_COLORS, title: 'phase' },
        },
      },
    },
    {
      id: 'endpoint-error-per-trial',
      title: 'Endpoint error per trial',
      caption: `Hand-to-target distance ${run.spec.evalAfter} s after the go cue.`,
      spec: {
        $schema: SCHEMA,
        width: 700,
        height: 200,
        data: { values: points },
        mark: { type: 'point', filled: true, size: 30 },
        encoding: {
          x: { field: 'trial', type: 'quantitative', title: 'trial' },
          y: { field: 'endpoint', type: 'quantitative', title: 'endpoint error (mm)' },
          color: { field: 'phase', type: 'nominal', scale: PHASE_COLORS, title: 'phase' },
        },
      },
    },
  ];
  const fit = a.learningCurve;
  if (fit) {
    const exp = a.phases.exposure.map((i, k) => ({ k, absDeviation: mm(a.perTrial[i].absDeviation) }));
    const curve = exp.map(({ k }) => ({ k, fit: mm(fit.asymptote + fit.amplitude * Math.exp(-k / fit.tau)) }));
    out.push({
      id: 'learning-curve',
      title: 'Learning curve',
      caption: `|deviation| over the exposure trials (catch trials left out) with the least-squares fit c + a·exp(−k/τ): τ = ${fit.tau.toFixed(1)} trials, a = ${mm(fit.amplitude)} mm, c = ${mm(fit.asymptote)} mm, R² = ${fit.r2.toFixed(2)}. Baseline mean ${mm(a.deviation.baseline)} mm.`,
      spec: {
        $schema: SCHEMA,
        width: 700,
        height: 240,
        layer: [
          { data: { values: exp }, mark: { type: 'point', filled: true, size: 25, color: '#d62728' }, encoding: { x: { field: 'k', type: 'quantitative', title: 'exposure trial' }, y: { field: 'absDeviation', type: 'quantitative', title: '|deviation| (mm)' } } },
          { data: { values: curve }, mark: { type: 'line', color: 'black' }, encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' } } },
          { data: { values: [{ base: mm(a.deviation.baseline) }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#777' }, encoding: { y: { field: 'base', type: 'quantitative' } } },
        ],
      },
    });
  }
  // Hand paths of chosen trial groups, one panel each.
  const rec = run.recording;
  const { steps: T, dt } = rec.trials;
  const at = (b: number) => Math.min(T - 1, rec.trials.goStep[b] + Math.round(run.spec.evalAfter / dt));
  const groups: Array<[string, number[]]> = [
    ['baseline', a.phases.baseline.slice(-8)],
    ['first exposure', a.phases.exposure.slice(0, 8)],
    ['last exposure', a.phases.exposure.slice(-8)],
    ['catch', a.phases.catch.slice(-8)],
    ['first washout', a.phases.washout.slice(0, 8)],
  ];
  const paths: Array<Record<string, number | string>> = [];
  for (const [group, idx] of groups) {
    for (const b of idx) {
      for (let t = rec.trials.goStep[b]; t <= at(b); t += 2) {
        paths.push({ group, trial: b, target: rec.trials.condition[b], t, x: mm(rec.handPosition[(b * T + t) * 2] - rec.trials.start[b * 2]) / 10, y: mm(rec.handPosition[(b * T + t) * 2 + 1] - rec.trials.start[b * 2 + 1]) / 10 });
      }
    }
  }
  out.push({
    id: 'hand-paths',
    title: 'Hand paths',
    caption: 'Hand paths from go to the endpoint measurement, relative to the start (cm), eight trials per panel, coloured by target.',
    spec: {
      $schema: SCHEMA,
      data: { values: paths },
      facet: { column: { field: 'group', type: 'nominal', sort: groups.map((g) => g[0]), title: null } },
      spec: {
        width: 170,
        height: 170,
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'x (cm)', scale: { domain: [-14, 14] } },
          y: { field: 'y', type: 'quantitative', title: 'y (cm)', scale: { domain: [-14, 14] } },
          detail: { field: 'trial', type: 'nominal' },
          order: { field: 't', type: 'quantitative' },
          color: { field: 'target', type: 'nominal', legend: null, scale: { scheme: 'category10' } },
        },
      },
    },
  });
  const ps = a.preparatoryShift;
  if (ps) {
    out.push({
      id: 'preparatory-shift',
      title: 'Shift of the preparatory state',
      caption: `Mean hidden state over the 100 ms before go, late exposure minus baseline, per target: its norm (a.u.). ${(100 * ps.nullFraction).toFixed(1)} % of the shift lies in the output-null space of the initial readout (isotropic: ${(100 * ps.chanceNullFraction).toFixed(1)} %); mean pairwise cosine between targets' shifts ${ps.meanPairwiseCosine.toFixed(2)}, ‖mean shift‖ / mean ‖shift‖ = ${ps.uniformity.toFixed(2)} (1 for a uniform shift, as Perich et al. 2018 report).`,
      spec: {
        $schema: SCHEMA,
        width: 320,
        height: 200,
        data: { values: ps.norms.map((v, c) => ({ target: c, norm: Math.round(v * 1e4) / 1e4 })) },
        mark: 'bar',
        encoding: { x: { field: 'target', type: 'ordinal', title: 'target' }, y: { field: 'norm', type: 'quantitative', title: '‖shift‖ (a.u.)' } },
      },
    });
  }
  return out;
}

function rows(a: AdaptationAnalysis): Array<[string, string, string]> {
  const d = a.deviation;
  const e = a.afterEffects;
  const r: Array<[string, string, string]> = [
    ['|Deviation| baseline', `${mm(d.baseline)} mm`, `mean max perpendicular deviation over ${a.phases.baseline.length} baseline trials`],
    ['|Deviation| first exposure trials', `${mm(d.earlyExposure)} mm (${d.earlyRatio.toFixed(1)}× baseline)`, `first ${d.window} perturbed trials; target ≥ 5× — ${a.targets.earlyAtLeast5xBaseline ? 'met' : 'NOT met'}`],
    ['|Deviation| last exposure trials', `${mm(d.lateExposure)} mm (${d.lateRatio.toFixed(1)}× baseline)`, `last ${d.window} perturbed trials; target ≤ 2× — ${a.targets.lateAtMost2xBaseline ? 'met' : 'NOT met'}`],
    ['Signed deviation: early exposure / late catch / first washout', `${mm(e.earlyExposure)} / ${mm(e.catchLate)} / ${mm(e.earlyWashout)} mm`, `after-effects in the mirror-image direction: catch ${e.catchOpposite ? 'yes' : 'no'}, washout ${e.washoutOpposite ? 'yes' : 'no'}`],
    ['Endpoint error per phase', PHASES.map((p) => `${p} ${mm(a.endpointError[p])}`).join(', ') + ' mm', 'mean hand-to-target distance at the evaluation time'],
  ];
  if (a.learningCurve) r.push(['Learning time constant', `${a.learningCurve.tau.toFixed(1)} trials (R² ${a.learningCurve.r2.toFixed(2)})`, 'exponential fit of |deviation| over exposure trials']);
  if (a.preparatoryShift) {
    const p = a.preparatoryShift;
    r.push(['Preparatory shift in the output-null space', `${(100 * p.nullFraction).toFixed(1)} % (isotropic ${(100 * p.chanceNullFraction).toFixed(1)} %)`, `uniformity ${p.uniformity.toFixed(2)}, mean cosine ${p.meanPairwiseCosine.toFixed(2)} (Perich et al. 2018: a uniform shift, mostly output-null)`]);
  }
  r.push(['Online updates', `${a.updates.length}`, `closed loop ${a.seconds.closedLoop.toFixed(1)} s, learning ${a.seconds.learning.toFixed(1)} s`]);
  return r;
}

/** Write the protocol's run directory into the staged `out`, then exports, analysis, figures and report. */
export async function writeAdaptation(out: string, force: boolean, ck: Checkpoint, checkpointPath: string, run: AdaptationRun, a: AdaptationAnalysis, formats: readonly ExportFormat[] = EXPORT_FORMATS, progress: (m: string) => void = () => {}): Promise<{ report: string; analysisJson: string }> {
  const staged = stageDir(out, { force, what: 'experiment' });
  try {
    const rec = run.recording;
    const { steps: T, dt } = rec.trials;
    const trials: TrialRecord[] = a.perTrial.map((t, b) => ({
      trial: b,
      condition: rec.trials.condition[b],
      target: [rec.trials.target[b * 2], rec.trials.target[b * 2 + 1]],
      start: [rec.trials.start[b * 2], rec.trials.start[b * 2 + 1]],
      target_angle: rec.trials.targetAngle[b],
      go_time: rec.trials.goStep[b] * dt,
      movement_onset: run.measures[b].onset,
      endpoint_error: t.endpointError,
      catch: false,
      start_time: b * T * dt,
      stop_time: (b + 1) * T * dt,
    }));
    writeRunDir(staged.tmp, {
      config: { command: 'experiment', protocol: run.protocol, packageVersion: PACKAGE_VERSION, checkpoint: { path: checkpointPath, training: ck.training }, spec: run.spec, interventions: run.interventions, arm: ck.arm, network: ck.network, feedback: ck.config.feedback },
      dt,
      arrays: [
        ...recordingArrays(rec, ck),
        { name: 'protocol_phase', data: Int32Array.from(run.phase, (p) => PHASES.indexOf(p)), shape: [run.phase.length], unit: '1', axes: ['trials'], description: `phase of each trial: ${PHASES.map((p, i) => `${i} ${p}`).join(', ')}` },
        { name: 'deviation', data: Float64Array.from(run.measures, (m) => m.deviation), shape: [run.phase.length], unit: 'm', axes: ['trials'], description: 'signed maximum perpendicular deviation from the start–target line (+ left of the reach)' },
      ],
      trials,
    });
    writeFileAtomic(join(staged.tmp, 'adapted-controller.json'), serializeCheckpoint({ ...ck, params: run.finalParams }));
    staged.commit();
  } catch (err) {
    staged.abandon();
    throw err;
  }
  const dir = readRunDir(out);
  const exports: Record<string, string[]> = {};
  for (const f of formats) {
    progress(`exporting ${f}`);
    exports[`Export: ${f}`] = (await exportRun(dir, f, join(out, 'export', f))).map((p) => p.slice(out.length + 1));
  }
  progress('rendering figures');
  const title = run.protocol === 'curl-adaptation' ? 'Curl-field adaptation' : 'Visuomotor rotation';
  const s = run.spec;
  const written = await writeProtocolOutputs(out, a, {
    title,
    setup: `${s.baselineTrials} baseline, ${s.exposureTrials} exposure (one catch trial in each ${s.catchEvery}) and ${s.washoutTrials} washout center-out trials on the ${s.engine} arm, controller ${checkpointPath}. ${run.protocol === 'curl-adaptation' ? `Online learning: one Adam step (learning rate ${s.learningRate}) every ${s.trialsPerUpdate} trials on the differentiable plant with the same hand force (catch trials not learned from).` : 'No online learning (the training episode does not see rotated feedback).'}`,
    rows: rows(a),
    figures: figures(run, a),
    files: { 'Run directory': ['manifest.json', 'config.json', 'trials.json', 'adapted-controller.json', ...dir.manifest.arrays.map((x) => x.file)], ...exports },
  });
  return written;
}
