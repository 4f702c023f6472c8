/**
 * The package installs and runs with no repository around it: `npm pack`, then `npm install <tarball>`
 * into an empty project in a temporary folder (dependencies from the registry, through the local npm
 * cache; the optional native TensorFlow is left out, so the WebAssembly backend runs), then `npx reach`
 * and an example script there. Nothing of the dev toolchain is needed: the tarball carries dist/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'reach-install-'));
const project = join(dir, 'project');

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack → npm install in an empty project', () => {
  let tarball = '';

  it('packs at most 3 MB holding the compiled code, reach, the default controller and the docs, and no sources, tests or runs', () => {
    // dist/ is up to date (the global setup, test/build-cli.ts, compiles it); without --ignore-scripts npm
    // would run `prepare` again, which also refuses to pack while the work tree has type errors.
    const [info] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    tarball = join(dir, info.filename);
    console.log(`npm pack: ${info.filename} ${(info.size / 1e6).toFixed(2)} MB (unpacked ${(info.unpackedSize / 1e6).toFixed(2)} MB, ${info.entryCount} files)`);
    expect(info.size).toBeLessThanOrEqual(3e6);
    const paths: string[] = info.files.map((f: { path: string }) => f.path);
    for (const need of ['bin/reach.js', 'dist/api/sim.js', 'dist/api/sim.d.ts', 'dist/experiments/cli/main.js', 'models/default-controller.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'examples/drive-arm.js']) {
      expect(paths).toContain(need);
    }
    expect(paths.filter((p) => /^(test|runs|scratch|viewer|node_modules)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('installs from the tarball alone and `npx reach --help` lists the commands', () => {
    sh('mkdir', ['-p', project], dir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lab-project', private: true, type: 'module' }));
    sh('npm', ['install', tarball, '--omit=optional', '--no-audit', '--no-fund'], project);
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);
    const help = sh('npx', ['reach', '--help'], project);
    for (const command of ['simulate', 'train', 'run', 'analyze', 'export', 'experiment']) expect(help).toContain(command);
  }, 900_000); // downloading and unpacking the dependencies took 258 s on the shared 2-core machine

  it('`npx reach experiment` runs the bundled default controller and stamps the run with the package version', () => {
    const out = join(project, 'experiment');
    sh('npx', ['reach', 'experiment', '--out', out, '--repeats', '1', '--formats', 'npy', '--no-fixed-points', '--workers', '1'], project);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(JSON.stringify(config)).toContain(`"packageVersion":"${pkg.version}"`);
    expect(existsSync(join(out, 'analysis.json'))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('an example script copied into the project runs against the installed package (jPCA.m values on the Churchland recording)', () => {
    copyFileSync(join(project, 'node_modules', 'motor-cortex-rnn', 'examples', 'analyse-recording.js'), join(project, 'analyse.js'));
    const fixture = join(root, 'test/fixtures/churchland2012-subset/activity.npy');
    const r = JSON.parse(sh(process.execPath, ['analyse.js', fixture, '0.01', '0', '20'], project));
    expect(r.jpca.R2_Mskew_kD).toBeCloseTo(0.286101456, 8);
  });
});
