/** `reach export` end to end: output layout, and clear errors on bad input. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../../experiments/cli/export.ts';
import { writeSyntheticRun } from './export-synthetic-run.ts';

const REACH = fileURLToPath(new URL('../../bin/reach.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'reach-export-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const { dir } = writeSyntheticRun(31, root);

function reach(...args: string[]) {
  const r = spawnSync(process.execPath, [REACH, 'export', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** The command in-process (same parsing and validation, no process start-up). */
async function exportInProcess(...args: string[]): Promise<void> {
  const program = new Command('reach').exitOverride();
  register(program);
  await program.parseAsync(['node', 'reach', 'export', ...args]);
}

describe('reach export', () => {
  it('--format all writes npy/, csv/ and nwb/ under <run>/export and reports each on stderr', () => {
    const r = reach('--run', dir, '--format', 'all', '--session-start', '2024-05-01T09:30:00Z');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(readdirSync(join(dir, 'export')).sort()).toEqual(['csv', 'npy', 'nwb']);
    expect(readdirSync(join(dir, 'export', 'nwb')).sort()).toEqual(['hidden.npy', 'run.nwb']);
    expect(readdirSync(join(dir, 'export', 'csv'))).toEqual(expect.arrayContaining(['data.csv', 'trials.csv', 'manifest.json']));
    expect(r.stderr).toMatch(/export: nwb: wrote 2 files to /);
  });

  it('one format goes straight into --out', async () => {
    const out = join(root, 'just-csv');
    await exportInProcess('--run', dir, '--format', 'csv', '--out', out);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['data.csv', 'trials.csv', 'manifest.json']));
  });

  it('bad input exits 1 with "reach: error: <message>"', () => {
    const r = reach('--run', join(root, 'missing'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^reach: error: run directory .*missing does not exist$/);
  });

  it('clear messages: corrupt manifest, unknown format, bad session start', async () => {
    const corrupt = join(root, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'manifest.json'), '{"format": "reach-run", "version": 1,');
    await expect(exportInProcess('--run', corrupt)).rejects.toThrow(/corrupt\/manifest\.json is not valid JSON/);
    await expect(exportInProcess('--run', dir, '--format', 'hdf5')).rejects.toThrow("--format must be one of npy, csv, nwb, all; got 'hdf5'");
    await expect(exportInProcess('--run', dir, '--format', 'nwb', '--out', join(root, 'x'), '--session-start', 'yesterday')).rejects.toThrow(
      /session start time must be an ISO 8601 date-time with a time zone/,
    );
  });
});
