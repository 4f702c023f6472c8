/**
 * Issue 12, defect 7: when the NaN/Inf guard gives up, the last finite state is written as the
 * checkpoint, and the message says which iteration it holds (and when its weights were last updated).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../../model/checkpoint.ts';
import { reach } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-diverge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('divergent training', () => {
  it('saves the last finite state as checkpoint.json and names the iteration it holds', () => {
    // A learning rate of 1e30 throws the weights to ~1e30 on the first step; every gradient after it overflows.
    const config = { seed: 3, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 20, delay: [0.05, 0.1] }, lr: 1e30, clip: 1e30, maxBadSteps: 3, checkpointEvery: 0 };
    writeFileSync(join(dir, 'diverge.json'), JSON.stringify(config));
    const r = reach(dir, 'train', '--backend', 'cpu', '--config', 'diverge.json', '--iterations', '50', '--out', 'd');
    expect(r.status).toBe(1);
    const m = /training diverged: 3 consecutive non-finite steps.*checkpoint\.json holds iteration (\d+) \(weights as updated at iteration (\d+); the (\d+) steps after it were skipped\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const [held, updated, skipped] = m!.slice(1).map(Number);
    expect(held - updated).toBe(skipped);
    // parseCheckpoint refuses NaN or Infinity in any weight: the saved state is finite.
    const ck = parseCheckpoint(readFileSync(join(dir, 'd', 'checkpoint.json'), 'utf8'));
    expect(ck.training.iterations).toBe(held);
    const log = JSON.parse(readFileSync(join(dir, 'd', 'log.json'), 'utf8')).iterations;
    expect(log).toHaveLength(held);
    expect(log.slice(updated).every((e: { event?: string }) => /step skipped/.test(e.event ?? ''))).toBe(true);
  });
});
