/**
 * Where a worker thread's entry module is. Worker threads run plain JavaScript: from the compiled CLI
 * (dist/) the entry is the `.js` beside the calling module; from the TypeScript sources (vitest runs
 * them) it is the same module's build in dist/, which vitest's global setup (test/build-cli.ts) keeps
 * up to date, so a worker never needs a TypeScript loader.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-info.ts';

/** URL of the worker entry `name` (no extension) of this folder, compiled. */
export function workerEntry(name: string): URL {
  const beside = new URL(`./${name}.js`, import.meta.url);
  if (import.meta.url.endsWith('.js')) return beside;
  const path = join(PACKAGE_ROOT, 'dist', relative(PACKAGE_ROOT, fileURLToPath(beside)));
  if (!existsSync(path)) throw new Error(`worker entry ${path} is not built: run npm run build:cli`);
  return pathToFileURL(path);
}
