/**
 * A population-state panel: the 8 reference conditions' trajectories in a plane (PC1–PC2, or the top jPC
 * plane over the jPCA window) drawn once into a cached background, and the live state's trail and
 * current point drawn over it every frame.
 */
import { conditionColor, css, THEME } from './colors.ts';
import { fitCanvas } from './layout.ts';
import { drawAxes, plotFrame, xPx, yPx, type PlotFrame } from './plot-frame.ts';
import type { References, StatePlane } from './reference.ts';
import { lineFigureSvg, type SvgSeries } from './svg-export.ts';

export type PlaneKind = 'pc' | 'jpc';

export interface StatePanel {
  kind: PlaneKind;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** Size (CSS px). */
  width: number;
  height: number;
  background: HTMLCanvasElement;
  backgroundCtx: CanvasRenderingContext2D;
  frame: PlotFrame | null;
  refs: References | null;
  plane: StatePlane | null;
  message: string;
}

/** A panel drawing into `canvas` at width × height CSS px. */
export function createStatePanel(canvas: HTMLCanvasElement, kind: PlaneKind, width: number, height: number): StatePanel {
  const background = document.createElement('canvas');
  const p: StatePanel = {
    kind,
    canvas,
    ctx: fitCanvas(canvas, width, height),
    width,
    height,
    background,
    backgroundCtx: fitCanvas(background, width, height),
    frame: null,
    refs: null,
    plane: null,
    message: '',
  };
  setPanelReferences(p, null, 'computing the reference reaches…');
  return p;
}

/** Resize to width × height CSS px (the background is redrawn). */
export function resizeStatePanel(p: StatePanel, width: number, height: number): void {
  p.ctx = fitCanvas(p.canvas, width, height);
  p.backgroundCtx = fitCanvas(p.background, width, height);
  p.width = width;
  p.height = height;
  setPanelReferences(p, p.refs, p.message);
}

/** Show the reference trajectories of `refs` (or `message` while there are none). */
export function setPanelReferences(p: StatePanel, refs: References | null, message = ''): void {
  const plane = refs ? (p.kind === 'pc' ? refs.pc : refs.jpc) : null;
  p.refs = refs;
  p.plane = plane;
  p.message = plane ? '' : refs && p.kind === 'jpc' ? `jPCA failed: ${refs.jpcError}` : message;
  const ctx = p.backgroundCtx;
  const { width: w, height: h } = p;
  ctx.fillStyle = THEME.panel;
  ctx.fillRect(0, 0, w, h);
  const name = p.kind === 'pc' ? 'PC' : 'jPC';
  if (!refs || !plane) {
    p.frame = plotFrame(w, h, -1, 1, -1, 1);
    drawAxes(ctx, p.frame, `${name}1 (a.u.)`, `${name}2 (a.u.)`, p.kind === 'pc' ? 'population state, PC1–PC2' : 'population state, top jPC plane');
    ctx.fillStyle = THEME.text;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(p.message, p.frame.left + 8, p.frame.top + 16);
    return;
  }
  const C = refs.conditions;
  const T = refs.steps;
  const tr = plane.trajectories;
  const [t0, t1] = p.kind === 'jpc' && refs.jpc ? refs.jpc.window : [0, T - 1];
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let c = 0; c < C; c++) {
    for (let t = t0; t <= t1; t++) {
      const x = tr[(c * T + t) * 2];
      const y = tr[(c * T + t) * 2 + 1];
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  const padX = (xMax - xMin) * 0.15 || 1;
  const padY = (yMax - yMin) * 0.15 || 1;
  const f = plotFrame(w, h, xMin - padX, xMax + padX, yMin - padY, yMax + padY);
  p.frame = f;
  drawAxes(ctx, f, `${name}1 (a.u.)`, `${name}2 (a.u.)`, planeTitle(p.kind, refs, plane));
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  for (let c = 0; c < C; c++) {
    const color = css(conditionColor(c, C));
    if (p.kind === 'jpc') {
      ctx.globalAlpha = 0.25;
      strokePath(ctx, f, tr, c * T, 0, T - 1, color, 1);
    }
    ctx.globalAlpha = 0.9;
    strokePath(ctx, f, tr, c * T, t0, t1, color, 1.5);
    const i = (c * T + t0) * 2;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(xPx(f, tr[i]), yPx(f, tr[i + 1]), 2.5, 0, 2 * Math.PI);
    ctx.fill();
    arrowHead(ctx, f, tr, c * T, t1, color);
  }
  ctx.restore();
  drawConditionKey(ctx, f, C);
}

function planeTitle(kind: PlaneKind, refs: References, plane: StatePlane): string {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return kind === 'pc'
    ? `population state, PC1–PC2 (${pct(plane.varianceFraction[0])}, ${pct(plane.varianceFraction[1])} var)`
    : `top jPC plane: ${refs.jpc!.rotationHz.toFixed(1)} Hz, R²skew ${refs.jpc!.r2Skew2D.toFixed(2)}, ${pct(plane.varianceFraction[0] + plane.varianceFraction[1])} var`;
}

/**
 * The panel as an SVG figure built from its data: each reference reach (in the jPC panel over the jPCA
 * window) in its target's colour and the live trail's first `n` points ([n, 2]); null before the references.
 */
export function statePanelSvg(p: StatePanel, trail: Float64Array, n: number): string | null {
  const { refs, plane, frame: f } = p;
  if (!refs || !plane || !f) return null;
  const C = refs.conditions;
  const T = refs.steps;
  const tr = plane.trajectories;
  const [t0, t1] = p.kind === 'jpc' && refs.jpc ? refs.jpc.window : [0, T - 1];
  const column = (a: Float64Array, from: number, to: number, k: number) => Array.from({ length: to - from }, (_, i) => a[(from + i) * 2 + k]);
  const series: SvgSeries[] = Array.from({ length: C }, (_, c) => ({
    label: `target ${c + 1}`,
    color: css(conditionColor(c, C)),
    x: column(tr, c * T + t0, c * T + t1 + 1, 0),
    y: column(tr, c * T + t0, c * T + t1 + 1, 1),
  }));
  series.push({ label: 'this trial', color: '#ffffff', x: column(trail, 0, n, 0), y: column(trail, 0, n, 1), width: 2 });
  const name = p.kind === 'pc' ? 'PC' : 'jPC';
  return lineFigureSvg({ width: p.width, height: p.height, title: planeTitle(p.kind, refs, plane), xLabel: `${name}1 (a.u.)`, yLabel: `${name}2 (a.u.)`, xRange: [f.xMin, f.xMax], yRange: [f.yMin, f.yMax], series });
}

/** Radius and pitch of the target key's discs (px). */
const KEY_R = 6;
const KEY_PITCH = 14;

/** Centres (canvas px) of the target key's discs for `n` targets: a row in the plot's bottom-right corner. */
function conditionKeyDiscs(f: PlotFrame, n: number): Array<[number, number]> {
  const y = f.top + f.height - KEY_R - 5;
  const x0 = f.left + f.width - 5 - KEY_R - (n - 1) * KEY_PITCH;
  return Array.from({ length: n }, (_, k) => [x0 + k * KEY_PITCH, y]);
}

/** The key: one disc per target in its colour, numbered as on the scene and the buttons. */
function drawConditionKey(ctx: CanvasRenderingContext2D, f: PlotFrame, n: number): void {
  const discs = conditionKeyDiscs(f, n);
  ctx.save();
  ctx.fillStyle = 'rgba(17,21,28,0.8)';
  ctx.fillRect(discs[0][0] - KEY_R - 3, discs[0][1] - KEY_R - 3, (n - 1) * KEY_PITCH + 2 * KEY_R + 6, 2 * KEY_R + 6);
  ctx.font = 'bold 8px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  discs.forEach(([x, y], k) => {
    ctx.fillStyle = css(conditionColor(k, n));
    ctx.beginPath();
    ctx.arc(x, y, KEY_R, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = THEME.panel;
    ctx.fillText(String(k + 1), x, y + 0.5);
  });
  ctx.restore();
}

