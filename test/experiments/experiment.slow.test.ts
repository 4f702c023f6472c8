/**
 * `reach experiment` end to end: the committed default controller on the matter-js arm → run directory,
 * analysis, exports, report; and `--train` with a few iterations, which must produce the loss curve.
 */
import { Command } from 'commander';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../../experiments/cli/experiment.ts';
import { readRunDir } from '../../experiments/run-dir.ts';
import { DEFAULT_CHECKPOINT } from '../../experiments/package-info.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-experiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function reach(args: string[]): Promise<void> {
  const program = new Command('reach').exitOverride();
  register(program);
  await program.parseAsync(['node', 'reach', 'experiment', ...args]);
}

describe('reach experiment', () => {
  it('runs the default torque controller (--arm motornet) on the 8 targets and writes the run, analysis, figures, exports and report', async () => {
    const out = join(dir, 'default');
    await reach(['--arm', 'motornet', '--out', out, '--repeats', '1']);
    const run = readRunDir(out);
    expect(run.trials.length).toBe(8);
    expect((run.config as { checkpoint: { path: string } }).checkpoint.path).toBe(DEFAULT_CHECKPOINT);

    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(a.run.conditions).toBe(8);
    // The committed controller reaches: every target within 1 cm, 800 ms after the go cue.
    expect(a.kinematics.maxEndpointError).toBeLessThan(0.01);
    for (const [name, value] of Object.entries(a.summary)) expect(Number.isFinite(value), name).toBe(true);
    expect(a.fixedPoints.conditions.length).toBe(8);
    for (const c of a.fixedPoints.conditions) for (const p of c.points.filter((x: { isFixedPoint: boolean }) => x.isFixedPoint)) expect(p.q).toBeLessThan(1e-10);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.split('<figure ').length - 1).toBe(readdirSync(join(out, 'figures')).length);
    expect(existsSync(join(out, 'export', 'npy', 'manifest.json'))).toBe(true);
    expect(existsSync(join(out, 'export', 'npy', 'hidden.npy'))).toBe(true);
    expect(readdirSync(join(out, 'export', 'csv')).some((f) => f.endsWith('.csv'))).toBe(true);
    expect(existsSync(join(out, 'export', 'nwb', 'run.nwb'))).toBe(true);
    // The report lists the exports with paths that resolve from its folder.
    expect(html).toContain('href="export/nwb/run.nwb"');
  });

  it('--train trains a controller first, uses it, and plots its loss curve', async () => {
    const out = join(dir, 'trained');
    await reach(['--out', out, '--train', '--iterations', '3', '--repeats', '1', '--formats', 'none', '--no-fixed-points']);
    expect(existsSync(join(out, 'train', 'log.json'))).toBe(true);
    const run = readRunDir(out);
    expect((run.config as { checkpoint: { path: string; training: { iterations: number } } }).checkpoint).toMatchObject({ path: join(out, 'train', 'controller.json'), training: { iterations: 3 } });
    expect(existsSync(join(out, 'figures', 'loss-curve.svg'))).toBe(true);
    expect(existsSync(join(out, 'export'))).toBe(false);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(a.fixedPoints.skipped).toMatch(/no-fixed-points/);
  });

  it('rejects bad options before doing any work', async () => {
    await expect(reach(['--out', join(dir, 'bad1'), '--formats', 'npy,xls'])).rejects.toThrow(/unknown format 'xls'/);
    await expect(reach(['--out', join(dir, 'bad2'), '--iterations', '5'])).rejects.toThrow(/only with --train/);
    await expect(reach(['--out', join(dir, 'bad3'), '--repeats', '0'])).rejects.toThrow(/--repeats must be at least 1/);
    await expect(reach(['--out', join(dir, 'bad4'), '--checkpoint', join(dir, 'missing.json')])).rejects.toThrow(/checkpoint not found/);
    for (const d of ['bad1', 'bad2', 'bad3', 'bad4']) expect(existsSync(join(dir, d))).toBe(false);
  });
});
