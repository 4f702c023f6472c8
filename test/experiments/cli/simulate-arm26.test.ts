import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../../core/npy.ts';

const REACH = fileURLToPath(new URL('../../../bin/reach.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/motornet-arm26/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'reach-simulate-arm26-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reach(...args: string[]) {
  const r = spawnSync(process.execPath, [REACH, 'simulate', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function load(path: string) {
  return decodeNpy(new Uint8Array(readFileSync(path)));
}

const CASE = 'smooth_random_rk4_1ms';
copyFileSync(join(FIXTURES, `${CASE}_excitation.npy`), join(dir, 'excitation.npy'));
const joint = load(join(FIXTURES, `${CASE}_joint.npy`));
const tip = load(join(FIXTURES, `${CASE}_fingertip.npy`));
const q0 = `${joint.data[0]},${joint.data[1]}`;

/** Max joint-angle (rad) and hand (m) gaps between a simulate output directory and the fixture. */
function gaps(out: string): { angle: number; hand: number } {
  const q = load(join(dir, out, 'joint_angles.npy'));
  const h = load(join(dir, out, 'hand_position.npy'));
  let angle = 0;
  let hand = 0;
  for (let k = 0; k < q.shape[0]; k++) {
    angle = Math.max(angle, Math.abs(q.data[2 * k] - joint.data[4 * k]), Math.abs(q.data[2 * k + 1] - joint.data[4 * k + 1]));
    hand = Math.max(hand, Math.hypot(h.data[2 * k] - tip.data[2 * k], h.data[2 * k + 1] - tip.data[2 * k + 1]));
  }
  return { angle, hand };
}

describe('reach simulate --arm arm26', () => {
  it('with --integrator motornet-rk4 at 1 ms it reproduces MotorNet within 2 mrad and 1 mm; the default RK4 within 3 mrad and 1 mm', () => {
    const common = ['--arm', 'arm26', '--excitations', 'excitation.npy', '--q0', q0, '--dt', '0.001', '--json'];
    const mn = reach(...common, '--integrator', 'motornet-rk4', '--out', 'mn');
    expect(mn.stderr).not.toMatch(/error/);
    expect(mn.status).toBe(0);
    const rk4 = reach(...common, '--out', 'rk4');
    expect(rk4.status).toBe(0);
    const g = gaps('mn');
    const r = gaps('rk4');
    console.log(`CLI ${CASE}: motornet-rk4 ${(g.angle * 1e3).toFixed(4)} mrad ${(g.hand * 1e3).toFixed(4)} mm; rk4 ${(r.angle * 1e3).toFixed(3)} mrad ${(r.hand * 1e3).toFixed(3)} mm`);
    expect(g.angle).toBeLessThan(2e-3);
    expect(g.hand).toBeLessThan(1e-3);
    expect(r.angle).toBeLessThan(3e-3);
    expect(r.hand).toBeLessThan(1e-3);
  });

  it('both engines write joint, hand and muscle activation/length/velocity/force arrays with the shapes and units the manifest declares', () => {
    const matter = reach('--arm', 'arm26', '--excitations', 'excitation.npy', '--q0', q0, '--dt', '0.01', '--engine', 'matter', '--out', 'matter');
    expect(matter.status).toBe(0);
    for (const [out, T] of [
      ['rk4', 200],
      ['matter', 200],
    ] as const) {
      const manifest = JSON.parse(readFileSync(join(dir, out, 'manifest.json'), 'utf8'));
      const byName = Object.fromEntries(manifest.arrays.map((a: { name: string }) => [a.name, a]));
      for (const name of ['muscle_activation', 'muscle_length', 'muscle_velocity', 'muscle_force']) {
        expect(byName[name].shape).toEqual([T + 1, 6]);
        expect(byName[name].columns).toEqual(['pectoralis', 'deltoid', 'brachioradialis', 'triceps lateral', 'biceps', 'triceps long']);
        expect(load(join(dir, out, `${name}.npy`)).shape).toEqual([T + 1, 6]);
      }
      expect(byName.excitations.shape).toEqual([T, 6]);
      expect(byName.muscle_force.unit).toBe('N');
      expect(byName.joint_angles.shape).toEqual([T + 1, 2]);
      expect(manifest.config.muscles.maxIsometricForce).toEqual([838, 1207, 1422, 1549, 414, 603]);
      const a = load(join(dir, out, 'muscle_activation.npy')).data;
      for (const v of a) expect(v >= 0.001 && v <= 1).toBe(true);
    }
  });

  it('a torque file for the muscle arm, or excitations for a torque arm, is refused with a clear error', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--arm', 'arm26', '--torques', 'excitation.npy'], /driven by muscles: give --excitations/],
      [['--excitations', 'excitation.npy'], /driven by joint torques: give --torques/],
      [['--arm', 'arm26'], /needs --excitations FILE\.npy \[T, 6\]/],
      [['--arm', 'arm26', '--excitations', 'excitation.npy', '--integrator', 'euler'], /--integrator must be one of rk4, motornet-rk4, motornet-euler/],
      [['--arm', 'arm26', '--excitations', 'excitation.npy', '--integrator', 'motornet-rk4', '--engine', 'matter'], /needs --engine analytic/],
    ];
    for (const [args, message] of cases) {
      const r = reach(...args, '--out', 'bad');
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('the help states that any finite input gives a finite, limit-respecting state', () => {
    const r = spawnSync(process.execPath, [REACH, 'simulate', '--help'], { encoding: 'utf8' });
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/Any finite input gives a finite state inside the joint limits/);
  });
});
