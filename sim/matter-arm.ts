/**
 * The two-joint arm as a matter-js (0.20) rigid-body simulation, built from the same {@link ArmParams}
 * as the analytic model.
 *
 * Units inside the engine: 1 matter length unit = 1 mm, time in ms, mass in kg. Then torque is
 * numerically N·m, force is 1e-3 × N, inertia is Ic × 1e6 and velocities are mm/ms = m/s. World axes are
 * the SI axes scaled by 1000 (+x right, +y forward): a viewer that draws with screen y pointing down
 * must flip y itself. Everything this class returns is in SI.
 *
 * Recipe (see DESIGN.md): zero gravity, frictionAir 0, sleeping off, default solver iterations; each link
 * a rectangle in a shared non-colliding group whose centre is moved to the CoM (`Body.setCentre`) before
 * `setMass` then `setInertia`; length-0 stiffness-1 constraints at shoulder and elbow; joint torques
 * τ1 (ground↔link 1) and τ2 (link 1↔link 2) applied as (u1 − u2) on link 1 and u2 on link 2 with
 * u = τ − B·q̇, re-applied before every 1 ms `Engine.update` (the engine clears forces). Joint limits
 * use the analytic arm's inelastic-stop rule and speed bound ({@link applyJointLimits}) after every update,
 * and a joint resting on a stop and pushed into it gets the stop's reaction torque that the analytic
 * model computes ({@link heldJoints}), so that the other joint moves as it would against a real stop.
 *
 * Actuators: the joint torques come from the body's actuator (sim/actuators/), recomputed from the
 * matter-js state before every update: torque motors pass their inputs through; muscles turn their
 * activations and the current joint angles and velocities into forces and torques. The actuator state
 * (activations) advances by the analytic integrator's own RK4 rule for it ({@link stepActuatorState})
 * over each update, with the inputs held.
 *
 * Huge inputs: one engine update moves each link by its whole angular velocity change, so a torque of
 * 1e5 N·m would swing a link through several turns in 1 ms and land it at an arbitrary angle. An update
 * that the analytic model predicts would take a joint past {@link MAX_JOINT_SPEED} is therefore taken by
 * the analytic integrator instead and the bodies are placed at its result; ordinary inputs never are.
 * Never driven by `Matter.Runner`: fixed 1 ms updates only (one 10 ms update diverges).
 *
 * Viewer hook: `engine`, `upperArm`, `forearm` and `handPointWorld()` are public. A viewer may add a
 * `Matter.MouseConstraint` or a spring `Matter.Constraint` (bodyA = `forearm`, pointA =
 * `forearmHandOffset()`) to `engine.world`; the engine solves it with the joints and `getState()`
 * reads the result from the bodies, so the limits and the analytic readout stay consistent. Simpler:
 * `setHandForce([Fx, Fy])` (N) pushes the hand.
 */
import Matter from 'matter-js';
import type { ArmParams } from './arm-params.ts';
import type { Actuator } from './actuators/actuator.ts';
import { TORQUE_ACTUATOR } from './actuators/torque.ts';
import { stepActuatorState, stepBody } from './body-step.ts';
import type { Body } from './body.ts';
import { handForce as fieldForce, type ForceField } from './force-fields.ts';
import { accel, applyJointLimits, coeffs, MAX_JOINT_SPEED, type ArmState, type HandForceFn, type Vec2 } from './skeleton.ts';

const { Bodies, Body, Composite, Constraint, Engine } = Matter;

/** Angles this close to a joint limit (rad), at speeds below STOP_SPEED_TOLERANCE (rad/s), count as resting on it. */
const STOP_TOLERANCE = 1e-4;
const STOP_SPEED_TOLERANCE = 5e-2;

/** Matter length units per metre. */
export const MM_PER_M = 1000;

