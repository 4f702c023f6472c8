/**
 * Joint torques (torque arms) or muscle activations (muscle arms), and hand speed, over the current
 * trial as uPlot line charts (x: time from the go cue), with earlier trials faded behind and, in replay,
 * a cursor at the replayed time. Each chart can be saved as an SVG figure built from its data.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { hsl, css, THEME } from './colors.ts';
import { lineFigureSvg, type SvgSeries } from './svg-export.ts';
import type { TrialRecord } from './trial-record.ts';

export interface Traces {
  /** The first chart: joint torques, or the muscles' activations. */
  torque: uPlot;
  speed: uPlot;
  torqueEl: HTMLElement;
  /** Muscle names the first chart plots (empty: joint torques). */
  muscles: string[];
  width: number;
  height: number;
  record: TrialRecord | null;
  drawn: number;
  /** record.shifted when last drawn. */
  shifted: number;
  xRange: [number, number];
  /** Replay cursor (time from go, s), null when live. */
  cursor: number | null;
  /** Earlier trials drawn faded behind the current one. */
  overlays: readonly TrialRecord[];
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v (v > 0), so the axis ends on a labelled tick. */
function niceCeil(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * mag >= v) ?? 10) * mag;
}

function axis(label: string): uPlot.Axis {
  return {
    label,
    stroke: THEME.text,
    labelSize: 16,
    size: 36,
    font: '10px system-ui, sans-serif',
    labelFont: '10px system-ui, sans-serif',
    grid: { stroke: THEME.grid, width: 1 },
    ticks: { stroke: THEME.grid, width: 1 },
  };
}

const TORQUE_SERIES: uPlot.Series[] = [
  { label: 'τ1 shoulder', stroke: '#7bdff2', width: 1.5 },
  { label: 'τ2 elbow', stroke: '#f7a072', width: 1.5 },
];
const SPEED_SERIES: uPlot.Series[] = [{ label: 'hand speed', stroke: THEME.text, width: 1.5 }];

/** Colour of muscle i of n in the activation chart (hues apart; the arm itself colours by activation). */
function muscleSeriesColor(i: number, n: number): string {
  return css(hsl((360 * i) / n + 15, 0.7, 0.62));
}

/** One y column per series of the first chart, from a record: the torques, or each muscle's activation. */
function firstChartColumns(r: TrialRecord, n: number, muscles: number): Float64Array[] {
  if (!muscles) return [r.tau1.subarray(0, n), r.tau2.subarray(0, n)];
  return Array.from({ length: muscles }, (_, i) => Float64Array.from({ length: n }, (_, t) => r.activation[t * muscles + i]));
}

