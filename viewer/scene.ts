/**
 * The arm scene in pixi.js: workspace boundary, shoulder, start and center-out targets, the hand's trail,
 * the arm (links, joints, hand), the external force on the hand, the curl field (arrows: the force on a
 * hand moving outward at FIELD_PROBE_SPEED toward each target) and the mouse spring.
 * World coordinates are metres with +y forward; the canvas has y pointing down, so y is flipped here.
 */
import { Application, Container, Graphics, Text } from 'pixi.js';
import { forwardKinematics } from '../sim/dynamics.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { handForce } from '../sim/force-fields.ts';
import { conditionColor, THEME } from './colors.ts';
import { externalForce, type Session } from './session.ts';

/** Drawn radius of targets and start: the 1 cm reach tolerance (m). */
export const TARGET_RADIUS = 0.01;
/** Hand speed used to draw the curl field (m/s). */
const FIELD_PROBE_SPEED = 0.5;
/** Room kept around the shoulder, start and targets in view (m). */
const VIEW_MARGIN = 0.14;
/** Force arrow scale (px per N). */
const PX_PER_N = 4;

/** The pixi application and the scene's layers. Owns the WebGL context: call `dispose()`. */
export class ArmScene {
  readonly app: Application;
  /** Targets and their labels lie above the arm (it passes over them), the forces and spring above all. */
  private readonly layers = { fixed: new Graphics(), trail: new Graphics(), arm: new Graphics(), targets: new Graphics(), forces: new Graphics() };
  private readonly labels = new Container();
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private session: Session | null = null;
  private fixedKey = '';
  private readonly f = new Float64Array(2);

  private constructor(app: Application) {
    this.app = app;
    const { fixed, trail, arm, targets, forces } = this.layers;
    app.stage.addChild(fixed, trail, arm, targets, this.labels, forces);
  }

  /** A scene drawing into `canvas` (CSS size width × height). */
  static async create(canvas: HTMLCanvasElement, width: number, height: number): Promise<ArmScene> {
    const app = new Application();
    await app.init({
      canvas,
      width,
      height,
      background: THEME.background,
      antialias: true,
      autoStart: false,
      sharedTicker: false,
      preference: 'webgl',
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      autoDensity: true,
    });
    return new ArmScene(app);
  }

  /** Resize the canvas to width × height CSS px; the view is fitted again at the next draw. */
  resize(width: number, height: number): void {
    this.app.renderer.resize(width, height);
    this.session = null;
  }

  /** Canvas CSS px of world point (x, y) m. */
  toCanvas(x: number, y: number, out: Float64Array | number[]): void {
    out[0] = this.ox + x * this.scale;
    out[1] = this.oy - y * this.scale;
  }

  /** World point (m) of canvas CSS px (px, py). */
  toWorld(px: number, py: number, out: Float64Array | number[]): void {
    out[0] = (px - this.ox) / this.scale;
    out[1] = (this.oy - py) / this.scale;
  }