/** Options for {@link createMatterArm}. */
export interface MatterArmOptions {
  /** Initial joint angles [shoulder, elbow] (rad). */
  q0: Vec2;
  /** Initial joint velocities (rad/s). Default [0, 0]. */
  qd0?: Vec2;
  /** Engine update length (ms). Default 1; longer updates lose accuracy and 10 ms diverges. */
  substepMs?: number;
  /** Drawn link thicknesses [upper arm, forearm] (m); they do not affect the dynamics. Default [0.05, 0.04]. */
  linkWidth?: Vec2;
  /** What turns the step inputs into joint torques. Default torque motors (inputs = joint torques, N·m). */
  actuator?: Actuator;
  /** Initial actuator state (e.g. activations). Default the actuator's rest state. */
  actuatorState?: ArrayLike<number>;
}

/** Matter's Verlet state, present at run time but missing from @types/matter-js. */
type VerletBody = Matter.Body & { positionPrev: Matter.Vector; anglePrev: number; deltaTime: number };

/** A matter-js arm. Owns its engine: call `dispose()` when done. */
export class MatterArm {
  /** The arm parameters it was built from. */
  readonly params: ArmParams;
  /** The matter-js engine (exposed for viewers; advance it only through `step`/`substep`). */
  readonly engine: Matter.Engine;
  /** Link 1 body (shoulder → elbow). */
  readonly upperArm: Matter.Body;
  /** Link 2 body (elbow → hand). */
  readonly forearm: Matter.Body;
  /** Shoulder pin (link 1 to the world origin). */
  readonly shoulderJoint: Matter.Constraint;
  /** Elbow pin (link 1 to link 2). */
  readonly elbowJoint: Matter.Constraint;
  /** Engine update length (ms). */
  readonly substepMs: number;
  /** The actuator driving the joints. */
  readonly actuator: Actuator;
  /** Actuator state (e.g. muscle activations), advanced with every update. */
  readonly actuatorState: Float64Array;
  private substepCount = 0;
  private constantForce: Vec2 = [0, 0];
  private field: ForceField | HandForceFn | null = null;
  private disposed = false;
  private readonly x: Float64Array;
  private readonly u: Float64Array;
  private readonly tau = new Float64Array(2);
  private readonly qdd = new Float64Array(2);
  private readonly reaction = new Float64Array(2);
  private readonly xLimited = new Float64Array(4);

  /** Build the arm (segment lengths in m, masses in kg from `params`) in a new matter-js engine stepped every `opts.substepMs` ms. */
  constructor(params: ArmParams, opts: MatterArmOptions) {
    const substepMs = opts.substepMs ?? 1;
    if (!(substepMs > 0 && Number.isFinite(substepMs))) throw new Error(`substepMs must be > 0, got ${substepMs}`);
    this.params = params;
    this.substepMs = substepMs;
    this.actuator = opts.actuator ?? TORQUE_ACTUATOR;
    this.actuatorState = new Float64Array(this.actuator.nState);
    if (opts.actuatorState) this.actuatorState.set(opts.actuatorState);
    else this.actuator.restState(this.actuatorState, 0);
    this.x = new Float64Array(4 + this.actuator.nState);
    this.u = new Float64Array(this.actuator.nInputs);
    const [l1, l2] = params.l;
    const [s1, s2] = params.s;
    const [w1, w2] = opts.linkWidth ?? [0.05, 0.04];
    this.engine = Engine.create({ enableSleeping: false, gravity: { x: 0, y: 0, scale: 0 } });
    const group = Body.nextGroup(true);
    const linkOpts = { frictionAir: 0, collisionFilter: { group } };
    const mm = MM_PER_M;
    // Built along +x with the proximal joint at the origin, then posed by setState.
    this.upperArm = Bodies.rectangle((l1 * mm) / 2, 0, l1 * mm, w1 * mm, { ...linkOpts, label: 'upperArm' });
    this.forearm = Bodies.rectangle((l2 * mm) / 2, 0, l2 * mm, w2 * mm, { ...linkOpts, label: 'forearm' });
    for (const [body, s, i] of [
      [this.upperArm, s1, 0],
      [this.forearm, s2, 1],
    ] as const) {
      Body.setCentre(body, { x: s * mm, y: 0 }, false);
      Body.setMass(body, params.m[i]);
      Body.setInertia(body, params.Ic[i] * mm * mm);
    }
    this.shoulderJoint = Constraint.create({
      bodyA: this.upperArm,
      pointA: { x: -s1 * mm, y: 0 },
      pointB: { x: 0, y: 0 },
      length: 0,
      stiffness: 1,
      label: 'shoulder',
    });
    this.elbowJoint = Constraint.create({
      bodyA: this.upperArm,
      pointA: { x: (l1 - s1) * mm, y: 0 },
      bodyB: this.forearm,
      pointB: { x: -s2 * mm, y: 0 },
      length: 0,
      stiffness: 1,
      label: 'elbow',
    });
    Composite.add(this.engine.world, [this.upperArm, this.forearm, this.shoulderJoint, this.elbowJoint]);
    const qd0 = opts.qd0 ?? [0, 0];
    this.setState([opts.q0[0], opts.q0[1], qd0[0], qd0[1]]);
  }

