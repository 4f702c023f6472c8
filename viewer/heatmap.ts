/**
 * Hidden-unit activity over the current trial as a heat map (canvas 2D ImageData: one column per control
 * step, one row per unit in the chosen order). New columns are written as steps arrive; the whole image
 * is rewritten only when the trial or the order changes.
 */
import { css, divergingRgba, THEME } from './colors.ts';
import { fitCanvas } from './layout.ts';
import { drawAxes, plotFrame, xPx, type PlotFrame } from './plot-frame.ts';
import type { TrialRecord } from './trial-record.ts';

/** Room at the right for the colour bar and its labels (px), and the bar's width. */
const BAR_ROOM = 34;
const BAR_WIDTH = 8;

/** The colour bar's rectangle (canvas px) in a heat map of width w whose plot spans [top, top + height]. */
function colorBarRect(w: number, top: number, height: number): { x: number; y: number; width: number; height: number } {
  return { x: w - BAR_ROOM + 4, y: top, width: BAR_WIDTH, height };
}

/** The diverging map from +1 (row 0) to −1 (last row), drawn once and stretched onto the bar. */
function colorBarImage(): HTMLCanvasElement {
  const rows = 101;
  const c = document.createElement('canvas');
  c.width = 1;
  c.height = rows;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(1, rows);
  for (let i = 0; i < rows; i++) divergingRgba(1 - (2 * i) / (rows - 1), img.data, i * 4);
  ctx.putImageData(img, 0, 0);
  return c;
}

export interface Heatmap {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** Size (CSS px). */
  width: number;
  height: number;
  image: HTMLCanvasElement;
  imageCtx: CanvasRenderingContext2D;
  colorBar: HTMLCanvasElement;
  pixels: ImageData | null;
  record: TrialRecord | null;
  order: Int32Array | null;
  orderLabel: string;
  drawn: number;
  /** record.shifted when last drawn: a scrolled record is redrawn whole. */
  shifted: number;
  /** The plot area last drawn (null before the first draw). */
  frame: PlotFrame | null;
  /** Replay cursor (time from go, s), null when live. */
  cursor: number | null;
}

/** A heat map drawing into `canvas` at width × height CSS px. */
export function createHeatmap(canvas: HTMLCanvasElement, width: number, height: number): Heatmap {
  const image = document.createElement('canvas');
  return {
    canvas,
    ctx: fitCanvas(canvas, width, height),
    width,
    height,
    image,
    imageCtx: image.getContext('2d')!,
    colorBar: colorBarImage(),
    pixels: null,
    record: null,
    order: null,
    orderLabel: '',
    drawn: 0,
    shifted: 0,
    frame: null,
    cursor: null,
  };
}

/** Show `record` with units in `order` (identity when null); redraws only what changed. */
export function updateHeatmap(hm: Heatmap, record: TrialRecord, order: Int32Array | null, orderLabel: string): void {
  const fresh = hm.record !== record || hm.order !== order || hm.shifted !== record.shifted || !hm.pixels;
  if (!fresh && hm.drawn === record.length) return;
  if (fresh) {
    hm.record = record;
    hm.order = order;
    hm.orderLabel = orderLabel;
    hm.shifted = record.shifted;
    hm.image.width = record.capacity;
    hm.image.height = record.units;
    hm.pixels = hm.imageCtx.createImageData(record.capacity, record.units);
    const px = hm.pixels.data;
    for (let i = 0; i < px.length; i += 4) {
      px[i] = 24;
      px[i + 1] = 29;
      px[i + 2] = 38;
      px[i + 3] = 255;
    }
    hm.drawn = 0;
  }
  const px = hm.pixels!.data;
  const W = record.capacity;
  const n = record.units;
  for (let t = hm.drawn; t < record.length; t++) {
    for (let row = 0; row < n; row++) {
      const u = order ? order[row] : row;
      divergingRgba(record.hidden[t * n + u], px, (row * W + t) * 4);
    }
  }
  hm.drawn = record.length;
  hm.imageCtx.putImageData(hm.pixels!, 0, 0);
  render(hm);
}

/** Show the replay cursor at `time` from go (s), or none (null). */
export function setHeatmapCursor(hm: Heatmap, time: number | null): void {
  if (time === hm.cursor) return;
  hm.cursor = time;
  if (hm.record) render(hm);
}

/** Resize to width × height CSS px and redraw. */
export function resizeHeatmap(hm: Heatmap, width: number, height: number): void {
  hm.ctx = fitCanvas(hm.canvas, width, height);
  hm.width = width;
  hm.height = height;
  if (hm.record) render(hm);
}

function render(hm: Heatmap): void {
  const r = hm.record!;
  const { ctx } = hm;
  ctx.fillStyle = THEME.panel;
  ctx.fillRect(0, 0, hm.width, hm.height);
  const f = plotFrame(hm.width - BAR_ROOM + 10, hm.height, r.timesFromGo[0], r.timesFromGo[0] + r.capacity * r.dt, 0, r.units);
  hm.frame = f;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(hm.image, f.left, f.top, f.width, f.height);
  if (f.xMin <= 0 && 0 <= f.xMax) {
    const go = Math.round(xPx(f, 0)) + 0.5;
    ctx.strokeStyle = 'rgba(255,255,255,0.6)';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(go, f.top);
    ctx.lineTo(go, f.top + f.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (hm.cursor !== null) {
    // Dark under bright: the cursor stays visible over both ends of the colour map.
    const x = Math.round(xPx(f, hm.cursor)) + 0.5;
    for (const [color, width] of [[THEME.panel, 4], [css(THEME.hand), 1.5]] as const) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.top + f.height);
      ctx.stroke();
    }
    ctx.lineWidth = 1;
  }
  drawAxes(ctx, f, 'time from go (s)', `${r.units} units, ${hm.orderLabel}`, 'hidden activity (a.u.)', false);
  const bar = colorBarRect(hm.width, f.top, f.height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(hm.colorBar, bar.x, bar.y, bar.width, bar.height);
  ctx.strokeStyle = THEME.axis;
  ctx.strokeRect(bar.x + 0.5, bar.y + 0.5, bar.width, bar.height);
  ctx.fillStyle = THEME.text;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText('+1', bar.x + bar.width + 3, bar.y + 4);
  ctx.fillText('0', bar.x + bar.width + 3, bar.y + bar.height / 2);
  ctx.fillText('−1', bar.x + bar.width + 3, bar.y + bar.height - 4);
}

/** The cell under canvas point (x, y) CSS px: its row, unit, sample and time from go (s); null off the map. */
export function heatmapCell(hm: Heatmap, x: number, y: number): { row: number; unit: number; sample: number; time: number; value: number | null } | null {
  const f = hm.frame;
  const r = hm.record;
  if (!f || !r || x < f.left || x >= f.left + f.width || y < f.top || y >= f.top + f.height) return null;
  const row = Math.min(r.units - 1, Math.floor(((y - f.top) / f.height) * r.units));
  const sample = Math.min(r.capacity - 1, Math.floor(((x - f.left) / f.width) * r.capacity));
  const unit = hm.order ? hm.order[row] : row;
  return { row, unit, sample, time: r.timesFromGo[sample], value: sample < r.length ? r.hidden[sample * r.units + unit] : null };
}
