/**
 * The package's public surface: `exports` names four entry points (plus package.json) and nothing
 * else, and the sim and analysis entry points run in a browser — no module reachable from them imports
 * a Node built-in or a package outside the browser-safe dependencies.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every module reachable by static or dynamic import from `entry`: relative files and bare specifiers. */
function importGraph(entry: string): { files: string[]; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const todo = [resolve(root, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) todo.push(resolve(dirname(file), fileName));
      else if (!bare.has(fileName)) bare.set(fileName, file.slice(root.length));
    }
  }
  return { files: [...files], bare };
}

const BROWSER_SAFE = ['zod', 'matter-js'];

describe('package entry points', () => {
  it('exports exactly sim, model, analysis, io and package.json, each entry with types first', () => {
    expect(Object.keys(pkg.exports).sort()).toEqual(['./analysis', './io', './model', './package.json', './sim']);
    for (const name of ['sim', 'model', 'analysis', 'io']) {
      expect(Object.keys(pkg.exports[`./${name}`])).toEqual(['types', 'default']);
      expect(pkg.exports[`./${name}`]).toEqual({ types: `./dist/api/${name}.d.ts`, default: `./dist/api/${name}.js` });
    }
  });

  it('resolves the public entry points and refuses internal modules', async () => {
    const sim = await import('motor-cortex-rnn/sim');
    expect(typeof sim.ReachEnv).toBe('function');
    const analysis = await import('motor-cortex-rnn/analysis');
    expect(typeof analysis.jpca).toBe('function');
    // The alignment baseline's samples, through the published entry point: indices within [0, 1].
    const samples = (rows: number[][]) => ({ rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) });
    const baseline = analysis.alignmentBaseline(samples([[1, 0], [-1, 0], [0, 0.1], [0, -0.1]]), samples([[0.2, 1], [-0.2, -1], [0.1, 0], [-0.1, 0]]), 1);
    for (const v of analysis.randomAlignmentIndices(baseline, 1, 0, 5)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1 + 1e-12);
    }
    const r = (await import('node:child_process')).spawnSync(process.execPath, ['--input-type=module', '-e', "await import('motor-cortex-rnn/dist/sim/body.js')"], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  for (const entry of ['api/sim.ts', 'api/analysis.ts']) {
    it(`${entry} reaches no Node built-in and no package but ${BROWSER_SAFE.join(', ')}`, () => {
      const { files, bare } = importGraph(entry);
      expect(files.length).toBeGreaterThan(5);
      const offending = [...bare].filter(([spec]) => spec.startsWith('node:') || builtinModules.includes(spec) || !BROWSER_SAFE.includes(spec.split('/')[0]));
      expect(offending.map(([spec, from]) => `${spec} (imported by ${from})`)).toEqual([]);
    });
  }

  it('the model entry point is the one that needs TensorFlow.js (a check that the graph walk sees packages)', () => {
    expect([...importGraph('api/model.ts').bare.keys()].some((s) => s.startsWith('@tensorflow/'))).toBe(true);
  });
});
