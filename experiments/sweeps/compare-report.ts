/**
 * report.html of `reach compare`: network kinds side by side, every figure with its seed spread (a dot
 * per seed, the mean as a tick, ± 1 SD as a bar; curves one thin line per seed under a bold mean) —
 * accuracy, training time and loss curves, gradient norm and gradient flow, then the population analysis
 * (jPCA, tangling, tuning, fixed points) — with a table of means ± SD and a note on what the literature
 * expects of a cortex-like network. Numbers come from the cells' result.json, curves from their training logs.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseTrainConfig } from '../../model/train.ts';
import { gradientFlowComparison, type Figure } from '../report/figures.ts';
import { CSS, escapeHtml } from '../report/html.ts';
import { renderSvg, type VegaLiteSpec } from '../report/render.ts';
import { readTrainingLog, type TrainingLog, type TrainingLogEntry } from '../report/training-log.ts';
import { cellDir, cellRunDir } from './layout.ts';
import type { SweepReportContents } from './report.ts';
import { METRIC_COLUMNS, type ResultRow } from './results.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The swept path of a comparison. */
export const KIND_PATH = 'network.kind';
/** Points per curve: iterations are averaged (loss) or their median taken (gradient norm) in this many bins. */
const CURVE_BINS = 100;

/** One cell of the comparison: its kind, seed, result row and (when it finished) its full training log. */
interface CompareCell {
  kind: string;
  seed: number;
  row: ResultRow;
  log: TrainingLog | null;
}

/** A per-cell number shown side by side: a results.csv column or a figure of the training log. */
interface Measure {
  name: string;
  description: string;
  value: (c: CompareCell) => number | null;
}

const column = (name: string): Measure => {
  const col = METRIC_COLUMNS.find((c) => c.name === name);
  if (!col) throw new Error(`no results.csv column '${name}'`);
  return { name, description: col.description, value: (c) => c.row.result?.metrics[name] ?? null };
};

const clippedFraction: Measure = {
  name: 'clipped_fraction',
  description: 'fraction of training steps whose gradient norm exceeded the clipping norm and was scaled down',
  value: (c) => {
    const flagged = c.log?.iterations.filter((e) => e.clipped !== undefined) ?? [];
    return flagged.length ? flagged.filter((e) => e.clipped).length / flagged.length : null;
  },
};

const SECTIONS: Array<{ title: string; intro: string; measures: Measure[]; curves?: true }> = [
  {
    title: 'Accuracy',
    intro: 'Closed-loop reaches on the matter-js arm (the run options of the sweep), and the training loss at the end.',
    measures: ['endpoint_error_mean_m', 'endpoint_error_max_m', 'straightness_mean', 'final_loss'].map(column),
  },
  {
    title: 'Training',
    intro: 'Wall time of the training (it depends on the load of the machine; compare kinds of one run), and how often the gradient was clipped.',
    measures: [column('train_seconds'), clippedFraction],
    curves: true,
  },
  {
    title: 'Population dynamics',
    intro: 'The analysis of each controller\'s hidden units (for the LSTM its hidden state h) during the center-out reaches.',
    measures: ['jpca_ratio', 'jpca_R2_Mskew_kD', 'jpca_rotation_Hz', 'tangling_hidden_median_per_s2', 'tangling_ratio', 'fraction_tuned', 'pd_bimodality_p', 'prep_null_fraction', 'fixed_points', 'stable_fixed_points'].map(column),
  },
];

const color = (kinds: string[]) => ({ field: 'kind', type: 'nominal', title: 'network', scale: { domain: kinds } });

/** One measure of every cell against its kind: dots per seed, mean tick, ± 1 SD bar; null when no cell has it. */
function measureFigure(m: Measure, kinds: string[], cells: CompareCell[]): Figure | null {
  const points = cells.flatMap((c) => {
    const v = m.value(c);
    return v === null || !Number.isFinite(v) ? [] : [{ kind: c.kind, seed: c.seed, value: v }];
  });
  if (points.length === 0) return null;
  const x = { field: 'kind', type: 'nominal', title: 'network', sort: kinds, axis: { labelAngle: 0 } };
  const y = { field: 'value', type: 'quantitative', title: m.name, scale: { zero: false } };
  return {
    id: `compare-${m.name}`,
    title: m.name,
    caption: `${m.description}. Dots: one seed each; tick: mean over seeds; bar: ± 1 standard deviation.`,
    spec: {
      $schema: SCHEMA,
      width: 200,
      height: 190,
      data: { values: points },
      layer: [
        { mark: { type: 'errorbar', extent: 'stdev', ticks: true, color: '#555' }, encoding: { x, y } },
        { mark: { type: 'tick', thickness: 2.5, size: 26 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color: { ...color(kinds), legend: null } } },
        { mark: { type: 'point', filled: true, size: 45, opacity: 0.75 }, encoding: { x, y, color: { ...color(kinds), legend: null }, tooltip: [{ field: 'seed' }, { field: 'value' }] } },
      ],
    } as VegaLiteSpec,
  };
}

