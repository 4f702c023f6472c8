/**
 * The examples and the README's API script run as a user runs them: plain `node` on the compiled
 * package, importing only `motor-cortex-rnn/<entry>` (resolved through package.json `exports`, which
 * lets a package import itself). Sizes are the scripts' own small ones or small arguments.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runNode(script: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`node ${script} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** The fenced block after the `<!-- api-script -->` marker in README.md. */
function readmeScript(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- api-script -->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no ```js block after <!-- api-script -->');
  return m[1];
}

describe('README API script', () => {
  it('is at most 15 lines and imports only the public entry points', () => {
    const script = readmeScript();
    expect(script.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    for (const m of script.matchAll(/from '([^']+)'/g)) expect(m[1]).toMatch(/^motor-cortex-rnn\/(sim|model|analysis|io)$/);
  });

  it('trains, runs the controller to the 8 targets and reports a jPCA rotation', () => {
    const dir = join(root, 'scratch', `readme-script-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const file = join(dir, 'script.mjs');
      writeFileSync(file, readmeScript());
      const out = runNode(file);
      const m = /jPC plane 1 rotates at ([\d.]+) Hz, R² \(skew\) (-?[\d.]+)/.exec(out);
      expect(m, out).not.toBeNull();
      // A coefficient of determination of a fit that contains the zero matrix lies in [0, 1].
      expect(Number(m![2])).toBeGreaterThanOrEqual(0);
      expect(Number(m![2])).toBeLessThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('examples/', () => {
  it('analyse-recording.js reproduces jPCA.m on the Churchland et al. (2012) recording', () => {
    const fixture = join(root, 'test/fixtures/churchland2012-subset/activity.npy');
    // Window −50…150 ms = bins 0…20 of 10 ms (fixtures/README.md).
    const r = JSON.parse(runNode('examples/analyse-recording.js', [fixture, '0.01', '0', '20']));
    expect(r.shape).toEqual([10, 61, 50]);
    expect(r.jpca.R2_Mbest_kD).toBeCloseTo(0.4268589142, 8);
    expect(r.jpca.R2_Mskew_kD).toBeCloseTo(0.286101456, 8);
    expect(r.jpca.varCaptEachPlane[0]).toBeCloseTo(0.3177362, 6);
  });

  it('analyse-recording.js finds the rotation its synthetic data are made of (a pure 2-D rotation: rank 2, skew-symmetric dynamics)', () => {
    const r = JSON.parse(runNode('examples/analyse-recording.js'));
    expect(r.pcaVarianceExplained[0] + r.pcaVarianceExplained[1]).toBeGreaterThan(0.999);
    expect(r.jpca.R2_Mskew_kD).toBeGreaterThan(0.9);
  });

  it('drive-arm.js: a joint-space PD law settles the matter-js hand on every center-out target', () => {
    const lines = runNode('examples/drive-arm.js').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    for (const l of lines) {
      // With no external force the PD law's only equilibrium is the target posture.
      expect(l.endpointErrorM).toBeLessThan(0.002);
      expect(l.handSpeedMPerS).toBeLessThan(0.02);
    }
  });

  it('train-and-analyse.js trains, records the 8 reaches and analyses them', () => {
    const r = JSON.parse(runNode('examples/train-and-analyse.js', ['10', '16']));
    expect(r.iterations).toBe(10);
    expect(r.jpca.varCaptEachPlane).toHaveLength(3);
    const planes = r.jpca.varCaptEachPlane.reduce((a: number, b: number) => a + b, 0);
    expect(planes).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.tangling.median).toBeGreaterThan(0);
    expect(Number.isFinite(r.meanEndpointErrorM)).toBe(true);
  });
});
