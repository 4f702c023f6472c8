/**
 * Issue 12, defects 3 and 4, for the other two commands that write a directory: `reach simulate --out`
 * and `reach analyze --run … [--out]` hold the output's lock (a second writer is told the holder's pid)
 * and write the directory whole, so it never mixes files of two invocations: an existing non-empty
 * --out is refused unless --force, which replaces it whole. An analysis written into its run directory
 * replaces the earlier analysis (figures/ whole) and leaves the run itself readable.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { reach } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Temporaries and locks left in `folder`. */
const leftovers = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'));

/** Hold the lock of `out` in the name of this (live) test process, as a running reach would. */
function holdLock(out: string): () => void {
  writeFileSync(`${join(dir, out)}.lock`, `${process.pid}\n`);
  return () => rmSync(`${join(dir, out)}.lock`, { force: true });
}

writeFileSync(join(dir, 'tau.csv'), 'tau1,tau2\n' + Array.from({ length: 20 }, () => '0.5,-0.2').join('\n') + '\n');
const simulate = (...args: string[]) => reach(dir, 'simulate', '--torques', 'tau.csv', ...args);

describe('reach simulate --out', () => {
  it('refuses a non-empty --out without --force; --force replaces it whole', () => {
    expect(simulate('--out', 's1').status).toBe(0);
    writeFileSync(join(dir, 's1', 'muscle_force.npy'), 'left from another simulation');
    const refused = simulate('--out', 's1', '--dt', '0.02');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/s1 already holds files .*pass --force to replace it whole with the new simulation/);
    expect(JSON.parse(readFileSync(join(dir, 's1', 'manifest.json'), 'utf8')).config.dt).toBe(0.01);

    const forced = simulate('--out', 's1', '--dt', '0.02', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 's1', 'muscle_force.npy'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 's1', 'manifest.json'), 'utf8')).config.dt).toBe(0.02);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a stale staging directory of a killed simulation is removed by the next one', () => {
    mkdirSync(join(dir, 's2.999999999.tmp'));
    writeFileSync(join(dir, 's2.999999999.tmp', 'times.npy'), 'half-written');
    expect(simulate('--out', 's2').status).toBe(0);
    expect(existsSync(join(dir, 's2.999999999.tmp'))).toBe(false);
  });

  it('a second writer of the same --out fails naming the pid of the first, and writes nothing', () => {
    const release = holdLock('s3');
    try {
      const r = simulate('--out', 's3');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`s3 is being written by another reach process \\(pid ${process.pid}`));
      expect(existsSync(join(dir, 's3'))).toBe(false);
    } finally {
      release();
    }
  });
});

describe('reach analyze --run', () => {
  const analyze = (...args: string[]) => reach(dir, 'analyze', '--run', 'run', '--no-fixed-points', '--pcs', '2', ...args);

  it('a separate --out: refused when it holds files unless --force, which replaces it whole', () => {
    const run = reach(dir, 'run', '--engine', 'analytic', '--duration', '1.2', '--out', 'run');
    expect(run.status, run.stderr).toBe(0);
    mkdirSync(join(dir, 'a1'));
    writeFileSync(join(dir, 'a1', 'notes.txt'), 'not an analysis');
    const refused = analyze('--out', 'a1');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/a1 already holds files \(notes\.txt\); pass --force to replace it whole with the new analysis/);
    expect(readdirSync(join(dir, 'a1'))).toEqual(['notes.txt']);

    const forced = analyze('--out', 'a1', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(join(dir, 'a1')).sort()).toEqual(['analysis.json', 'figures', 'report.html']);
    expect(leftovers(dir)).toEqual([]);
  });

  it('--out held by another process is refused naming its pid', () => {
    const release = holdLock('a2');
    try {
      const r = analyze('--out', 'a2');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`a2 is being written by another reach process \\(pid ${process.pid}`));
    } finally {
      release();
    }
  });

  it('into the run directory: under the run\'s lock, figures/ replaced whole, the run still readable', () => {
    const release = holdLock('run');
    try {
      const r = analyze();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`run is being written by another reach process \\(pid ${process.pid}`));
    } finally {
      release();
    }
    mkdirSync(join(dir, 'run', 'figures'), { recursive: true });
    writeFileSync(join(dir, 'run', 'figures', 'from-an-older-analysis.svg'), '<svg/>');
    const r = analyze();
    expect(r.status, r.stderr).toBe(0);
    const figures = readdirSync(join(dir, 'run', 'figures'));
    expect(figures).not.toContain('from-an-older-analysis.svg');
    expect(figures.length).toBeGreaterThan(3);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'analysis.json'), 'utf8')).kind).toBe('reach-run-analysis');
    expect(existsSync(join(dir, 'run', 'report.html'))).toBe(true);
    expect(leftovers(join(dir, 'run'))).toEqual([]);
    expect(leftovers(dir)).toEqual([]);
    expect(readRunDir(join(dir, 'run')).trials).toHaveLength(8);
  });

  it('a run directory that does not exist is named, and no folder or lock is made for it', () => {
    const r = reach(dir, 'analyze', '--run', 'nowhere', '--no-fixed-points');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/run directory .*nowhere does not exist/);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere.lock'))).toBe(false);
  });
});
