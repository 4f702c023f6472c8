/** The package's name and version, read once from package.json (recorded in every run and checkpoint). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of package.json above this file: the repository from the sources, and from their build in dist/ too. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME = pkg.name;
/** This package's semver version, recorded in every run directory and checkpoint. */
export const PACKAGE_VERSION = pkg.version;

/** Path of the committed default controller. */
export const DEFAULT_CHECKPOINT = join(PACKAGE_ROOT, 'models', 'default-controller.json');