  /** Simulated time since creation (s). */
  get time(): number {
    return (this.substepCount * this.substepMs) / 1000;
  }

  /**
   * Pose both links exactly at state x = [q1, q2, q̇1, q̇2] (rad, rad/s), joints satisfied, velocities
   * those of the rigid two-link chain.
   */
  setState(x: ArmState): void {
    this.checkAlive();
    const [l1] = this.params.l;
    const [s1, s2] = this.params.s;
    const [q1, q2, w1, w2r] = [x[0], x[1], x[2], x[3]];
    const mm = MM_PER_M;
    const a2 = q1 + q2;
    const w2 = w1 + w2r;
    const c1 = Math.cos(q1);
    const sn1 = Math.sin(q1);
    const c2 = Math.cos(a2);
    const sn2 = Math.sin(a2);
    // Positions (mm) and velocities (mm/ms = m/s) of the centres of mass; ω in rad/ms.
    const p1 = { x: s1 * c1 * mm, y: s1 * sn1 * mm };
    const v1 = { x: -s1 * sn1 * w1, y: s1 * c1 * w1 };
    const p2 = { x: (l1 * c1 + s2 * c2) * mm, y: (l1 * sn1 + s2 * sn2) * mm };
    const v2 = { x: -l1 * sn1 * w1 - s2 * sn2 * w2, y: l1 * c1 * w1 + s2 * c2 * w2 };
    this.place(this.upperArm as VerletBody, q1, p1, w1 / 1000, v1);
    this.place(this.forearm as VerletBody, a2, p2, w2 / 1000, v2);
  }

  private place(b: VerletBody, angle: number, pos: Matter.Vector, omega: number, vel: Matter.Vector): void {
    Body.setAngle(b, angle);
    Body.setPosition(b, pos);
    // Matter's Verlet step divides (position − positionPrev) by body.deltaTime, so this sets the velocity exactly.
    const d = b.deltaTime;
    b.positionPrev.x = b.position.x - vel.x * d;
    b.positionPrev.y = b.position.y - vel.y * d;
    b.anglePrev = b.angle - omega * d;
    Body.updateVelocities(b);
  }

  /**
   * Current state [q1, q2, q̇1, q̇2] (rad, rad/s), read from the bodies. Writes into `out` when given.
   * q2 is the difference of two body angles and may round a few ulps past a limit the arm rests on;
   * such angles are reported on the limit (every update already clamps larger excursions).
   */
  getState(out: ArmState = new Float64Array(4)): ArmState {
    this.readState(out);
    const p = this.params;
    for (let j = 0; j < 2; j++) out[j] = Math.min(p.qMax[j], Math.max(p.qMin[j], out[j]));
    return out;
  }

  private readState<T extends ArmState>(out: T): T {
    const a = this.upperArm as VerletBody;
    const b = this.forearm as VerletBody;
    const w1 = ((a.angle - a.anglePrev) / a.deltaTime) * 1000;
    const w2 = ((b.angle - b.anglePrev) / b.deltaTime) * 1000;
    out[0] = a.angle;
    out[1] = b.angle - a.angle;
    out[2] = w1;
    out[3] = w2 - w1;
    return out;
  }

