/**
 * The arm scene in pixi.js: workspace boundary, shoulder, start and center-out targets, the hand's trail,
 * earlier trials' hand paths (faded), the arm (links, joints, hand), a muscle arm's muscles coloured by
 * activation (with a colour bar), the external force on the hand, the curl field (arrows: the force on a
 * hand moving outward at FIELD_PROBE_SPEED toward each target) and the mouse spring. It draws the live
 * state, or a recorded sample of the trial (replay).
 * World coordinates are metres with +y forward; the canvas has y pointing down, so y is flipped here.
 */
import { Container, Graphics, RenderTexture, Text, WebGLRenderer } from 'pixi.js';
import { forwardKinematics } from '../sim/dynamics.ts';
import type { ArmParams } from '../sim/arm-params.ts';
import { handForce } from '../sim/force-fields.ts';
import { conditionColor, THEME } from './colors.ts';
import { SCENE_CONTEXT_ATTRIBUTES, sceneContext, sceneResolution } from './scene-context.ts';
import { ACTIVATION_FULL_SCALE, activationColor, musclePolylines, TRUNK_BOX } from './muscle-drawing.ts';
import { externalForce, type Session } from './session.ts';
import type { TrialRecord } from './trial-record.ts';

/** Drawn radius of targets and start: the 1 cm reach tolerance (m). */
export const TARGET_RADIUS = 0.01;
/** Hand speed used to draw the curl field (m/s). */
const FIELD_PROBE_SPEED = 0.5;
/** Room kept around the shoulder, start and targets in view (m). */
const VIEW_MARGIN = 0.14;
/** Force arrow scale (px per N). */
const PX_PER_N = 4;
/** Target and scale-bar labels; the dark outline keeps a label readable where the arm passes under it. */
const LABEL_STYLE = { fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xb0b8c8, stroke: { color: THEME.background, width: 3 } };
/** Muscle line width (px) at zero and at full-scale activation. */
const MUSCLE_WIDTH: readonly [number, number] = [2.5, 7];

/** What the last draw showed (for the debug hook and tests): the arm's pose and each muscle's line. */
export interface DrawnArm {
  /** Recorded sample drawn (replay), or −1 for the live state. */
  sample: number;
  /** Joint angles (rad) and hand, elbow (m). */
  q: [number, number];
  elbow: [number, number];
  hand: [number, number];
  /** Earlier trials' hand paths drawn. */
  overlays: number;
  /** Per muscle: name, activation, colour 0xRRGGBB, line width (px) and path in world metres [x0, y0, …]. */
  muscles: Array<{ name: string; activation: number; color: number; width: number; path: number[] }>;
}

/** The pixi renderer and the scene's layers. Owns the WebGL context: call `dispose()`. */
export class ArmScene {
  readonly renderer: WebGLRenderer;
  private readonly stage = new Container();
  /** Targets and their labels lie above the arm (it passes over them), the forces and spring above all. */
  private readonly layers = { fixed: new Graphics(), overlays: new Graphics(), trail: new Graphics(), arm: new Graphics(), muscles: new Graphics(), targets: new Graphics(), forces: new Graphics() };
  private readonly labels = new Container();
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private session: Session | null = null;
  private fixedKey = '';
  private readonly f = new Float64Array(2);
  private overlayKey = '';
  /**
   * Where the target and scale-bar labels go, until they are drawn: from the scene's second draw on, since
   * pixi draws each Text on a canvas and uploads it as a texture, ten of them the larger part of a first
   * draw under SwiftShader; the first frame shows the arm, the next one its labels.
   */
  private labelsDue: { session: Session; barX: number; barY: number } | null = null;
  private hasDrawn = false;
  /** What the last draw showed. */
  drawn: DrawnArm = { sample: -1, q: [0, 0], elbow: [0, 0], hand: [0, 0], overlays: 0, muscles: [] };

  private constructor(renderer: WebGLRenderer) {
    this.renderer = renderer;
    const { fixed, overlays, trail, arm, muscles, targets, forces } = this.layers;
    this.stage.addChild(fixed, overlays, trail, arm, muscles, targets, this.labels, forces);
  }

