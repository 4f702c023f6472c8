import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../../core/npy.ts';
import { analyzeActivity } from '../../experiments/analyze.ts';
import { register } from '../../experiments/cli/analyze.ts';
import { readFixture, relativeError } from './fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'test/fixtures/churchland2012-subset/activity.npy');
const activity = readFixture('churchland2012-subset/activity.npy');
const timesS = Float64Array.from(readFixture('churchland2012-subset/times_ms.npy').data, (t) => t / 1000);

async function reach(args: string[]): Promise<void> {
  const program = new Command('reach').exitOverride();
  register(program);
  await program.parseAsync(['node', 'reach', 'analyze', ...args]);
}

describe('analyzeActivity', () => {
  it('reproduces the jPCA.m reference values of the Churchland fixture through the library path', () => {
    const r = analyzeActivity(activity.data, activity.shape, { dt: 0.01, times: timesS, window: [-0.05, 0.15], analyses: ['jpca', 'pca'] });
    expect(r.input.window).toEqual({ first: 0, last: 20, start: -0.05, end: 0.15 });
    expect(relativeError(r.jpca!.R2_Mskew_kD, 0.286101456)).toBeLessThan(1e-6);
    expect(relativeError(r.jpca!.R2_Mbest_2D, 0.5075561197)).toBeLessThan(1e-6);
    expect(relativeError(r.jpca!.varCaptEachPlane[0], 0.3177362)).toBeLessThan(1e-6);
    expect(r.jpca!.projection.length).toBe(10);
    expect(r.jpca!.projection[0].length).toBe(21);
    expect(r.jpca!.projection[0][0].length).toBe(6);
    expect(r.pca!.projection[0].length).toBe(61);
    expect(r.tangling).toBeUndefined();
  });

  it('needs angles for tuning and rejects unknown analyses', () => {
    expect(() => analyzeActivity(activity.data, activity.shape, { dt: 0.01, analyses: ['tuning'] })).toThrow(/angles/);
    expect(() => analyzeActivity(activity.data, activity.shape, { dt: 0.01, analyses: ['nope' as 'pca'] })).toThrow(/unknown analysis/);
  });
});

describe('reach analyze', () => {
  it('writes analysis.json for a float32 recording with --times, --window and --angles-deg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reach-analyze-'));
    try {
      writeFileSync(join(dir, 'act.npy'), encodeNpy(Float32Array.from(activity.data), activity.shape));
      writeFileSync(join(dir, 'times.npy'), encodeNpy(timesS, [61]));
      const angles = Array.from({ length: 10 }, (_, i) => 36 * i).join(',');
      await reach(['--input', join(dir, 'act.npy'), '--times', join(dir, 'times.npy'), '--window=-0.05,0.15', '--angles-deg', angles, '--out', join(dir, 'out')]);
      const out = JSON.parse(readFileSync(join(dir, 'out', 'analysis.json'), 'utf8'));
      expect(out.input.dt).toBe(0.01);
      // float32 storage perturbs the data by ~1e-7 relative.
      expect(relativeError(out.jpca.R2_Mskew_kD, 0.286101456)).toBeLessThan(1e-4);
      expect(out.tangling.timeStep).toBe(2);
      expect(out.tuning.preferredDirection.length).toBe(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects odd --pcs, too many PCs, a window outside the data, NaN values and a missing bin width', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reach-analyze-'));
    try {
      await expect(reach(['--input', fixture, '--dt', '0.01', '--pcs', '5'])).rejects.toThrow(/even/);
      await expect(reach(['--input', fixture, '--dt', '0.01', '--pcs', '52', '--analyses', 'jpca'])).rejects.toThrow(/only 50 units/);
      await expect(reach(['--input', fixture, '--dt', '0.01', '--window', '0.2,0.9'])).rejects.toThrow(/outside the data/);
      await expect(reach(['--input', fixture])).rejects.toThrow(/--dt/);
      const bad = Float64Array.from(activity.data);
      bad[123] = NaN;
      writeFileSync(join(dir, 'nan.npy'), encodeNpy(bad, activity.shape));
      await expect(reach(['--input', join(dir, 'nan.npy'), '--dt', '0.01'])).rejects.toThrow(/non-finite/);
      writeFileSync(join(dir, 'flat.npy'), encodeNpy(Float64Array.from(activity.data), [610, 50]));
      await expect(reach(['--input', join(dir, 'flat.npy'), '--dt', '0.01'])).rejects.toThrow(/3-D/);
      expect(existsSync(join(dir, 'analysis.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with "reach: error:" from the real binary', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(root, 'bin/reach.js'), 'analyze', '--input', fixture, '--dt', '0.01', '--pcs', '3'], { stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/reach: error: --pcs must be even/);
  });
});