  /** Offset from the forearm's centre of mass to the hand, in world orientation (matter units, mm). */
  forearmHandOffset(): Matter.Vector {
    const r = (this.params.l[1] - this.params.s[1]) * MM_PER_M;
    return { x: r * Math.cos(this.forearm.angle), y: r * Math.sin(this.forearm.angle) };
  }

  /** Hand point in matter world coordinates (mm). */
  handPointWorld(): Matter.Vector {
    const o = this.forearmHandOffset();
    return { x: this.forearm.position.x + o.x, y: this.forearm.position.y + o.y };
  }

  /** Elbow position (m), the distal end of link 1. */
  elbowPosition(): Vec2 {
    const r = (this.params.l[0] - this.params.s[0]) * MM_PER_M;
    const a = this.upperArm;
    return [(a.position.x + r * Math.cos(a.angle)) / MM_PER_M, (a.position.y + r * Math.sin(a.angle)) / MM_PER_M];
  }

  /** Hand position (m). */
  handPosition(): Vec2 {
    const h = this.handPointWorld();
    return [h.x / MM_PER_M, h.y / MM_PER_M];
  }

  /** Hand velocity (m/s): the forearm's velocity at the hand point over the last update. */
  handVelocity(): Vec2 {
    const b = this.forearm as VerletBody;
    const r = (this.params.l[1] - this.params.s[1]) * MM_PER_M;
    const hx = b.position.x + r * Math.cos(b.angle);
    const hy = b.position.y + r * Math.sin(b.angle);
    const px = b.positionPrev.x + r * Math.cos(b.anglePrev);
    const py = b.positionPrev.y + r * Math.sin(b.anglePrev);
    return [(hx - px) / b.deltaTime, (hy - py) / b.deltaTime];
  }

  /** A constant external hand force (N), added to any force field, until changed. */
  setHandForce(F: Vec2): void {
    this.constantForce = [F[0], F[1]];
  }

  /** A state-dependent hand force (field description or function of hand position, velocity, time); null removes it. */
  setForceField(field: ForceField | HandForceFn | null): void {
    this.field = field;
  }

  /** Advance dt seconds with the actuator inputs (torque motors: τ in N·m) held constant, in `substepMs` engine updates. */
  step(u: ArrayLike<number>, dt: number): void {
    const n = Math.round((dt * 1000) / this.substepMs);
    if (!(n >= 1) || Math.abs(n * this.substepMs - dt * 1000) > 1e-9 * Math.max(1, dt * 1000)) {
      throw new Error(`dt = ${dt} s is not a positive whole number of ${this.substepMs} ms engine updates`);
    }
    for (let i = 0; i < n; i++) this.substep(u);
  }

