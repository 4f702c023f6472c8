/** The package's name and version, read once from package.json (recorded in every run and checkpoint). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME = pkg.name;
export const PACKAGE_VERSION = pkg.version;

/** Repository-relative path of the committed default controller. */
export const DEFAULT_CHECKPOINT = fileURLToPath(new URL('../models/default-controller.json', import.meta.url));
