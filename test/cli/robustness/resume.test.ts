/**
 * Issue 12, defect 1: `reach train --resume` continues where the checkpoint stopped. The earlier log
 * lines stay exactly as they were (their wall times included, which a run started again from iteration
 * 1 could not reproduce), config.json records where the run resumed, and a checkpoint without optimizer
 * state is refused unless --restart-optimizer says the optimizer restarts. With --config, a resume is a
 * next training stage: the same network goes on under the new config (a curriculum).
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

describe('reach train --resume with --config: a next stage', () => {
  // Longer trials and a new learning rate, the same network: what the muscle default's hold stage changes. Decays every
  // 2 iterations, so a schedule counted from iteration 0 (a first halving at 6) differs from the stage's (at 7).
  const stage = { ...tiny, task: { ...tiny.task, steps: 30 }, lr: 0.01, lrDecaySteps: 2 };
  writeFileSync(join(dir, 'stage.json'), JSON.stringify(stage));
  /** The stage's documented rate after iteration i: lr halved every lrDecaySteps iterations from the stage's start (5). */
  const stageLr = (i: number) => 0.01 * 0.5 ** Math.floor((i - 5) / 2);

  it('trains the checkpoint\'s weights under the new config, its rate counted from the stage\'s start, continuing the log', () => {
    const r = train('--resume', join('a', 'checkpoint.json'), '--config', 'stage.json', '--iterations', '9', '--out', 's', '--export', join('s', 'compact.json'));
    expect(r.status, r.stderr).toBe(0);
    const log = json('s/log.json').iterations;
    expect(log.map((e: { iteration: number }) => e.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.slice(0, 5)).toEqual(json('a/log.json').iterations);
    expect(log.slice(5).map((e: { lr: number }) => e.lr)).toEqual([6, 7, 8, 9].map(stageLr));
    // The loss curve marks the stage's first iteration, and only it.
    expect(log.filter((e: { stageStart?: boolean }) => e.stageStart).map((e: { iteration: number }) => e.iteration)).toEqual([6]);
    const written = json('s/config.json');
    expect(written.config.task.steps).toBe(30);
    expect(written.config.lrFrom).toBe(5);
    const first = parseCheckpoint(readFileSync(join(dir, 'a', 'checkpoint.json'), 'utf8')).config;
    expect(written.resumes).toEqual([{ checkpoint: resolve(dir, 'a', 'checkpoint.json'), iteration: 5, optimizer: 'restarted', stage: { from: 5, previousConfig: JSON.parse(JSON.stringify(first)) } }]);
    // The stage's controller says where its schedule began.
    expect(parseCheckpoint(readFileSync(join(dir, 's', 'compact.json'), 'utf8')).config.lrFrom).toBe(5);
  });

  it('keeps the stage\'s schedule when a stage checkpoint without optimizer state is resumed with --restart-optimizer', () => {
    const r = train('--resume', join('s', 'compact.json'), '--restart-optimizer', '--iterations', '11', '--out', 'u');
    expect(r.status, r.stderr).toBe(0);
    const log = json('u/log.json').iterations;
    expect(log.slice(9).map((e: { lr: number }) => e.lr)).toEqual([10, 11].map(stageLr));
  });

  it('continues exactly (Adam restored) when the config given is the checkpoint\'s own', () => {
    const r = train('--resume', join('a', 'checkpoint.json'), '--config', 'tiny.json', '--iterations', '6', '--out', 'v');
    expect(r.status, r.stderr).toBe(0);
    expect(json('v/config.json').resumes).toEqual([{ checkpoint: resolve(dir, 'a', 'checkpoint.json'), iteration: 5, optimizer: 'restored' }]);
  });

  it('continues a stage exactly when its own config file is given again, keeping the stage\'s schedule', () => {
    const r = train('--resume', join('s', 'checkpoint.json'), '--config', 'stage.json', '--iterations', '11', '--out', 's');
    expect(r.status, r.stderr).toBe(0);
    expect(json('s/config.json').resumes.at(-1)).toEqual({ checkpoint: resolve(dir, 's', 'checkpoint.json'), iteration: 9, optimizer: 'restored' });
    expect(json('s/config.json').config.lrFrom).toBe(5);
    expect(json('s/log.json').iterations.slice(9).map((e: { lr: number }) => e.lr)).toEqual([10, 11].map(stageLr));
    expect(json('s/log.json').iterations.filter((e: { stageStart?: boolean }) => e.stageStart).map((e: { iteration: number }) => e.iteration)).toEqual([6]);
  });

  it('starts from the checkpoint\'s weights (a stage at a negligible rate leaves them within 1e-9)', () => {
    writeFileSync(join(dir, 'still.json'), JSON.stringify({ ...stage, lr: 1e-12 }));
    const r = train('--resume', join('a', 'checkpoint.json'), '--config', 'still.json', '--iterations', '6', '--out', 't');
    expect(r.status, r.stderr).toBe(0);
    const from = parseCheckpoint(readFileSync(join(dir, 'a', 'checkpoint.json'), 'utf8')).params;
    const to = parseCheckpoint(readFileSync(join(dir, 't', 'checkpoint.json'), 'utf8')).params;
    // Adam moves each weight by about lr per step whatever the gradient: a fresh network would differ by O(0.1).
    for (const [name, w] of Object.entries(from)) {
      const moved = w.data.reduce((m, x, i) => Math.max(m, Math.abs(to[name].data[i] - x)), 0);
      expect(moved, name).toBeLessThan(1e-9);
    }
  });

  it('refuses a stage whose network or arm is not the checkpoint\'s, naming what differs, and one that ends where it starts', () => {
    writeFileSync(join(dir, 'wider.json'), JSON.stringify({ ...stage, network: { hidden: 16 } }));
    const wider = train('--resume', join('a', 'checkpoint.json'), '--config', 'wider.json', '--iterations', '7', '--out', 'w');
    expect(wider.status).toBe(1);
    expect(wider.stderr).toMatch(/network differs from the one in .*checkpoint\.json \(hidden: 8 → 16\)/);
    writeFileSync(join(dir, 'other-arm.json'), JSON.stringify({ ...stage, arm: 'li-todorov' }));
    const arm = train('--resume', join('a', 'checkpoint.json'), '--config', 'other-arm.json', '--iterations', '7', '--out', 'w');
    expect(arm.status).toBe(1);
    expect(arm.stderr).toMatch(/arm is not the one .*checkpoint\.json was trained on \("motornet" → "li-todorov"\)/);
    const short = train('--resume', join('a', 'checkpoint.json'), '--config', 'stage.json', '--iterations', '5', '--out', 'w');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/a stage's iterations count from the first stage's first: give iterations above 5/);
  });
});
