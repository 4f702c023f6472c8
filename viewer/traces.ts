/** Joint torques and hand speed over the current trial, as uPlot line charts (x: time from the go cue). */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { THEME } from './colors.ts';
import type { TrialRecord } from './trial-record.ts';

export interface Traces {
  torque: uPlot;
  speed: uPlot;
  record: TrialRecord | null;
  drawn: number;
  /** record.shifted when last drawn. */
  shifted: number;
  xRange: [number, number];
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

function chart(el: HTMLElement, width: number, height: number, yLabel: string, series: uPlot.Series[], xRange: () => [number, number], yRange: uPlot.Scale['range']): uPlot {
  const opts: uPlot.Options = {
    width,
    height,
    cursor: { show: false },
    legend: { show: true, live: false },
    scales: { x: { time: false, auto: false, range: xRange }, y: { range: yRange } },
    axes: [axis('time from go (s)'), axis(yLabel)],
    series: [{}, ...series],
  };
  return new uPlot(opts, [new Float64Array(0), ...series.map(() => new Float64Array(0))], el);
}

/** Two charts in `torqueEl` and `speedEl`, each `width` × `height` CSS px. */
export function createTraces(torqueEl: HTMLElement, speedEl: HTMLElement, width: number, height: number): Traces {
  const t: Traces = { torque: null as unknown as uPlot, speed: null as unknown as uPlot, record: null, drawn: -1, shifted: 0, xRange: [0, 1] };
  const xRange = (): [number, number] => t.xRange;
  t.torque = chart(
    torqueEl,
    width,
    height,
    'torque (N·m)',
    [
      { label: 'τ1 shoulder', stroke: '#7bdff2', width: 1.5 },
      { label: 'τ2 elbow', stroke: '#f7a072', width: 1.5 },
    ],
    xRange,
    (_u, min, max) => {
      const m = niceCeil(Math.max(0.5, Math.abs(min), Math.abs(max)) * 1.05);
      return [-m, m];
    },
  );
  t.speed = chart(speedEl, width, height, 'hand speed (m/s)', [{ label: 'hand speed', stroke: THEME.text, width: 1.5 }], xRange, (_u, _min, max) => [0, niceCeil(Math.max(0.2, max * 1.05))]);
  return t;
}

/** Resize both charts to width × height CSS px each. */
export function resizeTraces(t: Traces, width: number, height: number): void {
  t.torque.setSize({ width, height });
  t.speed.setSize({ width, height });
}

/** Show the samples of `record` recorded so far (redraws only when there are new ones). */
export function updateTraces(t: Traces, record: TrialRecord): void {
  if (t.record === record && t.drawn === record.length && t.shifted === record.shifted) return;
  t.record = record;
  t.drawn = record.length;
  t.shifted = record.shifted;
  t.xRange = [record.timesFromGo[0], record.timesFromGo[0] + record.capacity * record.dt];
  const n = record.length;
  const x = record.timesFromGo.subarray(0, n);
  t.torque.setData([x, record.tau1.subarray(0, n), record.tau2.subarray(0, n)]);
  t.speed.setData([x, record.speed.subarray(0, n)]);
}

