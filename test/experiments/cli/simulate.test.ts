import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../../core/npy.ts';
import { MOTORNET_ARM } from '../../../sim/arm-params.ts';
import { handPosition } from '../../../sim/dynamics.ts';
import { minJerkReachTorques } from '../../sim/reach-profile.ts';

const REACH = fileURLToPath(new URL('../../../bin/reach.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'reach-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reach(...args: string[]) {
  const r = spawnSync(process.execPath, [REACH, 'simulate', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function load(out: string, name: string) {
  return decodeNpy(new Uint8Array(readFileSync(join(dir, out, `${name}.npy`))));
}

const q0: [number, number] = [Math.PI / 4, Math.PI / 2];
const prof = minJerkReachTorques(MOTORNET_ARM, q0, [0, 0.1], { dt: 0.01, duration: 0.8, onset: 0.1, T: 0.5 });
writeFileSync(join(dir, 'reach.npy'), encodeNpy(new Float32Array(prof.tau), [prof.steps, 2]));
const csvRows = ['tau1,tau2'];
const tau32 = new Float32Array(prof.tau);
for (let k = 0; k < prof.steps; k++) csvRows.push(`${tau32[2 * k]},${tau32[2 * k + 1]}`);
writeFileSync(join(dir, 'reach.csv'), csvRows.join('\n') + '\n');

describe('reach simulate', () => {
  const runs = {
    analytic: reach('--torques', 'reach.npy', '--out', 'analytic', '--q0', q0.join(','), '--json'),
    matter: reach('--torques', 'reach.csv', '--out', 'matter', '--engine', 'matter', '--q0', q0.join(','), '--json'),
  };

  it('both engines write the six arrays with the shapes and units the manifest declares', () => {
    for (const engine of ['analytic', 'matter'] as const) {
      expect(runs[engine].stderr).not.toMatch(/error/);
      expect(runs[engine].status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(dir, engine, 'manifest.json'), 'utf8'));
      const T = prof.steps;
      const expected: Record<string, [number[], string]> = {
        times: [[T + 1], 's'],
        joint_angles: [[T + 1, 2], 'rad'],
        joint_velocities: [[T + 1, 2], 'rad/s'],
        hand_position: [[T + 1, 2], 'm'],
        hand_velocity: [[T + 1, 2], 'm/s'],
        torques: [[T, 2], 'N·m'],
      };
      expect(manifest.arrays.map((a: { name: string }) => a.name).sort()).toEqual(Object.keys(expected).sort());
      for (const a of manifest.arrays) {
        expect(a.shape).toEqual(expected[a.name][0]);
        expect(a.unit).toBe(expected[a.name][1]);
        const arr = load(engine, a.name);
        expect(arr.shape).toEqual(a.shape);
        expect(arr.dtype).toBe(a.dtype);
      }
      expect(manifest.config.engine).toBe(engine);
      expect(manifest.config.arm.name).toBe('motornet');
      expect(manifest.config.q0).toEqual(q0);
      const times = load(engine, 'times').data;
      for (let k = 0; k <= T; k++) expect(times[k]).toBeCloseTo(k * 0.01, 12);
      expect(Array.from(load(engine, 'torques').data)).toEqual(Array.from(tau32));
    }
  });

  it('recorded hand positions are the forward kinematics of the recorded joint angles', () => {
    for (const [engine, tol] of [['analytic', 1e-12], ['matter', 1e-5]] as const) {
      const q = load(engine, 'joint_angles').data;
      const h = load(engine, 'hand_position').data;
      for (let k = 0; k < q.length / 2; k++) {
        const fk = handPosition(MOTORNET_ARM, q[2 * k], q[2 * k + 1]);
        expect(Math.abs(fk[0] - h[2 * k])).toBeLessThan(tol);
        expect(Math.abs(fk[1] - h[2 * k + 1])).toBeLessThan(tol);
      }
    }
  });

  it('the reach lands on its minimum-jerk target and both engines agree within 1 mm; --json reports the final hand', () => {
    const a = load('analytic', 'hand_position').data;
    const m = load('matter', 'hand_position').data;
    let gap = 0;
    for (let i = 0; i < a.length; i += 2) gap = Math.max(gap, Math.hypot(a[i] - m[i], a[i + 1] - m[i + 1]));
    expect(gap).toBeLessThan(0.001);
    for (const engine of ['analytic', 'matter'] as const) {
      const summary = JSON.parse(runs[engine].stdout);
      const h = load(engine, 'hand_position').data;
      expect(summary.engine).toBe(engine);
      expect(summary.arm).toBe('motornet');
      expect(summary.finalHandPosition).toEqual([h[h.length - 2], h[h.length - 1]]);
      expect(Math.hypot(summary.finalHandPosition[0] - prof.target[0], summary.finalHandPosition[1] - prof.target[1])).toBeLessThan(0.002);
      expect(summary.pathLength).toBeGreaterThan(0.099);
      expect(summary.pathLength).toBeLessThan(0.105);
    }
  });

  it('a curl field, another preset and an arm file are accepted', () => {
    writeFileSync(join(dir, 'arm.json'), JSON.stringify({ ...MOTORNET_ARM, name: 'mine' }));
    const r1 = reach('--torques', 'reach.npy', '--out', 'curl', '--q0', q0.join(','), '--field', 'curl:13', '--arm', 'li-todorov', '--json');
    expect(r1.status).toBe(0);
    expect(JSON.parse(r1.stdout).arm).toBe('li-todorov');
    const r2 = reach('--torques', 'reach.npy', '--out', 'file', '--arm-file', 'arm.json', '--json');
    expect(r2.status).toBe(0);
    expect(JSON.parse(r2.stdout).arm).toBe('mine');
  });

  it('bad inputs give a clear error and a non-zero exit, writing nothing', () => {
    writeFileSync(join(dir, 'wide.npy'), encodeNpy(new Float64Array(9), [3, 3]));
    writeFileSync(join(dir, 'nan.csv'), 'tau1,tau2\n0,1\nNaN,2\n');
    writeFileSync(join(dir, 'nan.npy'), encodeNpy(new Float64Array([0, 1, 2, Number.NaN]), [2, 2]));
    writeFileSync(join(dir, 'noheader.csv'), '0,1\n2,3\n');
    writeFileSync(join(dir, 'badarm.json'), JSON.stringify({ ...MOTORNET_ARM, m: [-1, 1] }));
    const cases: Array<[string[], RegExp]> = [
      [['--torques', 'missing.npy'], /cannot read missing\.npy: ENOENT/],
      [['--torques', 'wide.npy'], /torques must have shape \[T, 2\].*got \[3, 3\]/],
      [['--torques', 'nan.csv'], /nan\.csv: line 3 must hold two numbers, got 'NaN,2'/],
      [['--torques', 'nan.npy'], /torque row 1, column 1 is NaN \(must be finite\)/],
      [['--torques', 'noheader.csv'], /header 'tau1,tau2'/],
      [['--torques', 'reach.npy', '--arm', 'x'], /unknown arm preset 'x' \(known: motornet, li-todorov, arm26\)/],
      [['--torques', 'reach.npy', '--arm-file', 'badarm.json'], /invalid arm parameters: m\.0: mass must be > 0/],
      [['--torques', 'reach.npy', '--dt', '0'], /--dt must be a positive number of seconds/],
      [['--torques', 'reach.npy', '--dt', 'abc'], /--dt must be a number/],
      [['--torques', 'reach.npy', '--engine', 'matter', '--dt', '0.0105'], /not a whole number of 1 ms matter-js updates/],
      [['--torques', 'reach.npy', '--q0', '3,1'], /--q0 shoulder angle 3 rad is outside the joint range/],
    ];
    for (const [args, message] of cases) {
      const r = reach(...args, '--out', 'bad');
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^reach: error: /);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
