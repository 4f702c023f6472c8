import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from '../../experiments/cli/analyze.ts';
import { relativeError } from './fixtures.ts';

const fixture = fileURLToPath(new URL('../fixtures/churchland2012-subset/activity.npy', import.meta.url));

async function reach(args: string[]): Promise<void> {
  const program = new Command('reach').exitOverride();
  register(program);
  await program.parseAsync(['node', 'reach', 'analyze', ...args]);
}

describe('reach analyze --null', () => {
  it('writes the R2_Mskew_kD p-value of the Churchland data against 20 TME surrogates: (1 + surrogates at or above it) / 21', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reach-null-'));
    try {
      await reach(['--input', fixture, '--dt', '0.01', '--window', '0,0.2', '--analyses', 'jpca', '--null', 'tme', '--surrogates', '20', '--seed', '4', '--out', dir]);
      const n = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')).nullModel;
      expect(n.method).toBe('tme');
      expect(n.seed).toBe(4);
      const s = n.jpca.R2_Mskew_kD;
      // The observed value is jPCA.m's on bins 0…20 (test/fixtures/README.md).
      expect(relativeError(s.observed, 0.286101456)).toBeLessThan(1e-6);
      expect(s.null).toHaveLength(20);
      expect(s.p).toBeCloseTo((1 + s.null.filter((v: number) => v >= s.observed).length) / 21, 15);
      expect(n.tangling).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the CMPT null for jPCA and tangling, each with its tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reach-null-'));
    try {
      await reach(['--input', fixture, '--dt', '0.01', '--window', '0,0.2', '--analyses', 'jpca,tangling', '--null', 'cmpt', '--surrogates', '5', '--out', dir]);
      const n = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')).nullModel;
      expect(n.method).toBe('cmpt');
      expect(n.jpca.ratio.tail).toBe('upper');
      expect(n.tangling.median.tail).toBe('lower');
      expect(n.tangling.median.null).toHaveLength(5);
      expect(n.cmpt.mismatchMatched).toBeLessThan(n.cmpt.mismatchShuffled);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown null model, zero surrogates and a null model with neither jPCA nor tangling', async () => {
    await expect(reach(['--input', fixture, '--dt', '0.01', '--null', 'shuffle'])).rejects.toThrow(/--null must be one of tme, cmpt, none/);
    await expect(reach(['--input', fixture, '--dt', '0.01', '--null', 'tme', '--surrogates', '0'])).rejects.toThrow(/--surrogates must be ≥ 1/);
    await expect(reach(['--input', fixture, '--dt', '0.01', '--analyses', 'pca', '--null', 'tme'])).rejects.toThrow(/select at least one of them/);
  });
});
