/**
 * vitest global setup: bring the compiled CLI in dist/ up to date, so tests that spawn bin/reach.js
 * never run JavaScript older than the sources. `tsc -b` runs only when a source or tsconfig is newer
 * than the last build (a full check costs seconds on 2 cores). Type errors are printed but do not stop
 * the tests: vitest runs the sources without type checking too, and `npm install`/`npm run build:cli`
 * fail on them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['core', 'sim', 'model', 'experiments', 'api'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs; // a deleted or renamed file changes its folder's time
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export default function buildCli(): void {
  const buildInfo = join(root, 'dist', '.tsbuildinfo');
  const built = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : -Infinity;
  const changed = Math.max(...[...SOURCES, ...CONFIGS].map((p) => newestMtime(join(root, p))));
  if (changed <= built) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.stderr.write(`build-cli: tsc -b tsconfig.build.json reported errors (the CLI was still emitted):\n${r.stdout}${r.stderr}`);
}