function strokePath(ctx: CanvasRenderingContext2D, f: PlotFrame, tr: Float64Array, base: number, t0: number, t1: number, color: string, width: number): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (let t = t0; t <= t1; t++) {
    const i = (base + t) * 2;
    if (t === t0) ctx.moveTo(xPx(f, tr[i]), yPx(f, tr[i + 1]));
    else ctx.lineTo(xPx(f, tr[i]), yPx(f, tr[i + 1]));
  }
  ctx.stroke();
}

function arrowHead(ctx: CanvasRenderingContext2D, f: PlotFrame, tr: Float64Array, base: number, t: number, color: string): void {
  if (t < 1) return;
  const i = (base + t) * 2;
  const j = (base + t - 1) * 2;
  const x = xPx(f, tr[i]);
  const y = yPx(f, tr[i + 1]);
  const a = Math.atan2(y - yPx(f, tr[j + 1]), x - xPx(f, tr[j]));
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x - 7 * Math.cos(a - 0.45), y - 7 * Math.sin(a - 0.45));
  ctx.lineTo(x - 7 * Math.cos(a + 0.45), y - 7 * Math.sin(a + 0.45));
  ctx.closePath();
  ctx.fill();
}

/** Background, then the live trail ([n, 2] points, first `n`) and the current point. */
export function drawStatePanel(p: StatePanel, trail: Float64Array, n: number, current: Float64Array | null, color: string): void {
  const { ctx } = p;
  ctx.drawImage(p.background, 0, 0, p.width, p.height);
  const f = p.frame;
  if (!p.plane || !f) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  if (n > 1) {
    ctx.strokeStyle = '#ffffff';
    ctx.globalAlpha = 0.85;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(xPx(f, trail[0]), yPx(f, trail[1]));
    for (let t = 1; t < n; t++) ctx.lineTo(xPx(f, trail[t * 2]), yPx(f, trail[t * 2 + 1]));
    ctx.stroke();
  }
  if (current) {
    ctx.globalAlpha = 1;
    ctx.fillStyle = color;
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(xPx(f, current[0]), yPx(f, current[1]), 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}