/** A training-log curve per cell, reduced to CURVE_BINS bins of iterations (steps skipped for NaN left out). */
function curveRows(cells: CompareCell[], value: (e: TrainingLogEntry) => number | null | undefined, reduce: (v: number[]) => number): Array<Record<string, number | string>> {
  const last = Math.max(...cells.map((c) => c.log?.iterations.at(-1)?.iteration ?? 0));
  const width = Math.max(1, Math.ceil(last / CURVE_BINS));
  return cells.flatMap((c) => {
    const bins = new Map<number, number[]>();
    for (const e of c.log?.iterations ?? []) {
      const v = value(e);
      if (e.event || v === null || v === undefined || !(v > 0) || !Number.isFinite(v)) continue;
      const b = Math.floor(e.iteration / width);
      bins.set(b, [...(bins.get(b) ?? []), v]);
    }
    return [...bins].map(([b, vs]) => ({ kind: c.kind, seed: c.seed, iteration: (b + 0.5) * width, value: Number(reduce(vs).toPrecision(6)) }));
  });
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Seeds as thin lines, the mean over seeds as a bold line, one colour per kind, log y. */
function curveFigure(id: string, title: string, caption: string, yTitle: string, rows: Array<Record<string, number | string>>, kinds: string[], extra: object[] = []): Figure | null {
  if (rows.length === 0) return null;
  const x = { field: 'iteration', type: 'quantitative', title: 'training iteration (mini-batches)' };
  const y = { field: 'value', type: 'quantitative', title: yTitle, scale: { type: 'log' } };
  return {
    id,
    title,
    caption,
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: 240,
      layer: [
        { data: { values: rows }, mark: { type: 'line', strokeWidth: 0.8, opacity: 0.4 }, encoding: { x, y, color: color(kinds), detail: { field: 'seed', type: 'nominal' } } },
        { data: { values: rows }, mark: { type: 'line', strokeWidth: 2.2 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color: color(kinds) } },
        ...extra,
      ],
    } as VegaLiteSpec,
  };
}

function trainingFigures(cells: CompareCell[], kinds: string[], clip: number): Figure[] {
  const withLog = cells.filter((c) => c.log);
  const binsNote = `Iterations in ${CURVE_BINS} bins per training`;
  const figs: Array<Figure | null> = [
    curveFigure(
      'compare-loss-curves',
      'Loss curves',
      `Total training loss per iteration (position, hold, effort, activity and weight terms, as each network was trained). ${binsNote}, mean within a bin; thin lines: one seed each; bold: mean over seeds.`,
      'total loss (dimensionless)',
      curveRows(withLog, (e) => e.loss.total, mean),
      kinds,
    ),
    curveFigure(
      'compare-gradient-norm',
      'Gradient norm',
      `Global norm of ∂loss/∂parameters before clipping. ${binsNote}, median within a bin (spikes are the exploding gradients clipping guards against); thin lines: one seed each; bold: mean over seeds; dashed: the clipping norm ${clip}, above which the step is scaled down to it.`,
      '‖∂loss/∂θ‖ (loss units per parameter unit)',
      curveRows(withLog, (e) => e.gradNorm, median),
      kinds,
      [{ data: { values: [{ clip }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { field: 'clip', type: 'quantitative' } } }],
    ),
  ];
  const flows = withLog.filter((c) => c.log!.gradientFlow.length > 0);
  if (flows.length > 0) figs.push(gradientFlowComparison(flows.map((c) => ({ label: c.kind, log: c.log!, seed: c.seed }))));
  return figs.filter((f): f is Figure => f !== null);
}

function meanSd(values: number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  const m = n ? mean(values) : NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1)) : NaN;
  return { mean: m, sd, n };
}

