/**
 * The sweep's report.html: one self-contained page with each figure of results.csv against each swept
 * value — every seed as a dot, the mean over seeds as a line, ± one standard deviation as a bar (Vega-Lite,
 * rendered to inline SVG like the cell reports) — and a table of the cells with links to their own reports.
 * With several swept paths, the other paths' values colour the lines.
 */
import { CSS, escapeHtml } from '../report/html.ts';
import { renderSvg, type VegaLiteSpec } from '../report/render.ts';
import { METRIC_COLUMNS, type ResultRow } from './results.ts';
import { cellLabel, type SweepSpec } from './spec.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The figure of one metric against one swept path, or null when no finished cell has the metric. */
function metricFigure(metric: (typeof METRIC_COLUMNS)[number], path: string, others: string[], rows: ResultRow[]): VegaLiteSpec | null {
  const points = rows
    .filter((r) => r.result && r.result.metrics[metric.name] !== null && r.result.metrics[metric.name] !== undefined)
    .map((r) => ({
      x: show(r.values[path]),
      group: others.map((p) => `${p}=${show(r.values[p])}`).join(', ') || 'all',
      seed: r.seed,
      y: r.result!.metrics[metric.name] as number,
    }));
  if (points.length === 0) return null;
  // Swept values in the spec's order (numbers sorted), one category each: penalties such as 0, 0.001, 0.1 span decades and include 0.
  const raw = [...new Set(rows.map((r) => r.values[path]))];
  const order = (raw.every((v) => typeof v === 'number') ? [...raw].sort((a, b) => a - b) : raw).map(show);
  const grouped = others.length > 0;
  const color = grouped ? { color: { field: 'group', type: 'nominal', title: others.join(', ') } } : {};
  const x = { field: 'x', type: 'ordinal', title: path, sort: order, axis: { labelAngle: 0 } };
  const y = { field: 'y', type: 'quantitative', title: metric.name };
  return {
    $schema: SCHEMA,
    width: 260,
    height: 190,
    title: { text: metric.name, subtitle: metric.description, subtitleFontSize: 10 },
    data: { values: points },
    layer: [
      { mark: { type: 'point', filled: true, opacity: 0.45, size: 30 }, encoding: { x, y: { ...y, scale: { zero: false } }, ...color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { ...y, aggregate: 'mean' }, ...color } },
      { mark: { type: 'errorbar', extent: 'stdev', thickness: 1.5, ...(grouped ? {} : { color: '#4c78a8' }) }, encoding: { x, y, ...color } },
    ],
  } as VegaLiteSpec;
}

export interface SweepReportContents {
  spec: SweepSpec;
  paths: string[];
  rows: ResultRow[];
  generatedAt: string;
}

/** report.html of a sweep. */
export async function sweepReportHtml(r: SweepReportContents): Promise<string> {
  const sections: string[] = [];
  const axes = r.paths;
  for (const path of axes) {
    const others = axes.filter((p) => p !== path);
    const figures: string[] = [];
    // Wall-clock columns last: the science first.
    for (const metric of [...METRIC_COLUMNS.filter((c) => !c.wallClock), ...METRIC_COLUMNS.filter((c) => c.wallClock)]) {
      const spec = metricFigure(metric, path, others, r.rows);
      if (spec) figures.push(`<figure>${await renderSvg(spec)}</figure>`);
    }
    sections.push(`<section><h2>Against ${escapeHtml(path)}</h2><p class="meta">Dots: one cell each (one seed); line: mean over seeds; bars: ± 1 standard deviation over seeds.</p><div class="figures">${figures.join('\n')}</div></section>`);
  }
  const done = r.rows.filter((row) => row.result).length;
  const head = ['cell', 'values', 'state', 'final_loss', 'endpoint_error_mean_m', 'jpca_R2_Mskew_kD', 'tangling_hidden_median_per_s2', 'report'];
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4));
  const table = r.rows
    .map((row) => {
      const m = row.result?.metrics ?? {};
      const link = row.result ? `<a href="${escapeHtml(row.report)}">report</a>` : '';
      return `<tr><td>${row.cell}</td><td>${escapeHtml(cellLabel(row))}</td><td>${escapeHtml(row.state)}</td>${head.slice(3, -1).map((k) => `<td class="value">${fmt(m[k])}</td>`).join('')}<td>${link}</td></tr>`;
    })
    .join('\n');
  const title = `Sweep ${r.spec.name}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}
.figures figure { flex: 0 0 auto; max-width: none; }
.figures figure svg { max-width: none; }</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(r.spec.description)}</p>
<p class="meta">Generated ${escapeHtml(r.generatedAt)}. ${r.rows.length} cells (${done} finished): ${escapeHtml(axes.length ? axes.join(' × ') : 'the base config')} × seeds ${escapeHtml(r.spec.seeds.join(', '))}. Every figure is a column of <a href="results.csv">results.csv</a>; each cell's own report has its training, reaches and population analysis.</p>
${sections.join('\n')}
<section><h2>Cells</h2>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${table}
</tbody></table></section>
</body>
</html>
`;
}
