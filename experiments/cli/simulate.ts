/**
 * `reach simulate`: drive the analytic or the matter-js arm open loop with a torque sequence (torque
 * arms) or an excitation sequence (the six-muscle arm26) from a file and write the trajectory as .npy
 * arrays plus a manifest.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { formatShape } from '../../core/npy.ts';
import { DEFAULT_ARM_PRESET, parseArmParams, type ArmParams } from '../../sim/arm-params.ts';
import { BODY_PRESETS, getBodyPreset, torqueBody, type Body } from '../../sim/body.ts';
import type { Vec2 } from '../../sim/dynamics.ts';
import { NO_FIELD, parseFieldSpec, type ForceField } from '../../sim/force-fields.ts';
import { readJsonFile, readNpyFile, writeJsonAtomic, writeNpyFile } from '../io/files.ts';
import { stageDir, withOutputLock } from '../io/out-dir.ts';
import { INTEGRATORS, type EngineName, type IntegratorName } from '../simulate-options.ts';

interface RawOptions {
  torques?: string;
  excitations?: string;
  integrator: string;
  out: string;
  engine: string;
  dt: string;
  q0?: string;
  qd0?: string;
  arm?: string;
  armFile?: string;
  field?: string;
  substeps?: string;
  json?: boolean;
  force?: boolean;
}

const optionsSchema = z.object({
  engine: z.enum(['analytic', 'matter'], { error: (i) => `--engine must be 'analytic' or 'matter', got '${String(i.input)}'` }),
  dt: z.number({ error: '--dt must be a number (s)' }).refine((v) => Number.isFinite(v) && v > 0, '--dt must be a positive number of seconds'),
  substeps: z.number().int('--substeps must be a positive integer').min(1, '--substeps must be a positive integer').optional(),
  integrator: z.enum(INTEGRATORS, { error: (i) => `--integrator must be one of ${INTEGRATORS.join(', ')}, got '${String(i.input)}'` }),
});

function parsePair(flag: string, text: string, unit: string): Vec2 {
  const parts = text.split(',').map((s) => s.trim());
  const v = parts.map(Number);
  if (parts.length !== 2 || parts.some((s) => s === '') || v.some((x) => !Number.isFinite(x))) {
    throw new Error(`${flag} must be two comma-separated numbers (${unit}), got '${text}'`);
  }
  return [v[0], v[1]];
}

/** Read a torque sequence [T, 2] (N·m) from `.npy` (float32/float64) or CSV with header `tau1,tau2`. */
export function readTorqueFile(path: string): Float64Array {
  let data: Float64Array;
  if (extname(path).toLowerCase() === '.npy') {
    const arr = readNpyFile(path);
    if (arr.dtype === 'int32') throw new Error(`${path}: torques must be float32 or float64, got int32`);
    if (arr.shape.length !== 2 || arr.shape[1] !== 2) {
      throw new Error(`${path}: torques must have shape [T, 2] (N·m), got ${formatShape(arr.shape)}`);
    }
    data = Float64Array.from(arr.data);
  } else if (extname(path).toLowerCase() === '.csv') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const header = (lines[0] ?? '').split(',').map((s) => s.trim());
    if (header.length !== 2 || header[0] !== 'tau1' || header[1] !== 'tau2') {
      throw new Error(`${path}: the first line must be the header 'tau1,tau2', got '${lines[0] ?? ''}'`);
    }
    data = new Float64Array(2 * (lines.length - 1));
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i].split(',').map((s) => s.trim());
      const v = cells.map(Number);
      if (cells.length !== 2 || cells.some((c) => c === '') || v.some(Number.isNaN)) {
        throw new Error(`${path}: line ${i + 1} must hold two numbers, got '${lines[i]}'`);
      }
      data[2 * (i - 1)] = v[0];
      data[2 * (i - 1) + 1] = v[1];
    }
  } else {
    throw new Error(`${path}: torque file must end in .npy or .csv`);
  }
  if (data.length === 0) throw new Error(`${path}: torque sequence is empty (need at least one row)`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Error(`${path}: torque row ${Math.floor(i / 2)}, column ${i % 2} is ${data[i]} (must be finite)`);
    }
  }
  return data;
}

/** Read an excitation sequence [T, muscles] (dimensionless) from `.npy` (float32/float64). */
export function readExcitationFile(path: string, muscles: number): Float64Array {
  if (extname(path).toLowerCase() !== '.npy') throw new Error(`${path}: excitation file must be .npy [T, ${muscles}]`);
  const arr = readNpyFile(path);
  if (arr.dtype === 'int32') throw new Error(`${path}: excitations must be float32 or float64, got int32`);
  if (arr.shape.length !== 2 || arr.shape[1] !== muscles || arr.shape[0] === 0) {
    throw new Error(`${path}: excitations must have shape [T ≥ 1, ${muscles}], got ${formatShape(arr.shape)}`);
  }
  const data = Float64Array.from(arr.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`${path}: excitation row ${Math.floor(i / muscles)}, column ${i % muscles} is ${data[i]} (must be finite)`);
  }
  return data;
}

