/**
 * `report.html`: one self-contained page (inline CSS and SVG, no scripts, no external resources) with
 * the run's setup, a table of the summary numbers, every figure with its caption, the fixed points per
 * target and the files written next to it.
 */
import type { RunData } from '../run-dir.ts';
import type { RunAnalysis } from '../run-analysis.ts';
import type { RenderedFigure } from './figures.ts';

export interface ReportContents {
  run: RunData;
  analysis: RunAnalysis;
  figures: RenderedFigure[];
  /** Page title (default "Reaching experiment"). */
  title?: string;
  /** Files written alongside, relative to the report's folder, grouped under a heading each. */
  files?: Record<string, string[]>;
  /** ISO time the report was made. */
  generatedAt: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (x: number | null | undefined, digits = 3): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
};
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');

interface Row {
  group: string;
  name: string;
  value: string;
  note: string;
}

function summaryRows(a: RunAnalysis): Row[] {
  const k = a.kinematics;
  const s = a.summary;
  const al = a.subspaces.alignment;
  const rows: Row[] = [
    { group: 'Behaviour', name: 'Endpoint error, mean / max', value: `${fmt(k.meanEndpointError * 100, 2)} / ${fmt(k.maxEndpointError * 100, 2)} cm`, note: 'hand-to-target distance at the evaluation time after go (trials.json)' },
    { group: 'Behaviour', name: 'Peak speed, reaction time, duration', value: `${fmt(k.meanPeakSpeed, 2)} m/s, ${fmt(k.meanReactionTime * 1000, 0)} ms, ${fmt(k.meanDuration * 1000, 0)} ms`, note: 'means over trials; onset/offset at 10 % of peak speed' },
    { group: 'Behaviour', name: 'Straightness, mean / max', value: `${pct(k.meanStraightness)} / ${pct(k.maxStraightness)}`, note: 'largest distance from the start–target line / reach length' },
    { group: 'Behaviour', name: 'Speed profile vs minimum jerk', value: `r = ${fmt(k.meanMinJerkCorrelation)}; ${pct(k.singlePeakedFraction)} single-peaked`, note: 'Flash & Hogan 1985' },
    { group: 'Population', name: 'Variance in top 2 / 6 / 10 PCs', value: `${pct(s.varianceTop2PCs)} / ${pct(s.varianceTop6PCs)} / ${pct(s.varianceTop10PCs)}`, note: `hidden units, ${a.alignment.window[0]}…${a.alignment.window[1]} s around onset` },
    { group: 'Rotations', name: 'jPCA R² M_skew / M_best (kD)', value: `${fmt(a.jpca.R2_Mskew_kD)} / ${fmt(a.jpca.R2_Mbest_kD)}`, note: `${a.jpca.numPCs} PCs, ${a.jpca.window[0]}…${a.jpca.window[1]} s; Churchland et al. 2012 report ~0.5–0.8 for M1/PMd` },
    { group: 'Rotations', name: 'jPCA R² M_skew / M_best (top plane)', value: `${fmt(a.jpca.R2_Mskew_2D)} / ${fmt(a.jpca.R2_Mbest_2D)}`, note: `plane 1: ${fmt(a.jpca.rotationHz, 2)} Hz, ${pct(a.jpca.varCaptEachPlane[0])} of variance` },
    { group: 'Tuning', name: 'Units cosine-tuned', value: pct(a.tuning.fractionTuned), note: `F-test p < ${a.tuning.alpha}, mean activity ${a.tuning.window[0]}…${a.tuning.window[1]} s after onset` },
    {
      group: 'Tuning',
      name: 'Preferred-direction bimodality',
      value: a.tuning.pdAxial ? `p = ${a.tuning.pdAxial.p.toExponential(2)}, axis ${fmt((a.tuning.pdAxial.meanAxis * 180) / Math.PI, 0)}°` : '–',
      note: 'axial Rayleigh test on doubled PDs of tuned units (Lillicrap & Scott 2013)',
    },
    {
      group: 'Tangling',
      name: 'Median Q, hidden / torques',
      value: `${fmt(a.tangling.hidden.summary.median, 1)} / ${fmt(a.tangling.torque.summary.median, 1)} s⁻²`,
      note: `torques more tangled at ${pct(a.tangling.fractionTorqueMoreTangled)} of points (Russo et al. 2018: muscles ≫ M1)`,
    },
    {
      group: 'Subspaces',
      name: 'Preparatory variance in the output-null space',
      value: pct(a.subspaces.prep.nullFraction),
      note: `movement ${pct(a.subspaces.move.nullFraction)}; an isotropic population would have ${pct(a.subspaces.chanceNullFraction)} (Kaufman et al. 2014)`,
    },
    {
      group: 'Subspaces',
      name: 'Prep / movement variance, potent vs null',
      value: `${fmt(a.subspaces.prepToMovePotentRatio)} vs ${fmt(a.subspaces.prepToMoveNullRatio)}`,
      note: 'a smaller potent than null ratio means preparation avoids the readout',
    },
    {
      group: 'Subspaces',
      name: `Alignment index prep vs movement (k = ${al.k})`,
      value: `${fmt(al.index)} (random ${fmt(al.random.mean)}, 5–95 %: ${fmt(al.random.p5)}–${fmt(al.random.p95)})`,
      note: `${pct(al.fractionRandomBelow)} of random subspaces at or below (Elsayed et al. 2016)`,
    },
  ];
  if (a.muscles) {
    const m = a.muscles;
    const deg = (x: number) => `${fmt((x * 180) / Math.PI, 0)}°`;
    rows.push(
      {
        group: 'Muscles',
        name: 'Median Q, hidden / muscle activations',
        value: `${fmt(a.tangling.hidden.summary.median, 1)} / ${fmt(m.tangling.activation.summary.median, 1)} s⁻²`,
        note: `muscles more tangled at ${pct(m.tangling.fractionMuscleMoreTangled)} of points (Russo et al. 2018: cortex ≪ muscles)`,
      },
      {
        group: 'Muscles',
        name: 'Muscle preferred-direction bimodality',
        value: `p = ${m.pdAxial.p.toExponential(2)}, axis ${deg(m.limb.muscleAxis)}`,
        note: `axial Rayleigh test on the ${m.names.length} muscles' doubled PDs (cosine fits of the mean activation ${a.tuning.window[0]}…${a.tuning.window[1]} s after onset)`,
      },
      {
        group: 'Muscles',
        name: 'PD axis predicted by limb mechanics',
        value: `${deg(m.limb.torqueDemandAxis)} (units ${deg(m.limb.unitVsTorqueDemand)} away, muscles ${deg(m.limb.muscleVsTorqueDemand)})`,
        note: `hand-acceleration direction needing the largest joint torques (M J⁻¹) at the start posture; effective-mass axis ${deg(m.limb.effectiveMassAxis)} (Lillicrap & Scott 2013)`,
      },
    );
  }
  if ('summary' in a.fixedPoints) {
    const f = a.fixedPoints.summary;
    rows.push({
      group: 'Dynamics',
      name: 'Fixed points under the hold input',
      value: `${f.fixedPoints} (${f.stableFixedPoints} stable), ${f.slowPoints} slow points`,
      note: `prep state ${fmt(f.meanPrepDistanceToStable)} from the nearest stable fixed point; prep states of different targets ${fmt(f.meanPrepSpread)} apart (Sussillo & Barak 2013)`,
    });
  } else {
    rows.push({ group: 'Dynamics', name: 'Fixed points', value: 'not computed', note: a.fixedPoints.skipped });
  }
  return rows;
}