  /** A scene drawing into `canvas` (CSS size width × height). */
  static async create(canvas: HTMLCanvasElement, width: number, height: number): Promise<ArmScene> {
    // The WebGL renderer itself, not pixi's Application: its renderer detection would create a throwaway
    // WebGL context to test for support and fetch the renderer's class as one more chunk. The scene draws
    // on demand (draw()), so the Application's ticker is not needed either.
    const renderer = new WebGLRenderer();
    // pixi asks the canvas for this context again and gets it, with its texture units limited (scene-context.ts).
    sceneContext(canvas);
    await renderer.init({
      canvas,
      width,
      height,
      background: THEME.background,
      antialias: SCENE_CONTEXT_ATTRIBUTES.antialias,
      // Graphics and Text register what they draw with; the browser extras pixi would load otherwise (its
      // event system, accessibility, DOM and filter pipes; none used here, pointer input is
      // scene-pointer.ts) are two more chunks fetched and run before the renderer starts.
      manageImports: false,
      resolution: sceneResolution(),
      autoDensity: true,
    });
    const scene = new ArmScene(renderer);
    scene.compilePrograms();
    return scene;
  }

  /**
   * Render shapes off screen, so pixi compiles the two programs the scene draws with (it does so at their
   * first use and then waits for the GPU to link them, 0.1–0.2 s under SwiftShader) now, while the
   * controller may still be loading, rather than in the first frame. Small shapes and text go through
   * pixi's batcher; large shapes (the workspace outline) are drawn unbatched, with the graphics program.
   * Text itself (its measuring canvas and font metrics) first comes with the labels, after the first frame.
   */
  private compilePrograms(): void {
    const unbatched = new Graphics().rect(0, 0, 1, 1).fill({ color: THEME.arm });
    unbatched.context.batchMode = 'no-batch';
    const warm = new Container();
    warm.addChild(new Graphics().rect(0, 0, 1, 1).fill({ color: THEME.arm }), unbatched);
    const target = RenderTexture.create({ width: 1, height: 1 });
    this.renderer.render({ container: warm, target });
    warm.destroy({ children: true });
    target.destroy(true);
  }

  /** Resize the canvas to width × height CSS px; the view is fitted again at the next draw. */
  resize(width: number, height: number): void {
    this.renderer.resize(width, height);
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
    const { width, height } = this.renderer.screen;
    const pad = 24;
    this.scale = Math.min((width - 2 * pad) / (xMax - xMin), (height - 2 * pad) / (yMax - yMin));
    this.ox = width / 2 - ((xMin + xMax) / 2) * this.scale;
    this.oy = height / 2 + ((yMin + yMax) / 2) * this.scale;
  }

  private drawFixed(s: Session): void {
    const g = this.layers.fixed;
    g.clear();
    for (const child of this.labels.removeChildren()) child.destroy();
    const p = this.f;
    const boundary = workspaceBoundary(s.params);
    for (let i = 0; i < boundary.length; i += 2) {
      this.toCanvas(boundary[i], boundary[i + 1], p);
      if (i === 0) g.moveTo(p[0], p[1]);
      else g.lineTo(p[0], p[1]);
    }
    g.closePath().stroke({ width: 1.5, color: THEME.workspace });
    if (s.body.muscles) {
      // The trunk the shoulder muscles arise from (schematic).
      this.toCanvas(TRUNK_BOX.x, TRUNK_BOX.y + TRUNK_BOX.height, p);
      g.roundRect(p[0], p[1], TRUNK_BOX.width * this.scale, TRUNK_BOX.height * this.scale, TRUNK_BOX.radius * this.scale).fill({ color: THEME.workspace, alpha: 0.35 });
    }
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
    const { width, height } = this.renderer.screen;
    g.moveTo(width - 20 - bar, height - 20).lineTo(width - 20, height - 20).stroke({ width: 2, color: THEME.axis });
    this.labelsDue = { session: s, barX: width - 20 - bar / 2, barY: height - 36 };
    if (s.body.muscles) this.drawActivationBar(g, width - 150, 30, 120, 8);
  }