function resolveBody(opts: RawOptions): Body {
  if (opts.arm && opts.armFile) throw new Error('give either --arm or --arm-file, not both');
  if (opts.armFile) return torqueBody(parseArmParams(readJsonFile(opts.armFile)));
  return getBodyPreset(opts.arm ?? DEFAULT_ARM_PRESET);
}

/** The input sequence the body takes: --torques for torque arms, --excitations for muscle arms. */
function readInputs(opts: RawOptions, body: Body): Float64Array {
  const muscles = body.actuator.kind === 'muscle';
  const [given, other] = muscles ? [opts.excitations, opts.torques] : [opts.torques, opts.excitations];
  if (other !== undefined) {
    throw new Error(muscles ? `arm '${body.name}' is driven by muscles: give --excitations, not --torques` : `arm '${body.name}' is driven by joint torques: give --torques, not --excitations`);
  }
  if (given === undefined) throw new Error(muscles ? `arm '${body.name}' needs --excitations FILE.npy [T, ${body.actuator.nInputs}]` : `arm '${body.name}' needs --torques FILE`);
  return muscles ? readExcitationFile(given, body.actuator.nInputs) : readTorqueFile(given);
}

function checkInLimits(p: ArmParams, q: Vec2): void {
  for (const j of [0, 1]) {
    if (q[j] < p.qMin[j] || q[j] > p.qMax[j]) {
      throw new Error(
        `--q0 ${j === 0 ? 'shoulder' : 'elbow'} angle ${q[j]} rad is outside the joint range [${p.qMin[j]}, ${p.qMax[j]}] rad of arm '${p.name}'`,
      );
    }
  }
}