function setupRows(run: RunData, a: RunAnalysis): Array<[string, string]> {
  const c = run.config as {
    checkpoint?: { path?: string; training?: { iterations?: number; endpointError?: number | null } };
    network?: { kind?: string; hidden?: number; tau?: number; dt?: number };
    options?: { engine?: string; task?: string; repeats?: number; goTime?: number; duration?: number; seed?: number; field?: { kind?: string } };
    arm?: { name?: string };
    seed?: number;
  };
  const rows: Array<[string, string]> = [];
  if (c.checkpoint?.path) rows.push(['Controller', c.checkpoint.path]);
  if (c.network) rows.push(['Network', `${c.network.kind ?? '?'}, ${c.network.hidden ?? '?'} units, τ = ${c.network.tau ?? '?'} s, dt = ${c.network.dt ?? a.run.dt} s`]);
  const t = c.checkpoint?.training;
  if (t) rows.push(['Training', `${t.iterations ?? '?'} iterations; batch endpoint error ${t.endpointError != null ? `${(t.endpointError * 100).toFixed(2)} cm` : '–'}`]);
  if (c.arm?.name) rows.push(['Arm', c.arm.name]);
  const o = c.options;
  if (o) {
    rows.push(['Run', `${o.task ?? '?'} on the ${o.engine ?? '?'} arm, ${a.run.trials} trials (${a.run.conditions} conditions × ${o.repeats ?? '?'}), go cue ${o.goTime ?? '?'} s, ${o.duration ?? '?'} s per trial, field ${o.field?.kind ?? 'none'}, seed ${o.seed ?? c.seed ?? '?'}`]);
  }
  rows.push(['Alignment', `movement onset (10 % of peak speed)${a.alignment.goFallbackTrials.length ? `; ${a.alignment.goFallbackTrials.length} trials without onset aligned on go` : ''}; ${a.alignment.excludedTrials.length} catch/invalid trials left out; condition averages`]);
  rows.push(['Run directory', run.dir]);
  return rows;
}