  /** One engine update of `substepMs` with the actuator inputs u; for fixed-step accumulators in a viewer. */
  substep(u: ArrayLike<number>): void {
    this.checkAlive();
    const p = this.params;
    const act = this.actuator;
    const x = this.readState(this.x);
    x.set(this.actuatorState, 4);
    for (let i = 0; i < act.nInputs; i++) this.u[i] = act.clampInput(u[i], i);
    act.jointTorques(x, 0, this.u, 0, this.tau, null);
    let Fx = this.constantForce[0];
    let Fy = this.constantForce[1];
    if (this.field) {
      const pos = this.handPosition();
      const vel = this.handVelocity();
      const f = this.field;
      const F = typeof f === 'function' ? f(pos, vel, this.time) : fieldForce(f, this.time, pos, vel);
      Fx += F[0];
      Fy += F[1];
    }
    // Matter's joints creep by ~1e-7 rad and ~1e-3 rad/s around a stop the arm rests on: read that as resting on it.
    for (let j = 0; j < 2; j++) {
      const lim = Math.abs(x[j] - p.qMin[j]) < STOP_TOLERANCE ? p.qMin[j] : Math.abs(x[j] - p.qMax[j]) < STOP_TOLERANCE ? p.qMax[j] : NaN;
      if (!Number.isNaN(lim)) {
        x[j] = lim;
        if (Math.abs(x[2 + j]) < STOP_SPEED_TOLERANCE) x[2 + j] = 0;
      }
    }
    const [a1, a2, a3] = coeffs(p);
    // The analytic q̈ and, for a joint resting on a stop and pushed into it, the stop's reaction torque.
    accel(p, a1, a2, a3, x[0], x[1], x[2], x[3], this.tau[0], this.tau[1], Fx, Fy, this.qdd, 0, this.reaction);
    const h = this.substepMs / 1000;
    if (Math.abs(x[2] + this.qdd[0] * h) > MAX_JOINT_SPEED || Math.abs(x[3] + this.qdd[1] * h) > MAX_JOINT_SPEED) {
      this.analyticUpdate(x, Fx, Fy);
      return;
    }
    const u1 = this.tau[0] + this.reaction[0] - p.B[0][0] * x[2] - p.B[0][1] * x[3];
    const u2 = this.tau[1] + this.reaction[1] - p.B[1][0] * x[2] - p.B[1][1] * x[3];
    this.upperArm.torque += u1 - u2;
    this.forearm.torque += u2;
    if (Fx !== 0 || Fy !== 0) {
      Body.applyForce(this.forearm, this.handPointWorld(), { x: Fx / MM_PER_M, y: Fy / MM_PER_M });
    }
    Engine.update(this.engine, this.substepMs);
    this.substepCount++;
    if (act.nState > 0) stepActuatorState(act, this.actuatorState, this.u, h);
    this.readState(this.x);
    this.xLimited.set(this.x.subarray(0, 4));
    if (applyJointLimits(p, this.xLimited) && this.beyondCreep()) this.setState(this.xLimited);
  }

  /**
   * Whether the limits moved the state by more than the creep of a joint held on its stop. Placing the
   * bodies restarts matter's constraint solver without its warm start, which for a few updates lets the
   * links accelerate wrongly; a joint held by the stop reaction creeps by less than the tolerances and is
   * left alone (getState reports it on the stop).
   */
  private beyondCreep(): boolean {
    for (let j = 0; j < 2; j++) {
      if (Math.abs(this.xLimited[j] - this.x[j]) > STOP_TOLERANCE) return true;
      if (Math.abs(this.xLimited[2 + j] - this.x[2 + j]) > STOP_SPEED_TOLERANCE) return true;
    }
    return false;
  }

  /**
   * An update the engine cannot integrate — a joint would pass MAX_JOINT_SPEED within it, so a link
   * would swing through a large angle in one position-based step — is taken by the analytic integrator
   * (every stage inside the limits, hand force held), and the bodies are placed at its result.
   */
  private analyticUpdate(x: Float64Array, Fx: number, Fy: number): void {
    const body: Body = { name: this.params.name, skeleton: this.params, actuator: this.actuator, muscles: null };
    const F: Vec2 = [Fx, Fy];
    stepBody(body, x, this.u, this.substepMs / 1000, x, { handForce: Fx !== 0 || Fy !== 0 ? () => F : undefined });
    this.actuatorState.set(x.subarray(4));
    this.substepCount++;
    this.setState(x);
  }

  /** Release the engine and its bodies. The arm cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Composite.clear(this.engine.world, false, true);
    Engine.clear(this.engine);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('MatterArm used after dispose()');
  }
}

/** Build a matter-js arm from arm parameters at the initial state in `opts`. */
export function createMatterArm(params: ArmParams, opts: MatterArmOptions): MatterArm {
  return new MatterArm(params, opts);
}

/** Build a body (skeleton + actuator) in matter-js at the initial state in `opts`. */
export function createMatterBody(body: Body, opts: Omit<MatterArmOptions, 'actuator'>): MatterArm {
  return new MatterArm(body.skeleton, { ...opts, actuator: body.actuator });
}