  /** The muscle colour key: activation 0 … ACTIVATION_FULL_SCALE left to right at (x, y), w × h px. */
  private drawActivationBar(g: Graphics, x: number, y: number, w: number, h: number): void {
    const steps = 40;
    for (let i = 0; i < steps; i++) g.rect(x + (i * w) / steps, y, w / steps + 0.5, h).fill({ color: activationColor(((i + 0.5) / steps) * ACTIVATION_FULL_SCALE) });
    g.rect(x, y, w, h).stroke({ width: 1, color: THEME.workspace });
    const style = { fontFamily: 'system-ui, sans-serif', fontSize: 10, fill: 0xb0b8c8 };
    const label = (text: string, lx: number, ly: number, anchorX: number) => {
      const t = new Text({ text, style });
      t.anchor.set(anchorX, 0);
      t.position.set(lx, ly);
      this.labels.addChild(t);
    };
    label('muscle activation', x + w / 2, y - 14, 0.5);
    label('0', x, y + h + 2, 0);
    label(`≥ ${ACTIVATION_FULL_SCALE}`, x + w, y + h + 2, 1);
  }

  private drawLabels(s: Session, barX: number, barY: number): void {
    const p = this.f;
    for (let k = 0; k < s.targets.length; k++) {
      const dx = s.targets[k][0] - s.start[0];
      const dy = s.targets[k][1] - s.start[1];
      const d = Math.hypot(dx, dy);
      this.toCanvas(s.targets[k][0] + (0.025 * dx) / d, s.targets[k][1] + (0.025 * dy) / d, p);
      const t = new Text({ text: String(k + 1), style: LABEL_STYLE });
      t.anchor.set(0.5);
      t.position.set(p[0], p[1]);
      this.labels.addChild(t);
    }
    const bar = new Text({ text: '10 cm', style: LABEL_STYLE });
    bar.anchor.set(0.5);
    bar.position.set(barX, barY);
    this.labels.addChild(bar);
    const help = new Text({ text: 'click a target or press 1–8 · drag the hand to push it', style: { ...LABEL_STYLE, fill: 0x8a94a6 } });
    help.position.set(10, 8);
    this.labels.addChild(help);
  }

  /**
   * Draw the session's current state, or with `sample` ≥ 0 the trial's recorded sample `sample` (replay:
   * the arm, muscles, trail and hand force as recorded then); `overlays` are earlier trials whose hand
   * paths are drawn faded. Then render.
   */
  draw(s: Session, sample = -1, overlays: readonly TrialRecord[] = []): void {
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
    if (this.labelsDue && this.hasDrawn) {
      this.drawLabels(this.labelsDue.session, this.labelsDue.barX, this.labelsDue.barY);
      this.labelsDue = null;
    }
    this.hasDrawn = true;
    const p = this.f;
    const { trail, arm, forces } = this.layers;
    this.drawOverlays(overlays, s.targets.length);
    trail.clear();
    const rec = s.record;
    const replay = sample >= 0 && sample < rec.length;
    const trailEnd = replay ? sample + 1 : rec.length;
    if (trailEnd > 1) {
      for (let t = 0; t < trailEnd; t++) {
        this.toCanvas(rec.hand[t * 2], rec.hand[t * 2 + 1], p);
        if (t === 0) trail.moveTo(p[0], p[1]);
        else trail.lineTo(p[0], p[1]);
      }
      trail.stroke({ width: 2, color: THEME.trail, alpha: 0.55 });
    }
    const state = replay ? rec.state.subarray(sample * 4, sample * 4 + 4) : s.arm.getState(s.x);
    const { elbow, hand } = forwardKinematics(s.params, state[0], state[1]);
    const nm = rec.muscles.length;
    const activation = replay ? rec.activation.subarray(sample * nm, (sample + 1) * nm) : s.arm.actuatorState;
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
    this.drawn = { sample: replay ? sample : -1, q: [state[0], state[1]], elbow: [elbow[0], elbow[1]], hand: [hand[0], hand[1]], overlays: overlays.length, muscles: this.drawMuscles(s, state[0], state[1], activation) };

    forces.clear();
    const F = replay ? rec.force.subarray(sample * 2, sample * 2 + 2) : externalForce(s, s.force);
    if (Math.hypot(F[0], F[1]) > 0.2) arrow(forces, hx, hy, F[0] * PX_PER_N, -F[1] * PX_PER_N, THEME.force, 1);
    if (s.dragging && !replay) {
      this.toCanvas(s.cursor[0], s.cursor[1], p);
      // A dark casing under a bright core: the spring stays visible over the pale arm and the dark floor.
      forces.moveTo(hx, hy).lineTo(p[0], p[1]).stroke({ width: 9, color: THEME.background, alpha: 0.9, cap: 'round' });
      forces.moveTo(hx, hy).lineTo(p[0], p[1]).stroke({ width: 4, color: THEME.spring, cap: 'round' });
      forces.circle(p[0], p[1], 5).stroke({ width: 4, color: THEME.background, alpha: 0.85 }).circle(p[0], p[1], 5).stroke({ width: 2, color: THEME.spring });
    }
    this.renderer.render(this.stage);
  }

