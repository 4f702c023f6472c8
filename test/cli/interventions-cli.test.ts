/** `reach run --interventions`: a spec is checked before the run and recorded in the run directory. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../core/npy.ts';
import { reach } from './reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-iv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reach run --interventions', () => {
  it('a misspelt key is refused, naming the closest known key, before anything runs', () => {
    const spec = join(dir, 'bad.json');
    writeFileSync(spec, JSON.stringify({ interventions: [{ kind: 'silence', units: [1], windwo: { from: 'go' } }] }));
    const r = reach(dir, 'run', '--interventions', spec, '--out', join(dir, 'never'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/windwo/);
    expect(r.stderr).toMatch(/window/);
  });

  it('the run directory records which listed trials and which steps after go the intervention hit', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ interventions: [{ kind: 'silence', id: 'quiet', units: [0, 1], trials: { kind: 'list', trials: [2, 5] }, window: { from: 'go', start: 0.1, end: 0.2 } }] }));
    const out = join(dir, 'run');
    const r = reach(dir, 'run', '--interventions', spec, '--engine', 'analytic', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const entry = manifest.arrays.find((a: { name: string }) => a.name === 'interventions');
    expect(entry.columns).toEqual(['quiet']);
    const mask = decodeNpy(readFileSync(join(out, 'interventions.npy')));
    const [B, T] = mask.shape;
    // Go at 0.3 s (step 30): steps 40…49 of trials 2 and 5.
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) expect(mask.data[b * T + t]).toBe((b === 2 || b === 5) && t >= 40 && t < 50 ? 1 : 0);
    const hidden = decodeNpy(readFileSync(join(out, 'hidden.npy')));
    const n = hidden.shape[2];
    for (let t = 40; t < 50; t++) expect(hidden.data[(2 * T + t) * n]).toBe(0);
  });
});