function fixedPointTable(a: RunAnalysis): string {
  const fp = a.fixedPoints;
  if (!('conditions' in fp)) return '';
  const body = fp.conditions
    .map((c) => {
      const ci = a.conditions.findIndex((x) => x.condition === c.condition);
      const angle = ci >= 0 ? `${Math.round((((a.conditions[ci].angle * 180) / Math.PI) % 360 + 360) % 360)}°` : String(c.condition);
      const fixed = c.points.filter((p) => p.isFixedPoint);
      const stable = fixed.filter((p) => p.stable);
      const best = [...stable].sort((x, y) => x.distanceToPrepState - y.distanceToPrepState)[0];
      return `<tr><td>${escapeHtml(angle)}</td><td>${fixed.length}</td><td>${stable.length}</td><td>${c.points.length - fixed.length}</td><td>${best ? fmt(best.maxAbsEigenvalue, 4) : '–'}</td><td>${best?.slowestRotation ? fmt(best.slowestRotation.frequencyHz, 2) : '–'}</td><td>${best ? fmt(best.distanceToPrepState) : '–'}</td><td>${best ? best.q.toExponential(1) : '–'}</td></tr>`;
    })
    .join('\n');
  return `<section><h2>Fixed points per target</h2>
<p>For each target, the fixed points of the controller under that target's hold input. Columns for the stable fixed point nearest the recorded preparatory state: largest |λ| of the step map's Jacobian, frequency of its slowest rotational mode (continuous-time eigenvalue (λ − 1)/dt), distance to the preparatory state, q.</p>
<table><thead><tr><th>target</th><th>fixed points</th><th>stable</th><th>slow points</th><th>max |λ|</th><th>rotation (Hz)</th><th>distance to prep state</th><th>q</th></tr></thead>
<tbody>
${body}
</tbody></table></section>`;
}

export const CSS = `
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.value { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.note { color: #666; }
.figures { display: flex; flex-wrap: wrap; gap: 1.2em; }
figure { margin: 0; flex: 1 1 460px; max-width: 540px; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.86em; color: #444; }
.meta { color: #666; font-size: 0.9em; }
code { background: #f4f4f4; padding: 0 0.2em; }
`;

/** The report page. */
export function reportHtml(r: ReportContents): string {
  const title = r.title ?? 'Reaching experiment';
  const setup = setupRows(r.run, r.analysis)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const summary = summaryRows(r.analysis)
    .map((row) => `<tr><td>${escapeHtml(row.group)}</td><td>${escapeHtml(row.name)}</td><td class="value">${escapeHtml(row.value)}</td><td class="note">${escapeHtml(row.note)}</td></tr>`)
    .join('\n');
  const figures = r.figures
    .map((f) => `<figure id="fig-${escapeHtml(f.id)}">\n<h3>${escapeHtml(f.title)}</h3>\n${f.svg}\n<figcaption>${escapeHtml(f.caption)}</figcaption>\n</figure>`)
    .join('\n');
  const files = r.files
    ? Object.entries(r.files)
        .filter(([, list]) => list.length > 0)
        .map(([heading, list]) => `<h3>${escapeHtml(heading)}</h3><ul>${list.map((p) => `<li><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></li>`).join('')}</ul>`)
        .join('\n')
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(r.generatedAt)}. A recurrent network trained to reach drives a two-joint arm simulated in matter-js; its hidden units are analysed as motor-cortex recordings are.</p>
<section><h2>Setup</h2><table><tbody>
${setup}
</tbody></table></section>
<section><h2>Summary</h2>
<table><thead><tr><th></th><th>measure</th><th>value</th><th>notes and references</th></tr></thead><tbody>
${summary}
</tbody></table></section>
<section><h2>Figures</h2><div class="figures">
${figures}
</div></section>
${fixedPointTable(r.analysis)}
${files ? `<section><h2>Files</h2>${files}</section>` : ''}
</body>
</html>
`;
}
