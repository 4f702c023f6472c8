/**
 * Hidden-unit activity over the current trial as a heat map (canvas 2D ImageData: one column per control
 * step, one row per unit in the chosen order). New columns are written as steps arrive; the whole image
 * is rewritten only when the trial or the order changes.
 */
import { divergingRgba, THEME } from './colors.ts';
import { drawAxes, plotFrame, xPx } from './plot-frame.ts';
import type { TrialRecord } from './trial-record.ts';

export interface Heatmap {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  image: HTMLCanvasElement;
  imageCtx: CanvasRenderingContext2D;
  pixels: ImageData | null;
  record: TrialRecord | null;
  order: Int32Array | null;
  orderLabel: string;
  drawn: number;
}

export function createHeatmap(canvas: HTMLCanvasElement): Heatmap {
  const image = document.createElement('canvas');
  return {
    canvas,
    ctx: canvas.getContext('2d')!,
    image,
    imageCtx: image.getContext('2d')!,
    pixels: null,
    record: null,
    order: null,
    orderLabel: '',
    drawn: 0,
  };
}

/** Show `record` with units in `order` (identity when null); redraws only what changed. */
export function updateHeatmap(hm: Heatmap, record: TrialRecord, order: Int32Array | null, orderLabel: string): void {
  const fresh = hm.record !== record || hm.order !== order || !hm.pixels;
  if (!fresh && hm.drawn === record.length) return;
  if (fresh) {
    hm.record = record;
    hm.order = order;
    hm.orderLabel = orderLabel;
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

function render(hm: Heatmap): void {
  const r = hm.record!;
  const { ctx, canvas } = hm;
  ctx.fillStyle = THEME.panel;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const f = plotFrame(canvas.width, canvas.height, r.timesFromGo[0], r.timesFromGo[0] + r.capacity * r.dt, 0, r.units);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(hm.image, f.left, f.top, f.width, f.height);
  const go = Math.round(xPx(f, 0)) + 0.5;
  ctx.strokeStyle = 'rgba(255,255,255,0.6)';
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(go, f.top);
  ctx.lineTo(go, f.top + f.height);
  ctx.stroke();
  ctx.setLineDash([]);
  drawAxes(ctx, f, 'time from go (s)', `${r.units} units, ${hm.orderLabel}`, 'hidden activity (a.u., blue −1 … red +1)', false);
}
