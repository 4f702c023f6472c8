import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../../model/checkpoint.ts';

const REACH = fileURLToPath(new URL('../../../bin/reach.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'reach-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = { seed: 5, batch: 8, network: { hidden: 16 }, task: { kind: 'mixed', steps: 30, delay: [0.05, 0.15] }, checkpointEvery: 4 };
writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny));

function reach(...args: string[]) {
  const r = spawnSync(process.execPath, [REACH, 'train', '--backend', 'cpu', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const load = (out: string) => parseCheckpoint(readFileSync(join(dir, out, 'checkpoint.json'), 'utf8'));
const log = (out: string) => JSON.parse(readFileSync(join(dir, out, 'log.json'), 'utf8'));

describe('reach train', () => {
  it('writes config, log and checkpoint recording seed, package version and backend', () => {
    const r = reach('--config', 'tiny.json', '--iterations', '6', '--out', 'a', '--json');
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'a', 'config.json'), 'utf8'));
    expect(config.seed).toBe(5);
    expect(config.backend).toBe('cpu');
    expect(config.packageVersion).toBe(VERSION);
    expect(log('a').iterations).toHaveLength(6);
    const ck = load('a');
    expect(ck.training.iterations).toBe(6);
    expect(ck.backend).toBe('cpu');
    expect(ck.packageVersion).toBe(VERSION);
    expect(JSON.parse(r.stdout).iterations).toBe(6);
  });

  it('training 3 then resuming to 6 gives bit-identical weights to training 6 straight', () => {
    expect(reach('--config', 'tiny.json', '--iterations', '3', '--out', 'b').status).toBe(0);
    const r = reach('--resume', join('b', 'checkpoint.json'), '--iterations', '6', '--out', 'b');
    expect(r.status, r.stderr).toBe(0);
    const straight = load('a');
    const resumed = load('b');
    for (const k of Object.keys(straight.params)) expect(Array.from(resumed.params[k].data)).toEqual(Array.from(straight.params[k].data));
    expect(log('b').iterations.map((e: { loss: { total: number } }) => e.loss.total)).toEqual(log('a').iterations.map((e: { loss: { total: number } }) => e.loss.total));
  });

  it('Ctrl-C saves a valid checkpoint and log that agree, and exits 130', async () => {
    const child = spawn(process.execPath, [REACH, 'train', '--backend', 'cpu', '--config', 'tiny.json', '--iterations', '100000', '--out', 'c'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const ckPath = join(dir, 'c', 'checkpoint.json');
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      for (let i = 0; i < 600 && !existsSync(ckPath); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(ckPath), stderr).toBe(true);
      child.kill('SIGINT');
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    const code = await exited;
    expect(code, stderr).toBe(130);
    const ck = load('c');
    expect(ck.training.iterations).toBeGreaterThanOrEqual(4);
    expect(log('c').iterations).toHaveLength(ck.training.iterations);
    expect(stderr).toMatch(/interrupted/);
  });

  it('bad config, unknown backend and a corrupt checkpoint are clear errors with exit status 1', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ batch: -3 }));
    const bad = reach('--config', 'bad.json', '--out', 'd');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid training config: batch/);
    const backend = spawnSync(process.execPath, [REACH, 'train', '--backend', 'gpu', '--out', 'd'], { cwd: dir, encoding: 'utf8' });
    expect(backend.status).toBe(1);
    expect(backend.stderr).toMatch(/--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'/);
    const text = readFileSync(join(dir, 'a', 'checkpoint.json'), 'utf8');
    writeFileSync(join(dir, 'cut.json'), text.slice(0, 500));
    const cut = reach('--resume', 'cut.json', '--out', 'd');
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/cut\.json is truncated/);
    expect(existsSync(join(dir, 'd', 'checkpoint.json'))).toBe(false);
    // A new seed alone would not continue the checkpoint's random state; a next stage's --config may change it.
    const mixed = reach('--resume', join('a', 'checkpoint.json'), '--seed', '9', '--out', 'd');
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(/--seed and --arm alone cannot be combined with it/);
  });
});
