/**
 * A line panel as a standalone SVG figure built from its data (not a bitmap): frame, ticks and labels
 * with units, one `<path>` per series, legend. The plot group carries its data ranges
 * (`data-x-min` … `data-y-max`) and pixel box, so a reader can map path coordinates back to data.
 */
import { THEME } from './colors.ts';
import { niceTicks } from './plot-frame.ts';

/** One polyline: points (x[i], y[i]) in data units; NaN breaks the line. */
export interface SvgSeries {
  label: string;
  /** CSS colour. */
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  width?: number;
  opacity?: number;
  /** Leave out of the legend (overlays, reference curves). */
  hideInLegend?: boolean;
}

/** A line figure: size (px), title, axis labels with units, data ranges, series, and optional vertical markers (data x). */
export interface LineFigure {
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  xRange: readonly [number, number];
  yRange: readonly [number, number];
  series: SvgSeries[];
  /** Vertical lines at these x values (e.g. go, a replay cursor), with a label each. */
  markers?: Array<{ x: number; label: string; dashed?: boolean }>;
}

/** Plot area margins (px). */
const MARGIN = { left: 52, right: 12, top: 24, bottom: 40 } as const;
/** Legend row height (px). */
const LEGEND_ROW = 16;

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.round(v * 100) / 100).toString();
const tick = (v: number) => (Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v)) : v.toPrecision(2).replace(/\.?0+$/, ''));

/** The figure as SVG text (a complete document). */
export function lineFigureSvg(fig: LineFigure): string {
  const legend = fig.series.filter((s) => !s.hideInLegend);
  const legendRows = Math.ceil(legend.length / 3);
  const W = fig.width;
  const H = fig.height + legendRows * LEGEND_ROW;
  const left = MARGIN.left;
  const top = MARGIN.top;
  const pw = W - MARGIN.left - MARGIN.right;
  const ph = fig.height - MARGIN.top - MARGIN.bottom;
  const [x0, x1] = fig.xRange;
  const [y0, y1] = fig.yRange;
  const X = (v: number) => left + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => top + (1 - (v - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="10">`);
  out.push(`<title>${esc(fig.title)}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="${THEME.panel}"/>`);
  out.push(`<text x="${left}" y="15" fill="${THEME.text}" font-size="11">${esc(fig.title)}</text>`);
  out.push(
    `<g class="plot" data-left="${left}" data-top="${top}" data-width="${pw}" data-height="${ph}" data-x-min="${x0}" data-x-max="${x1}" data-y-min="${y0}" data-y-max="${y1}">`,
  );
  for (const v of niceTicks(x0, x1)) {
    const x = num(X(v));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + ph}" stroke="${THEME.grid}"/>`);
    out.push(`<text x="${x}" y="${top + ph + 13}" fill="${THEME.text}" text-anchor="middle">${tick(v)}</text>`);
  }
  for (const v of niceTicks(y0, y1)) {
    const y = num(Y(v));
    out.push(`<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="${THEME.grid}"/>`);
    out.push(`<text x="${left - 5}" y="${y}" fill="${THEME.text}" text-anchor="end" dominant-baseline="middle">${tick(v)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="${THEME.axis}"/>`);
  out.push(`<clipPath id="plot-area"><rect x="${left}" y="${top}" width="${pw}" height="${ph}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot-area)">`);
  for (const m of fig.markers ?? []) {
    if (m.x < x0 || m.x > x1) continue;
    const x = num(X(m.x));
    out.push(`<line class="marker" data-label="${esc(m.label)}" data-x="${m.x}" x1="${x}" y1="${top}" x2="${x}" y2="${top + ph}" stroke="${THEME.axis}"${m.dashed ? ' stroke-dasharray="3 3"' : ''}/>`);
  }
  for (const s of fig.series) {
    const d: string[] = [];
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const xv = s.x[i];
      const yv = s.y[i];
      if (!Number.isFinite(xv) || !Number.isFinite(yv)) {
        pen = false;
        continue;
      }
      d.push(`${pen ? 'L' : 'M'}${num(X(xv))} ${num(Y(yv))}`);
      pen = true;
    }
    if (!d.length) continue;
    const opacity = s.opacity === undefined ? '' : ` stroke-opacity="${s.opacity}"`;
    out.push(`<path class="series" data-label="${esc(s.label)}" d="${d.join('')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${opacity} stroke-linejoin="round"/>`);
  }
  out.push(`</g></g>`);
  out.push(`<text x="${left + pw / 2}" y="${top + ph + 28}" fill="${THEME.text}" text-anchor="middle">${esc(fig.xLabel)}</text>`);
  out.push(`<text transform="translate(12 ${top + ph / 2}) rotate(-90)" fill="${THEME.text}" text-anchor="middle">${esc(fig.yLabel)}</text>`);
  legend.forEach((s, i) => {
    const lx = left + (i % 3) * Math.floor(pw / 3);
    const ly = fig.height + Math.floor(i / 3) * LEGEND_ROW + 4;
    out.push(`<line x1="${lx}" y1="${ly + 5}" x2="${lx + 14}" y2="${ly + 5}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 19}" y="${ly + 5}" fill="${THEME.text}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
