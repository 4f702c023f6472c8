/** `reach experiment --protocol`: bad protocol names and specs are refused before anything is written. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reach } from './reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reach experiment --protocol', () => {
  it('an unknown protocol is refused, naming the known ones', () => {
    const r = reach(dir, 'experiment', '--protocol', 'curl', '--out', join(dir, 'a'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/curl-adaptation, visuomotor-rotation, ablation/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  it('a misspelt key of a protocol spec is refused, naming the closest known key, and nothing is written', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ exposureTrial: 40 }));
    const r = reach(dir, 'experiment', '--protocol', 'curl-adaptation', '--protocol-spec', spec, '--out', join(dir, 'b'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/exposureTrial/);
    expect(r.stderr).toMatch(/exposureTrials/);
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });

  it('--protocol-spec without a protocol and --interventions with one are refused', () => {
    const spec = join(dir, 'empty.json');
    writeFileSync(spec, '{}');
    expect(reach(dir, 'experiment', '--protocol-spec', spec, '--out', join(dir, 'c')).stderr).toMatch(/--protocol-spec applies only with --protocol/);
    const iv = join(dir, 'iv.json');
    writeFileSync(iv, JSON.stringify({ interventions: [] }));
    expect(reach(dir, 'experiment', '--protocol', 'ablation', '--interventions', iv, '--out', join(dir, 'd')).stderr).toMatch(/--interventions applies to the default protocol/);
  });
});
