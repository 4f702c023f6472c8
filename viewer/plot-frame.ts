/** Axes for the canvas-2D panels: a plot area with data ranges, ticks and labels with units. */
import { THEME } from './colors.ts';

/** A plot area (canvas px) and the data range it shows. */
export interface PlotFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Margins around the plot area (px): room for tick labels, axis labels and a title. */
export const MARGIN = { left: 44, right: 10, top: 20, bottom: 32 };

/** The plot area of a canvas of size w × h showing [xMin, xMax] × [yMin, yMax]. */
export function plotFrame(w: number, h: number, xMin: number, xMax: number, yMin: number, yMax: number): PlotFrame {
  return { left: MARGIN.left, top: MARGIN.top, width: w - MARGIN.left - MARGIN.right, height: h - MARGIN.top - MARGIN.bottom, xMin, xMax, yMin, yMax };
}

export function xPx(f: PlotFrame, x: number): number {
  return f.left + ((x - f.xMin) / (f.xMax - f.xMin)) * f.width;
}

export function yPx(f: PlotFrame, y: number): number {
  return f.top + (1 - (y - f.yMin) / (f.yMax - f.yMin)) * f.height;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v)) : v.toPrecision(2).replace(/\.?0+$/, '');
}

/** Frame, ticks, tick labels, axis labels and title. */
export function drawAxes(ctx: CanvasRenderingContext2D, f: PlotFrame, xLabel: string, yLabel: string, title: string, yTicks = true): void {
  ctx.save();
  ctx.strokeStyle = THEME.axis;
  ctx.fillStyle = THEME.text;
  ctx.lineWidth = 1;
  ctx.font = '10px system-ui, sans-serif';
  ctx.strokeRect(f.left + 0.5, f.top + 0.5, f.width, f.height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of niceTicks(f.xMin, f.xMax)) {
    const x = Math.round(xPx(f, v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, f.top + f.height);
    ctx.lineTo(x, f.top + f.height + 4);
    ctx.stroke();
    ctx.fillText(fmt(v), x, f.top + f.height + 5);
  }
  ctx.fillText(xLabel, f.left + f.width / 2, f.top + f.height + 18);
  if (yTicks) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of niceTicks(f.yMin, f.yMax)) {
      const y = Math.round(yPx(f, v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(f.left - 4, y);
      ctx.lineTo(f.left, y);
      ctx.stroke();
      ctx.fillText(fmt(v), f.left - 6, y);
    }
  }
  ctx.save();
  ctx.translate(11, f.top + f.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(title, f.left, 4);
  ctx.restore();
}
