/**
 * Issue 12, defect 1: `reach train --resume` continues where the checkpoint stopped. The earlier log
 * lines stay exactly as they were (their wall times included, which a run started again from iteration
 * 1 could not reproduce), config.json records where the run resumed, and a checkpoint without optimizer
 * state is refused unless --restart-optimizer says the optimizer restarts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../../model/checkpoint.ts';
import { reach } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = { seed: 5, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 20, delay: [0.05, 0.1] }, checkpointEvery: 0 };
writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny));
const train = (...args: string[]) => reach(dir, 'train', '--backend', 'cpu', ...args);
const json = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

describe('reach train --resume', () => {
  it('keeps the earlier log lines unchanged, continues from the next iteration and records the resume in config.json', () => {
    const first = train('--config', 'tiny.json', '--iterations', '3', '--out', 'a', '--export', join('a', 'compact.json'));
    expect(first.status, first.stderr).toBe(0);
    const before = json('a/log.json').iterations;
    expect(before).toHaveLength(3);

    const resumed = train('--resume', join('a', 'checkpoint.json'), '--iterations', '5', '--out', 'a');
    expect(resumed.status, resumed.stderr).toBe(0);
    const after = json('a/log.json').iterations;
    expect(after.map((e: { iteration: number }) => e.iteration)).toEqual([1, 2, 3, 4, 5]);
    expect(after.slice(0, 3)).toEqual(before);
    expect(parseCheckpoint(readFileSync(join(dir, 'a', 'checkpoint.json'), 'utf8')).training.iterations).toBe(5);
    expect(json('a/config.json').resumes).toEqual([{ checkpoint: resolve(dir, 'a', 'checkpoint.json'), iteration: 3, optimizer: 'restored' }]);
  });

  it('refuses a checkpoint without optimizer state unless --restart-optimizer is given', () => {
    const refused = train('--resume', join('a', 'compact.json'), '--iterations', '5', '--out', 'a');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/compact\.json has no optimizer state.*--restart-optimizer/);
    expect(json('a/log.json').iterations).toHaveLength(5);

    const restarted = train('--resume', join('a', 'compact.json'), '--restart-optimizer', '--iterations', '4', '--out', 'b');
    expect(restarted.status, restarted.stderr).toBe(0);
    expect(json('b/log.json').iterations.slice(0, 3)).toEqual(json('a/log.json').iterations.slice(0, 3));
    expect(json('b/config.json').resumes).toEqual([{ checkpoint: resolve(dir, 'a', 'compact.json'), iteration: 3, optimizer: 'restarted' }]);
  });

  it('refuses to "continue" to an iteration count the checkpoint already holds', () => {
    const r = train('--resume', join('a', 'checkpoint.json'), '--iterations', '5', '--out', 'a');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already holds 5 iterations; give --iterations above 5/);
  });
});
