/**
 * `reach` starts from the compiled JavaScript in dist/ and loads only what the command needs: help for
 * the program and for every command comes without tfjs, vega, h5wasm or the arm. Modules are recorded by
 * an ESM resolve hook (node --import) that appends every resolved URL to a file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REACH_COMMAND } from './reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = join(dir, 'hooks.mjs');
const recorder = join(dir, 'record.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.REACH_LOAD_LOG, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(recorder, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

/** Run node with the recorder on `args`; returns the exit status, output and every module URL resolved. */
function recorded(args: string[], cwd = dir): { status: number | null; stdout: string; stderr: string; urls: string[] } {
  const log = join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(recorder).href, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, REACH_LOAD_LOG: log },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, urls: readFileSync(log, 'utf8').split('\n').filter((u) => u !== '') };
}

const [, bin] = REACH_COMMAND;
const HEAVY = /node_modules\/(@tensorflow|vega|vega-lite|h5wasm|matter-js)\//;
const COMMANDS = ['simulate', 'train', 'run', 'bench', 'analyze', 'export', 'experiment'];

describe('reach starts from the compiled build', () => {
  it('reach --help lists every command and runs dist/experiments/cli/main.js, no TypeScript source', () => {
    const r = recorded([bin, '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.urls.some((u) => u.endsWith('/dist/experiments/cli/main.js'))).toBe(true);
    expect(r.urls.filter((u) => u.endsWith('.ts'))).toEqual([]);
  });

  it('the recorder sees tfjs when it is loaded (so the checks below can fail)', () => {
    const r = recorded(['--input-type=module', '-e', "await import('@tensorflow/tfjs')"], fileURLToPath(new URL('../..', import.meta.url)));
    expect(r.status).toBe(0);
    expect(r.urls.some((u) => HEAVY.test(u))).toBe(true);
  });

  it('help loads no tfjs, vega, h5wasm or matter-js, for the program and for every command it lists', () => {
    const listed = [...recorded([bin, '--help']).stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed).toEqual(expect.arrayContaining(COMMANDS));
    for (const args of [['--help'], ...listed.map((c) => [c, '--help'])]) {
      const r = recorded([bin, ...args]);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: reach/);
      expect(r.urls.filter((u) => HEAVY.test(u)), args.join(' ')).toEqual([]);
    }
  });
});