  /** The muscles of a muscle arm at angles (q1, q2) with `activation` per muscle; returns what was drawn. */
  private drawMuscles(s: Session, q1: number, q2: number, activation: ArrayLike<number>): DrawnArm['muscles'] {
    const g = this.layers.muscles;
    g.clear();
    const m = s.body.muscles;
    if (!m) return [];
    const p = this.f;
    return musclePolylines(s.params, m, q1, q2).map((path, i) => {
      const a = activation[i];
      const color = activationColor(a);
      const width = MUSCLE_WIDTH[0] + (MUSCLE_WIDTH[1] - MUSCLE_WIDTH[0]) * Math.min(1, a / ACTIVATION_FULL_SCALE);
      for (let k = 0; k < path.length; k += 2) {
        this.toCanvas(path[k], path[k + 1], p);
        if (k === 0) g.moveTo(p[0], p[1]);
        else g.lineTo(p[0], p[1]);
      }
      // A dark casing keeps a muscle visible where it crosses the pale arm.
      g.stroke({ width: width + 3, color: THEME.background, alpha: 0.7, cap: 'round', join: 'round' });
      for (let k = 0; k < path.length; k += 2) {
        this.toCanvas(path[k], path[k + 1], p);
        if (k === 0) g.moveTo(p[0], p[1]);
        else g.lineTo(p[0], p[1]);
      }
      g.stroke({ width, color, cap: 'round', join: 'round' });
      return { name: m.muscles[i], activation: a, color, width, path };
    });
  }

  /** Earlier trials' hand paths, faded, in their targets' colours (redrawn only when the set changes). */
  private drawOverlays(overlays: readonly TrialRecord[], n: number): void {
    const key = overlays.map((r) => `${r.targetIndex}:${r.length}:${r.shifted}`).join(',') + `|${this.scale}|${this.ox}|${this.oy}`;
    if (key === this.overlayKey) return;
    this.overlayKey = key;
    const g = this.layers.overlays;
    g.clear();
    const p = this.f;
    for (const r of overlays) {
      if (r.length < 2) continue;
      for (let t = 0; t < r.length; t++) {
        this.toCanvas(r.hand[t * 2], r.hand[t * 2 + 1], p);
        if (t === 0) g.moveTo(p[0], p[1]);
        else g.lineTo(p[0], p[1]);
      }
      g.stroke({ width: 1.5, color: r.targetIndex < 0 ? THEME.trail : conditionColor(r.targetIndex, n), alpha: 0.4 });
    }
  }

  dispose(): void {
    this.stage.destroy({ children: true });
    this.renderer.destroy(false);
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