  /**
   * Fit the shoulder, the start and the targets (with VIEW_MARGIN around them) into the canvas, keeping
   * within the workspace's bounding box: the task's region fills the view; the rest of the workspace
   * boundary shows where it passes through.
   */
  private layout(s: Session): void {
    const boundary = workspaceBoundary(s.params);
    const ws = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < boundary.length; i += 2) {
      ws[0] = Math.min(ws[0], boundary[i]);
      ws[1] = Math.max(ws[1], boundary[i]);
      ws[2] = Math.min(ws[2], boundary[i + 1]);
      ws[3] = Math.max(ws[3], boundary[i + 1]);
    }
    const pts: Array<readonly [number, number]> = [[0, 0], s.start, ...s.targets];
    const xMin = Math.max(ws[0], Math.min(...pts.map((p) => p[0])) - VIEW_MARGIN);
    const xMax = Math.min(ws[1], Math.max(...pts.map((p) => p[0])) + VIEW_MARGIN);
    const yMin = Math.max(ws[2], Math.min(...pts.map((p) => p[1])) - VIEW_MARGIN);
    const yMax = Math.min(ws[3], Math.max(...pts.map((p) => p[1])) + VIEW_MARGIN);
    const { width, height } = this.app.screen;
    const pad = 24;
    this.scale = Math.min((width - 2 * pad) / (xMax - xMin), (height - 2 * pad) / (yMax - yMin));
    this.ox = width / 2 - ((xMin + xMax) / 2) * this.scale;
    this.oy = height / 2 + ((yMin + yMax) / 2) * this.scale;
  }

  private drawFixed(s: Session): void {
    const g = this.layers.fixed;
    g.clear();
    const p = this.f;
    const boundary = workspaceBoundary(s.params);
    for (let i = 0; i < boundary.length; i += 2) {
      this.toCanvas(boundary[i], boundary[i + 1], p);
      if (i === 0) g.moveTo(p[0], p[1]);
      else g.lineTo(p[0], p[1]);
    }
    g.closePath().stroke({ width: 1.5, color: THEME.workspace });
    this.toCanvas(0, 0, p);
    g.rect(p[0] - 14, p[1] - 6, 28, 12).fill({ color: THEME.workspace });
    const tg = this.layers.targets;
    tg.clear();
    const r = TARGET_RADIUS * this.scale;
    this.toCanvas(s.start[0], s.start[1], p);
    tg.circle(p[0], p[1], r).stroke({ width: 2, color: THEME.start });
    for (let k = 0; k < s.targets.length; k++) {
      this.toCanvas(s.targets[k][0], s.targets[k][1], p);
      const color = conditionColor(k, s.targets.length);
      tg.circle(p[0], p[1], r).fill({ color, alpha: k === s.targetIndex ? 0.9 : 0.25 }).stroke({ width: 2, color });
    }
    if (s.curlOn && s.curlStrength !== 0) {
      const field = s.field;
      for (const [tx, ty] of s.targets) {
        const dx = tx - s.start[0];
        const dy = ty - s.start[1];
        const d = Math.hypot(dx, dy);
        const mid: [number, number] = [s.start[0] + dx * 0.55, s.start[1] + dy * 0.55];
        const F = handForce(field, 0, mid, [(FIELD_PROBE_SPEED * dx) / d, (FIELD_PROBE_SPEED * dy) / d]);
        this.toCanvas(mid[0], mid[1], p);
        arrow(g, p[0], p[1], F[0] * PX_PER_N, -F[1] * PX_PER_N, THEME.field, 0.7);
      }
    }
    const bar = 0.1 * this.scale;
    const { width, height } = this.app.screen;
    g.moveTo(width - 20 - bar, height - 20).lineTo(width - 20, height - 20).stroke({ width: 2, color: THEME.axis });
    this.drawLabels(s, width - 20 - bar / 2, height - 36);
  }

  private drawLabels(s: Session, barX: number, barY: number): void {
    for (const child of this.labels.removeChildren()) child.destroy();
    // The dark outline keeps a label readable where the arm passes under it.
    const style = { fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xb0b8c8, stroke: { color: THEME.background, width: 3 } };
    const p = this.f;
    for (let k = 0; k < s.targets.length; k++) {
      const dx = s.targets[k][0] - s.start[0];
      const dy = s.targets[k][1] - s.start[1];
      const d = Math.hypot(dx, dy);
      this.toCanvas(s.targets[k][0] + (0.025 * dx) / d, s.targets[k][1] + (0.025 * dy) / d, p);
      const t = new Text({ text: String(k + 1), style });
      t.anchor.set(0.5);
      t.position.set(p[0], p[1]);
      this.labels.addChild(t);
    }
    const bar = new Text({ text: '10 cm', style });
    bar.anchor.set(0.5);
    bar.position.set(barX, barY);
    this.labels.addChild(bar);
    const help = new Text({ text: 'click a target or press 1–8 · drag the hand to push it', style: { ...style, fill: 0x8a94a6 } });
    help.position.set(10, 8);
    this.labels.addChild(help);
  }

  /** Draw the session's current state and render. */
  draw(s: Session): void {
    if (s !== this.session) {
      this.session = s;
      this.fixedKey = '';
      this.layout(s);
    }
    const key = `${s.targetIndex}|${s.curlOn}|${s.curlStrength}`;
    if (key !== this.fixedKey) {
      this.fixedKey = key;
      this.drawFixed(s);
    }
    const p = this.f;
    const { trail, arm, forces } = this.layers;
    trail.clear();
    const rec = s.record;
    if (rec.length > 1) {
      for (let t = 0; t < rec.length; t++) {
        this.toCanvas(rec.hand[t * 2], rec.hand[t * 2 + 1], p);
        if (t === 0) trail.moveTo(p[0], p[1]);
        else trail.lineTo(p[0], p[1]);
      }
      trail.stroke({ width: 2, color: THEME.trail, alpha: 0.55 });
    }
    const state = s.arm.getState(s.x);
    const { elbow, hand } = forwardKinematics(s.params, state[0], state[1]);
    arm.clear();
    this.toCanvas(0, 0, p);
    const sx = p[0];
    const sy = p[1];
    this.toCanvas(elbow[0], elbow[1], p);
    const ex = p[0];
    const ey = p[1];
    this.toCanvas(hand[0], hand[1], p);
    const hx = p[0];
    const hy = p[1];
    arm.moveTo(sx, sy).lineTo(ex, ey).stroke({ width: Math.max(4, 0.024 * this.scale), color: THEME.arm, alpha: 0.9, cap: 'round' });
    arm.moveTo(ex, ey).lineTo(hx, hy).stroke({ width: Math.max(3, 0.019 * this.scale), color: THEME.arm, alpha: 0.9, cap: 'round' });
    arm.circle(sx, sy, 6).fill({ color: THEME.joint });
    arm.circle(ex, ey, 5).fill({ color: THEME.joint });
    arm.circle(hx, hy, Math.max(5, TARGET_RADIUS * this.scale * 0.8)).fill({ color: THEME.hand });

    forces.clear();
    const F = externalForce(s, s.force);
    if (Math.hypot(F[0], F[1]) > 0.2) arrow(forces, hx, hy, F[0] * PX_PER_N, -F[1] * PX_PER_N, THEME.force, 1);
    if (s.dragging) {
      this.toCanvas(s.cursor[0], s.cursor[1], p);
      // A dark casing under a bright core: the spring stays visible over the pale arm and the dark floor.
      forces.moveTo(hx, hy).lineTo(p[0], p[1]).stroke({ width: 9, color: THEME.background, alpha: 0.9, cap: 'round' });
      forces.moveTo(hx, hy).lineTo(p[0], p[1]).stroke({ width: 4, color: THEME.spring, cap: 'round' });
      forces.circle(p[0], p[1], 5).stroke({ width: 4, color: THEME.background, alpha: 0.85 }).circle(p[0], p[1], 5).stroke({ width: 2, color: THEME.spring });
    }
    this.app.render();
  }

  dispose(): void {
    this.app.destroy(false, { children: true });
  }
}