async function run(opts: RawOptions): Promise<void> {
  const { pathLength, simulateOpenLoop } = await import('../simulate.ts');
  const parsed = optionsSchema.safeParse({
    engine: opts.engine,
    dt: Number(opts.dt),
    substeps: opts.substeps === undefined ? undefined : Number(opts.substeps),
    integrator: opts.integrator,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const { dt } = parsed.data;
  const engine: EngineName = parsed.data.engine;
  const integrator: IntegratorName = parsed.data.integrator;
  if (integrator !== 'rk4' && engine !== 'analytic') throw new Error(`--integrator ${integrator} needs --engine analytic`);
  const body = resolveBody(opts);
  const params = body.skeleton;
  const act = body.actuator;
  const q0: Vec2 = opts.q0 ? parsePair('--q0', opts.q0, 'rad') : [(params.qMin[0] + params.qMax[0]) / 2, (params.qMin[1] + params.qMax[1]) / 2];
  checkInLimits(params, q0);
  const qd0: Vec2 = opts.qd0 ? parsePair('--qd0', opts.qd0, 'rad/s') : [0, 0];
  const field: ForceField = opts.field ? parseFieldSpec(opts.field) : NO_FIELD;
  let substeps = parsed.data.substeps;
  if (substeps === undefined) {
    // 1 ms integration steps by default: the matter-js recipe, and an accurate RK4 reference.
    substeps = Math.round(dt / 0.001);
    if (engine === 'matter' && Math.abs(substeps * 0.001 - dt) > 1e-12) {
      throw new Error(`--dt ${dt} s is not a whole number of 1 ms matter-js updates; pass --substeps to choose the update length`);
    }
    substeps = Math.max(1, substeps);
  }
  const inputs = readInputs(opts, body);
  const nu = act.nInputs;
  const steps = inputs.length / nu;
  const outDir = resolve(opts.out);
  // Like a run directory: one writer at a time, written in a temporary sibling renamed into place whole.
  await withOutputLock(outDir, () => {
    const staged = stageDir(outDir, { force: opts.force === true, what: 'simulation' });
    try {
      const dir = staged.tmp;
      process.stderr.write(`simulate: ${steps} steps of ${dt} s, engine ${engine} (${integrator}), arm ${body.name}, ${substeps} substeps/step\n`);

      const r = simulateOpenLoop({ engine, body, inputs, dt, substeps, q0, qd0, field, integrator });

      const T1 = steps + 1;
      const arrays = [
        { name: 'times', file: 'times.npy', data: r.times, shape: [T1], unit: 's', axes: ['time'] },
        { name: 'joint_angles', file: 'joint_angles.npy', data: r.jointAngles, shape: [T1, 2], unit: 'rad', axes: ['time', 'joint'], columns: ['shoulder', 'elbow'] },
        { name: 'joint_velocities', file: 'joint_velocities.npy', data: r.jointVelocities, shape: [T1, 2], unit: 'rad/s', axes: ['time', 'joint'], columns: ['shoulder', 'elbow'] },
        { name: 'hand_position', file: 'hand_position.npy', data: r.handPosition, shape: [T1, 2], unit: 'm', axes: ['time', 'coordinate'], columns: ['x', 'y'] },
        { name: 'hand_velocity', file: 'hand_velocity.npy', data: r.handVelocity, shape: [T1, 2], unit: 'm/s', axes: ['time', 'coordinate'], columns: ['x', 'y'] },
        act.kind === 'muscle'
          ? { name: 'excitations', file: 'excitations.npy', data: inputs, shape: [steps, nu], unit: '1', axes: ['time', 'muscle'], columns: [...act.inputNames] }
          : { name: 'torques', file: 'torques.npy', data: inputs, shape: [steps, 2], unit: 'N·m', axes: ['time', 'joint'], columns: ['shoulder', 'elbow'] },
      ];
      if (r.muscles) {
        const columns = [...act.inputNames];
        const m = r.muscles;
        for (const [name, data, unit] of [
          ['muscle_activation', m.activation, '1'],
          ['muscle_length', m.length, 'm (fibre length: musculotendon length minus the rigid tendon)'],
          ['muscle_velocity', m.velocity, 'm/s (lengthening > 0)'],
          ['muscle_force', m.force, 'N'],
        ] as const) {
          arrays.push({ name, file: `${name}.npy`, data, shape: [T1, nu], unit, axes: ['time', 'muscle'], columns });
        }
      }
      for (const a of arrays) writeNpyFile(join(dir, a.file), a.data, a.shape);

      const finalHand: Vec2 = [r.handPosition[2 * steps], r.handPosition[2 * steps + 1]];
      const engineUpdates = steps * substeps;
      const summary = {
        engine,
        integrator,
        arm: body.name,
        steps,
        dt,
        substeps,
        duration: steps * dt,
        finalHandPosition: finalHand,
        finalJointAngles: [r.jointAngles[2 * steps], r.jointAngles[2 * steps + 1]],
        pathLength: pathLength(r.handPosition),
        wallMs: r.wallMs,
        controlStepsPerSecond: r.wallMs > 0 ? (steps / r.wallMs) * 1000 : null,
        microsecondsPerSubstep: (r.wallMs * 1000) / engineUpdates,
        outDir,
      };
      const manifest = {
        kind: 'reach-simulate',
        arrays: arrays.map(({ data, ...meta }) => ({ ...meta, dtype: data instanceof Float32Array ? 'float32' : 'float64' })),
        config: {
          engine,
          integrator,
          arm: params,
          muscles: body.muscles,
          dt,
          substeps,
          substepSeconds: dt / substeps,
          q0,
          qd0,
          field,
          inputFile: resolve((act.kind === 'muscle' ? opts.excitations : opts.torques) ?? ''),
          steps,
        },
        summary: { ...summary, units: { finalHandPosition: 'm', finalJointAngles: 'rad', pathLength: 'm', duration: 's', dt: 's' } },
      };
      writeJsonAtomic(join(dir, 'manifest.json'), manifest);
      staged.commit();
      process.stderr.write(
        `simulate: wrote ${arrays.length} arrays + manifest.json to ${outDir}; final hand (${finalHand[0].toFixed(4)}, ${finalHand[1].toFixed(4)}) m, path ${summary.pathLength.toFixed(4)} m\n`,
      );
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    } catch (err) {
      staged.abandon();
      throw err;
    }
  });
}

/** Add `reach simulate` to the program. */
export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'Drive an arm open loop with a torque sequence (torque arms) or an excitation sequence (arm26) and record joint, hand and muscle ' +
        'trajectories (.npy + manifest.json). Any finite input gives a finite state inside the joint limits (angles in range, speeds ' +
        'within ±50 rad/s): every integration stage is kept inside them, and excitations are clipped to [0.001, 1].',
    )
    .option('--torques <file>', 'torque sequence [T, 2] (N·m) for torque arms: .npy (float32/float64) or .csv with header tau1,tau2')
    .option('--excitations <file>', 'excitation sequence [T, 6] (0–1) for arm26: .npy (float32/float64), one row per step (zero-order hold)')
    .requiredOption('--out <dir>', 'output directory, written whole (in a temporary sibling renamed into place)')
    .option('--force', 'replace an existing non-empty --out whole (default: refuse it)')
    .option('--engine <name>', 'arm model: analytic (RK4) or matter (matter-js)', 'analytic')
    .option('--dt <s>', 'control step (s); each torque row is held this long', '0.01')
    .option('--substeps <n>', 'integration steps per control step (default: 1 ms steps)')
    .option('--q0 <q1,q2>', 'initial joint angles (rad); default: the middle of the joint ranges')
    .option('--qd0 <qd1,qd2>', 'initial joint velocities (rad/s); default 0,0')
    .option('--arm <preset>', `arm preset: ${BODY_PRESETS.join(', ')} (default ${DEFAULT_ARM_PRESET}; arm26 is the six-muscle arm)`)
    .option('--integrator <name>', 'analytic integration: rk4, or MotorNet\'s own stepping motornet-rk4 | motornet-euler (to reproduce MotorNet)', 'rk4')
    .option('--arm-file <json>', 'arm parameters from a JSON file (ArmParams)')
    .option('--field <spec>', 'hand force field: curl:C | viscous:b | constant:Fx,Fy | pulse:start,dur,Fx,Fy, joined by +')
    .option('--json', 'print a JSON summary on stdout')
    .action(run);
}
