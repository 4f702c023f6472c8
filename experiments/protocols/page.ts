/**
 * The written side of a protocol: analysis.json, figures/<id>.svg and a self-contained report.html
 * (summary table, figures with captions, files), each written atomically into the protocol's folder.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/files.ts';
import { escapeHtml } from '../report/html.ts';
import { renderFigures, type Figure } from '../report/figures.ts';

export interface ProtocolPage {
  title: string;
  /** One paragraph on what was run. */
  setup: string;
  /** Summary rows: name, value, note. */
  rows: Array<[string, string, string]>;
  figures: Figure[];
  /** Files next to the report, by heading. */
  files: Record<string, string[]>;
}

/** Write analysis.json, the figures and report.html into `out`; returns the report's path. */
export async function writeProtocolOutputs(out: string, analysis: unknown, page: ProtocolPage): Promise<{ report: string; analysisJson: string; figures: string[] }> {
  const analysisJson = join(out, 'analysis.json');
  writeJsonAtomic(analysisJson, analysis);
  const rendered = await renderFigures(page.figures);
  const figures = rendered.map((f) => {
    const path = join(out, 'figures', `${f.id}.svg`);
    writeFileAtomic(path, f.svg);
    return path;
  });
  const files = { Analysis: ['analysis.json', ...rendered.map((f) => `figures/${f.id}.svg`)], ...page.files };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
td.note{color:#666;font-size:90%}figure{margin:2em 0}figcaption{color:#444;font-size:92%;max-width:900px}
code{background:#f4f4f4;padding:0 3px}</style></head><body>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.setup)}</p>
<p>Generated ${escapeHtml(new Date().toISOString())}.</p>
<h2>Summary</h2>
<table><tr><th>Measure</th><th>Value</th><th>Note</th></tr>
${page.rows.map(([a, b, c]) => `<tr><td>${escapeHtml(a)}</td><td>${escapeHtml(b)}</td><td class="note">${escapeHtml(c)}</td></tr>`).join('\n')}
</table>
<h2>Figures</h2>
${rendered.map((f) => `<figure id="${escapeHtml(f.id)}"><h3>${escapeHtml(f.title)}</h3>${f.svg}<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join('\n')}
<h2>Files</h2>
${Object.entries(files).map(([h, list]) => `<h3>${escapeHtml(h)}</h3><ul>${list.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('')}</ul>`).join('\n')}
</body></html>
`;
  const report = join(out, 'report.html');
  writeFileAtomic(report, html);
  return { report, analysisJson, figures };
}