/** An arrow from (x, y) along (dx, dy) px. */
function arrow(g: Graphics, x: number, y: number, dx: number, dy: number, color: number, alpha: number): void {
  const len = Math.hypot(dx, dy);
  if (len < 1) return;
  const ux = dx / len;
  const uy = dy / len;
  const head = Math.min(8, len * 0.4);
  const ex = x + dx;
  const ey = y + dy;
  g.moveTo(x, y).lineTo(ex, ey).stroke({ width: 2, color, alpha });
  g.moveTo(ex, ey)
    .lineTo(ex - head * ux + head * 0.5 * uy, ey - head * uy - head * 0.5 * ux)
    .lineTo(ex - head * ux - head * 0.5 * uy, ey - head * uy + head * 0.5 * ux)
    .closePath()
    .fill({ color, alpha });
}

/**
 * The hand positions (m) on the boundary of the joint-limit rectangle, walked around it: [points, 2].
 * The workspace's outline is contained in this curve (the Jacobian is singular only at q2 = 0 or π).
 */
export function workspaceBoundary(p: ArmParams, perEdge = 48): Float64Array {
  const [a0, a1] = [p.qMin[0], p.qMax[0]];
  const [b0, b1] = [p.qMin[1], p.qMax[1]];
  const corners: Array<[number, number]> = [
    [a0, b0],
    [a1, b0],
    [a1, b1],
    [a0, b1],
  ];
  const out = new Float64Array(4 * perEdge * 2);
  let o = 0;
  for (let e = 0; e < 4; e++) {
    const [q1a, q2a] = corners[e];
    const [q1b, q2b] = corners[(e + 1) % 4];
    for (let i = 0; i < perEdge; i++) {
      const u = i / perEdge;
      const h = forwardKinematics(p, q1a + (q1b - q1a) * u, q2a + (q2b - q2a) * u).hand;
      out[o++] = h[0];
      out[o++] = h[1];
    }
  }
  return out;
}