const num = (x: number, digits = 3) => (!Number.isFinite(x) ? '–' : x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(2) : Number(x.toPrecision(digits)).toString());

/** The table of means ± SD: one row per kind; values shown in the table's units (cm, %). */
const TABLE: Array<{ head: string; measure: Measure; scale: number }> = [
  { head: 'endpoint error, mean (cm)', measure: column('endpoint_error_mean_m'), scale: 100 },
  { head: 'straightness, mean (%)', measure: column('straightness_mean'), scale: 100 },
  { head: 'training (s)', measure: column('train_seconds'), scale: 1 },
  { head: 'steps clipped (%)', measure: clippedFraction, scale: 100 },
  { head: 'jPCA R²(M_skew)/R²(M_best)', measure: column('jpca_ratio'), scale: 1 },
  { head: 'tangling, hidden (s⁻²)', measure: column('tangling_hidden_median_per_s2'), scale: 1 },
  { head: 'tangling, torques / hidden', measure: column('tangling_ratio'), scale: 1 },
  { head: 'units tuned (%)', measure: column('fraction_tuned'), scale: 100 },
  { head: 'fixed points (stable)', measure: column('fixed_points'), scale: 1 },
];

function statsOf(m: Measure, cells: CompareCell[]) {
  return meanSd(cells.map(m.value).filter((v): v is number => v !== null && Number.isFinite(v)));
}

