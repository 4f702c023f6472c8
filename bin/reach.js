#!/usr/bin/env node
// `reach` runs the CLI compiled to dist/ (`npm run build:cli`; npm install, npm start and npm test build it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/experiments/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(`reach: the CLI is not built (no ${fileURLToPath(main)}); run npm run build:cli in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(1);
}
// Stack traces (REACH_DEBUG=1) then name the TypeScript sources.
if (process.env.REACH_DEBUG) process.setSourceMapsEnabled(true);
await import(main.href);
