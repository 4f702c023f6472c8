import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reach } from '../cli/reach-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Seconds of training: a few iterations of a few short trials, a gradient-flow snapshot every 2. */
const base = { batch: 4, task: { kind: 'mixed', duration: 0.4, delay: [0.1, 0.2] }, checkpointEvery: 0, gradientFlowEvery: 2 };

const csvRows = (path: string) => {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
};

describe('reach compare', () => {
  it('trains, runs and analyses every kind for every seed, and its report draws every kind in every figure', () => {
    writeFileSync(join(root, 'base.json'), JSON.stringify(base));
    const out = join(root, 'compare');
    const r = reach(root, 'compare', '--kinds', 'rnn,lstm', '--seeds', '2', '--hidden', '8', '--iterations', '4', '--config', 'base.json', '--repeats', '1', '--jobs', '2', '--out', out);
    expect(r.stderr).toMatch(/4\/4 cells done/);
    expect(r.status).toBe(0);

    const rows = csvRows(join(out, 'results.csv'));
    expect(rows.map((row) => [row.state, row['network.kind'], row.seed, row.iterations])).toEqual([
      ['done', 'rnn', '1', '4'],
      ['done', 'rnn', '2', '4'],
      ['done', 'lstm', '1', '4'],
      ['done', 'lstm', '2', '4'],
    ]);
    for (const row of rows) expect(Number(row.endpoint_error_mean_m)).toBeGreaterThan(0);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const figures = [...html.matchAll(/<figure id="fig-([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ id: m[1], body: m[2] }));
    const ids = figures.map((f) => f.id);
    for (const id of ['compare-endpoint_error_mean_m', 'compare-straightness_mean', 'compare-train_seconds', 'compare-loss-curves', 'compare-gradient-norm', 'gradient-flow-comparison', 'compare-jpca_ratio', 'compare-tangling_hidden_median_per_s2', 'compare-fraction_tuned', 'compare-fixed_points']) {
      expect(ids).toContain(id);
    }
    // Every figure names both kinds: as axis labels (one column per kind) or in its legend.
    for (const f of figures) {
      for (const kind of ['rnn', 'lstm']) expect([f.id, new RegExp(`>${kind}( \\(iteration \\d+\\))?</text>`).test(f.body)]).toEqual([f.id, true]);
    }
    // The side-by-side table: one row per kind, both seeds in, mean ± SD.
    for (const kind of ['rnn', 'lstm']) expect(html).toMatch(new RegExp(`<tr><th>${kind}</th><td>2 of 2</td><td class="value">[^<]+ ± [^<]+</td>`));
    expect(html).toContain('Sussillo');
    expect(html).toContain('href="cells/003/run/report.html"');
  });
});