function summaryTable(kinds: string[], cells: CompareCell[]): string {
  const rows = kinds.map((kind) => {
    const of = cells.filter((c) => c.kind === kind);
    const done = of.filter((c) => c.row.result).length;
    const tds = TABLE.map(({ measure, scale }) => {
      const s = statsOf(measure, of);
      return `<td class="value">${s.n === 0 ? '–' : `${num(s.mean * scale)}${s.n > 1 ? ` ± ${num(s.sd * scale, 2)}` : ''}`}</td>`;
    });
    return `<tr><th>${escapeHtml(kind)}</th><td>${done} of ${of.length}</td>${tds.join('')}</tr>`;
  });
  return `<table><thead><tr><th>network</th><th>seeds done</th>${TABLE.map((t) => `<th>${escapeHtml(t.head)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Which kind ranks first on the cortex-likeness measures, in words (means over seeds). */
function ranking(kinds: string[], cells: CompareCell[]): string {
  const best = (m: Measure, higher: boolean) => {
    const ranked = kinds
      .map((k) => ({ k, s: statsOf(m, cells.filter((c) => c.kind === k)) }))
      .filter((r) => r.s.n > 0)
      .sort((a, b) => (higher ? b.s.mean - a.s.mean : a.s.mean - b.s.mean));
    return ranked.length ? `${ranked[0].k} (${ranked.map((r) => `${r.k} ${num(r.s.mean)}`).join(', ')})` : '–';
  };
  return `<ul>
<li>Most rotational (highest jPCA R²(M_skew)/R²(M_best)): ${escapeHtml(best(column('jpca_ratio'), true))}.</li>
<li>Least tangled relative to its output (highest median tangling of the torques / of the hidden units): ${escapeHtml(best(column('tangling_ratio'), true))}.</li>
<li>Most accurate (lowest mean endpoint error, m): ${escapeHtml(best(column('endpoint_error_mean_m'), false))}.</li>
</ul>`;
}

const NOTE = `<p><b>What to look for.</b> Sussillo, Churchland, Kaufman &amp; Shenoy (2015, <i>Nat. Neurosci.</i> 18:1025) trained
recurrent networks to produce monkeys' muscle activity during reaching and compared their units with motor-cortex (M1)
recordings. A leaky tanh RNN regularised towards simple dynamics — penalties on firing rates and on weights — came
closest to M1: strong rotational population dynamics (jPCA, Churchland et al. 2012) and M1-like single-unit
responses, where unregularised networks produced more complex, less cortex-like solutions. They did not test gated
cells. Here every kind is trained with the same activity and weight penalties (<code>loss.activity</code>,
<code>loss.weight</code>) and hidden noise, so the comparison asks whether gating (GRU, LSTM) changes the solution.
Cortex-like signs: a jPCA ratio R²(M_skew)/R²(M_best) near 1 with R²(M_skew) around 0.5–0.8 (M1/PMd in
Churchland et al. 2012); hidden activity far less tangled than the torques it produces (Russo et al. 2018:
muscles ≫ M1); broad cosine tuning with a bimodal distribution of preferred directions (Georgopoulos et al.
1982; Lillicrap &amp; Scott 2013). Accuracy alone does not decide it: every kind may reach well.</p>`;

function cellTable(cells: CompareCell[]): string {
  const rows = cells.map((c) => {
    const m = c.row.result?.metrics ?? {};
    const link = c.row.result ? `<a href="${escapeHtml(c.row.report)}">report</a>` : '';
    return `<tr><td>${c.row.cell}</td><td>${escapeHtml(c.kind)}</td><td>${c.seed}</td><td>${escapeHtml(c.row.state)}</td><td class="value">${num(m.endpoint_error_mean_m ?? NaN)}</td><td class="value">${num(m.jpca_ratio ?? NaN)}</td><td class="value">${num(m.train_seconds ?? NaN)}</td><td>${link}</td></tr>`;
  });
  return `<table><thead><tr><th>cell</th><th>network</th><th>seed</th><th>state</th><th>endpoint_error_mean_m</th><th>jpca_ratio</th><th>train_seconds</th><th></th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

async function figureHtml(figs: Figure[]): Promise<string> {
  const out: string[] = [];
  for (const f of figs) out.push(`<figure id="fig-${escapeHtml(f.id)}">\n<h3>${escapeHtml(f.title)}</h3>\n${await renderSvg(f.spec)}\n<figcaption>${escapeHtml(f.caption)}</figcaption>\n</figure>`);
  return out.join('\n');
}

/** report.html of a comparison in `sweepDir` (a SweepReportWriter). */
export async function compareReportHtml(sweepDir: string, r: SweepReportContents): Promise<string> {
  const kinds = (r.spec.axes?.[KIND_PATH] ?? []).map(String);
  if (kinds.length === 0) throw new Error(`compare report: the sweep in ${sweepDir} does not sweep ${KIND_PATH}`);
  const cells: CompareCell[] = r.rows.map((row) => {
    const path = join(cellRunDir(cellDir(sweepDir, row.cell, r.rows.length)), 'train', 'log.json');
    const log = row.result && existsSync(path) ? { ...readTrainingLog(path), source: relative(sweepDir, path) } : null;
    return { kind: String(row.values[KIND_PATH]), seed: row.seed, row, log };
  });
  const base = parseTrainConfig(r.spec.base);
  const sections: string[] = [];
  for (const s of SECTIONS) {
    const figs = s.measures.map((m) => measureFigure(m, kinds, cells)).filter((f): f is Figure => f !== null);
    if (s.curves) figs.push(...trainingFigures(cells, kinds, base.clip));
    sections.push(`<section><h2>${escapeHtml(s.title)}</h2><p class="meta">${escapeHtml(s.intro)}</p><div class="figures">\n${await figureHtml(figs)}\n</div></section>`);
  }
  const done = r.rows.filter((row) => row.result).length;
  const title = `Network comparison: ${kinds.join(', ')}`;
  const run = r.spec.run;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}
.figures figure { flex: 0 0 auto; width: min-content; max-width: none; }
.figures figure svg { max-width: none; }</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(r.spec.description)}</p>
<p class="meta">Generated ${escapeHtml(r.generatedAt)}. ${r.rows.length} trainings (${done} finished): ${kinds.length} network kinds × seeds ${escapeHtml(r.spec.seeds.join(', '))};
${base.network.hidden} units, ${base.iterations} iterations of ${base.batch} trials (${base.task.kind} task, ${base.task.duration} s, dt ${base.task.dt} s, ${typeof base.arm === 'string' ? `${base.arm} arm` : 'custom arm'});
closed loop: ${escapeHtml(run.task)} on the ${escapeHtml(run.engine)} arm, ${run.repeats} repeat${run.repeats === 1 ? '' : 's'} of each target, the seed of each training. Numbers: <a href="results.csv">results.csv</a>; each training's own report is linked below.</p>
<section><h2>Side by side (mean ± SD over seeds)</h2>
${summaryTable(kinds, cells)}
${ranking(kinds, cells)}
${NOTE}
</section>
${sections.join('\n')}
<section><h2>Trainings</h2>
${cellTable(cells)}
</section>
</body>
</html>
`;
}
