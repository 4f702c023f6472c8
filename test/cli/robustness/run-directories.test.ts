/**
 * Issue 12, defects 3 and 4: a run directory holds one run. `reach run` writes it in a temporary sibling
 * renamed into place (an existing non-empty --out only with --force, which replaces it whole); readers
 * refuse a file the manifest does not list by hash; a training directory refuses a second, fresh
 * training; an export replaces the earlier export whole and leaves no stale temporaries; and one writer
 * at a time holds an output, a second one is told the holder's pid.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { finished, reach, reachAsync } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-rundirs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => reach(dir, 'run', '--engine', 'analytic', '--duration', '1.2', ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reach run writes a run directory whole', () => {
  it('refuses a non-empty --out without --force; --force replaces it whole', () => {
    expect(run('--out', 'r1').status).toBe(0);
    writeFileSync(join(dir, 'r1', 'left-over.npy'), 'from an older run');
    const refused = run('--out', 'r1', '--repeats', '2');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/r1 already holds files .*pass --force to replace it whole/);
    expect(readRunDir(join(dir, 'r1')).trials).toHaveLength(8);

    const forced = run('--out', 'r1', '--repeats', '2', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 'r1', 'left-over.npy'))).toBe(false);
    expect(readRunDir(join(dir, 'r1')).trials).toHaveLength(16);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('reach experiment refuses a non-empty --out without --force before doing any work', () => {
    const r = reach(dir, 'experiment', '--engine', 'analytic', '--formats', 'none', '--no-fixed-points', '--out', 'r1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/r1 already holds files .*pass --force to replace it whole with the new experiment/);
    expect(readRunDir(join(dir, 'r1')).trials).toHaveLength(16);
  });

  it('readers refuse an array file that the manifest does not list (the mix a killed overwrite used to leave)', () => {
    expect(run('--out', 'r2', '--seed', '2').status).toBe(0);
    copyFileSync(join(dir, 'r1', 'hidden.npy'), join(dir, 'r2', 'hidden.npy'));
    expect(() => readRunDir(join(dir, 'r2'))).toThrow(/hidden\.npy does not belong to .*manifest\.json/);
    const exp = reach(dir, 'export', '--run', 'r2', '--format', 'npy');
    expect(exp.status).toBe(1);
    expect(exp.stderr).toMatch(/hidden\.npy does not belong/);
  });

  it('a stale staging directory of a killed run is removed by the next run', () => {
    mkdirSync(join(dir, 'r3.999999999.tmp'));
    writeFileSync(join(dir, 'r3.999999999.tmp', 'hidden.npy'), 'half-written');
    expect(run('--out', 'r3').status).toBe(0);
    expect(existsSync(join(dir, 'r3.999999999.tmp'))).toBe(false);
  });
});

describe('exports never mix with an earlier export', () => {
  it('an export replaces the earlier one whole and leaves no temporaries of a killed export', () => {
    const out = join(dir, 'r1', 'export', 'csv');
    expect(reach(dir, 'export', '--run', 'r1', '--format', 'csv').status).toBe(0);
    writeFileSync(join(out, 'old_array.csv'), 'index,value\n0,1\n');
    writeFileSync(join(out, 'data.csv.999999999.0.tmp'), 'half-written by a killed export');
    mkdirSync(`${out}.999999999.tmp`);
    const again = reach(dir, 'export', '--run', 'r1', '--format', 'csv');
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['data.csv', 'manifest.json', 'readout_weights.csv', 'trials.csv']);
    expect(readdirSync(join(dir, 'r1', 'export')).sort()).toEqual(['csv']);
  });

  it('refuses to replace a folder that is not an export', () => {
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const r = reach(dir, 'export', '--run', 'r1', '--format', 'csv', '--out', 'mine');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/mine holds files that are not an export/);
    expect(readFileSync(join(dir, 'mine', 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

const tiny = { seed: 3, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 20, delay: [0.05, 0.1] }, checkpointEvery: 1 };
writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny));

describe('training directories', () => {
  it('a fresh reach train into a directory holding another training is refused unless --force', () => {
    const train = (...args: string[]) => reach(dir, 'train', '--backend', 'cpu', '--config', 'tiny.json', '--iterations', '2', ...args);
    expect(train('--out', 't1').status).toBe(0);
    const before = readFileSync(join(dir, 't1', 'log.json'), 'utf8');
    const refused = train('--out', 't1', '--seed', '4');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/t1 already holds a training \(config\.json, log\.json, checkpoint\.json\); pass --force/);
    expect(readFileSync(join(dir, 't1', 'log.json'), 'utf8')).toBe(before);
    const forced = train('--out', 't1', '--seed', '4', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 't1', 'config.json'), 'utf8')).seed).toBe(4);
  });

  it('npm run train:default passes --force to both commands, so it can be run again into its fixed folders', () => {
    const script: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).scripts['train:default'];
    for (const command of script.split('&&').filter((c) => / (train|experiment) /.test(c))) expect(command).toMatch(/ --force /);
  });
});

describe('one writer per output', () => {
  it('a second process writing the same --out fails naming the pid of the first', async () => {
    const first = reachAsync(dir, 'train', '--backend', 'cpu', '--config', 'tiny.json', '--iterations', '100000', '--out', 't2');
    const done = finished(first);
    try {
      for (let i = 0; i < 600 && !existsSync(join(dir, 't2', 'checkpoint.json')); i++) await sleep(100);
      expect(readFileSync(join(dir, 't2.lock'), 'utf8').trim()).toBe(String(first.pid));
      const second = reach(dir, 'train', '--backend', 'cpu', '--config', 'tiny.json', '--iterations', '2', '--out', 't2', '--force');
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`t2 is being written by another reach process \\(pid ${first.pid}`));
      const run2 = run('--out', 't2', '--force');
      expect(run2.stderr).toMatch(new RegExp(`pid ${first.pid}`));
    } finally {
      first.kill('SIGINT');
    }
    expect((await done).status).toBe(130);
    expect(existsSync(join(dir, 't2.lock'))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(join(dir, 'r4.lock'), `${gone.pid}\n`);
    const r = run('--out', 'r4');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'r4.lock'))).toBe(false);
  });
});