/** Faded earlier trials, then the replay cursor, drawn over the chart's plot area. */
function overlayHook(t: Traces, columns: (r: TrialRecord, n: number) => Float64Array[]): (u: uPlot) => void {
  return (u) => {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.globalAlpha = 0.3;
    ctx.lineWidth = 1 * devicePixelRatio;
    for (const r of t.overlays) {
      const n = r.length;
      columns(r, n).forEach((y, k) => {
        ctx.strokeStyle = (u.series[k + 1]?.stroke as string | undefined) ?? THEME.text;
        ctx.beginPath();
        for (let i = 0; i < n; i++) {
          const px = u.valToPos(r.timesFromGo[i], 'x', true);
          const py = u.valToPos(y[i], 'y', true);
          if (i === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        }
        ctx.stroke();
      });
    }
    if (t.cursor !== null) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = THEME.text;
      ctx.lineWidth = 1.5 * devicePixelRatio;
      const x = u.valToPos(t.cursor, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function chart(t: Traces, el: HTMLElement, yLabel: string, series: uPlot.Series[], yRange: uPlot.Scale['range'], columns: (r: TrialRecord, n: number) => Float64Array[]): uPlot {
  const opts: uPlot.Options = {
    width: t.width,
    height: t.height,
    cursor: { show: false },
    legend: { show: true, live: false },
    scales: { x: { time: false, auto: false, range: () => t.xRange }, y: { range: yRange } },
    axes: [axis('time from go (s)'), axis(yLabel)],
    series: [{}, ...series],
    hooks: { draw: [overlayHook(t, columns)] },
  };
  return new uPlot(opts, [new Float64Array(0), ...series.map(() => new Float64Array(0))], el);
}

/** The first chart for joint torques (no muscles) or for the activations of `muscles`. */
function firstChart(t: Traces): uPlot {
  const m = t.muscles.length;
  const columns = (r: TrialRecord, n: number) => firstChartColumns(r, n, m);
  if (!m) {
    return chart(t, t.torqueEl, 'torque (N·m)', TORQUE_SERIES, (_u, min, max) => {
      const v = niceCeil(Math.max(0.5, Math.abs(min), Math.abs(max)) * 1.05);
      return [-v, v];
    }, columns);
  }
  const series = t.muscles.map((name, i) => ({ label: name, stroke: muscleSeriesColor(i, m), width: 1.5 }));
  return chart(t, t.torqueEl, 'activation', series, (_u, _min, max) => [0, niceCeil(Math.max(0.1, max * 1.05))], columns);
}

/** Two charts in `torqueEl` and `speedEl`, each `width` × `height` CSS px; the first plots torques until {@link setTraceMuscles}. */
export function createTraces(torqueEl: HTMLElement, speedEl: HTMLElement, width: number, height: number): Traces {
  const t: Traces = { torque: null as unknown as uPlot, speed: null as unknown as uPlot, torqueEl, muscles: [], width, height, record: null, drawn: -1, shifted: 0, xRange: [0, 1], cursor: null, overlays: [] };
  t.torque = firstChart(t);
  t.speed = chart(t, speedEl, 'hand speed (m/s)', SPEED_SERIES, (_u, _min, max) => [0, niceCeil(Math.max(0.2, max * 1.05))], (r, n) => [r.speed.subarray(0, n)]);
  return t;
}

/** Plot the activations of `muscles` in the first chart (an empty list: joint torques), rebuilding it if that changes. */
export function setTraceMuscles(t: Traces, muscles: readonly string[]): void {
  if (muscles.join('|') === t.muscles.join('|')) return;
  t.muscles = [...muscles];
  t.torque.destroy();
  t.torque = firstChart(t);
  t.record = null;
}

/** Resize both charts to width × height CSS px each. */
export function resizeTraces(t: Traces, width: number, height: number): void {
  t.width = width;
  t.height = height;
  t.torque.setSize({ width, height });
  t.speed.setSize({ width, height });
}

/**
 * Show the samples of `record` recorded so far, the replay cursor (time from go, s; null when live) and
 * the earlier trials `overlays` (redraws only when something changed).
 */
export function updateTraces(t: Traces, record: TrialRecord, cursor: number | null = null, overlays: readonly TrialRecord[] = []): void {
  const decorations = cursor !== t.cursor || overlays.length !== t.overlays.length || overlays.some((r, i) => r !== t.overlays[i]);
  t.cursor = cursor;
  t.overlays = overlays;
  if (t.record === record && t.drawn === record.length && t.shifted === record.shifted) {
    if (decorations) {
      t.torque.redraw(false, false);
      t.speed.redraw(false, false);
    }
    return;
  }
  t.record = record;
  t.drawn = record.length;
  t.shifted = record.shifted;
  t.xRange = [record.timesFromGo[0], record.timesFromGo[0] + record.capacity * record.dt];
  const n = record.length;
  const x = record.timesFromGo.subarray(0, n);
  t.torque.setData([x, ...firstChartColumns(record, n, t.muscles.length)]);
  t.speed.setData([x, record.speed.subarray(0, n)]);
}

/** Chart `which` as an SVG figure built from its data: the plotted series, the faded earlier trials, go and the replay cursor. */
export function tracesSvg(t: Traces, which: 'torque' | 'speed'): string {
  const u = which === 'torque' ? t.torque : t.speed;
  const x = u.data[0] as ArrayLike<number>;
  const series: SvgSeries[] = [];
  const columns = (r: TrialRecord, n: number) => (which === 'torque' ? firstChartColumns(r, n, t.muscles.length) : [r.speed.subarray(0, n)]);
  t.overlays.forEach((r, j) =>
    columns(r, r.length).forEach((y, k) =>
      series.push({ label: `earlier trial ${j + 1}: ${u.series[k + 1].label as string}`, color: u.series[k + 1].stroke as string, x: r.timesFromGo.subarray(0, r.length), y, width: 1, opacity: 0.3, hideInLegend: true }),
    ),
  );
  for (let k = 1; k < u.series.length; k++) series.push({ label: u.series[k].label as string, color: u.series[k].stroke as string, x, y: u.data[k] as ArrayLike<number> });
  const yLabel = which === 'speed' ? 'hand speed (m/s)' : t.muscles.length ? 'activation' : 'torque (N·m)';
  const title = which === 'speed' ? 'hand speed' : t.muscles.length ? 'muscle activations' : 'joint torques';
  return lineFigureSvg({
    width: t.width,
    height: t.height,
    title,
    xLabel: 'time from go (s)',
    yLabel,
    xRange: [u.scales.x.min!, u.scales.x.max!],
    yRange: [u.scales.y.min!, u.scales.y.max!],
    series,
    markers: [{ x: 0, label: 'go', dashed: true }, ...(t.cursor === null ? [] : [{ x: t.cursor, label: 'replay' }])],
  });
}
