/**
 * The learning curve as one uPlot chart against iteration: the batch loss (log scale, left axis), the
 * batch's mean endpoint error and the worst of the 8 center-out reaches (cm, right axis, log scale), with
 * the 1 cm line the target asks for.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { THEME } from '../colors.ts';
import type { Progress } from './protocol.ts';

export interface LearningCurve {
  plot: uPlot;
  iteration: number[];
  loss: number[];
  /** Batch mean endpoint error (cm). */
  batchError: number[];
  /** Worst center-out error (cm) at snapshots, null between them. */
  worst: Array<number | null>;
  /** Data changed since the last draw. */
  dirty: boolean;
}

const axisStyle = { stroke: THEME.text, font: '10px system-ui, sans-serif', labelFont: '10px system-ui, sans-serif', labelSize: 14, grid: { stroke: THEME.grid, width: 1 }, ticks: { stroke: THEME.grid, width: 1 } };

/** [lo, hi] widened to whole decades; `empty` when they are not a positive range (no data yet). */
function decades(lo: number | null, hi: number | null, empty: [number, number]): uPlot.Range.MinMax {
  if (lo === null || hi === null || !(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return empty;
  return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + 1e-9)];
}

/** A chart of `width` × `height` CSS px in `el`. */
export function createLearningCurve(el: HTMLElement, width: number, height: number): LearningCurve {
  const plot = new uPlot(
    {
      width,
      height,
      cursor: { show: false },
      legend: { show: true, live: false },
      // Log scales get whole decades, and a fixed one before there is data (uPlot's log ticks need a range > 0).
      scales: { x: { time: false }, loss: { distr: 3, range: (_u, min, max) => decades(min, max, [1e-3, 1]) }, cm: { distr: 3, range: (_u, min, max) => decades(Math.min(min, 0.1), Math.max(max, 30), [0.1, 100]) } },
      axes: [
        { ...axisStyle, label: 'iteration', size: 30 },
        { ...axisStyle, scale: 'loss', label: 'loss', size: 44 },
        { ...axisStyle, scale: 'cm', label: 'endpoint error (cm)', side: 1, size: 40, grid: { show: false } },
      ],
      series: [
        {},
        { label: 'loss', scale: 'loss', stroke: '#7bdff2', width: 1 },
        { label: 'batch error', scale: 'cm', stroke: '#f7a072', width: 1 },
        { label: 'worst of 8 reaches', scale: 'cm', stroke: THEME.text, width: 1.5, spanGaps: true, points: { show: true, size: 4 } },
        { label: '1 cm', scale: 'cm', stroke: 'rgba(255,209,102,0.6)', width: 1, dash: [4, 4], points: { show: false } },
      ],
    },
    [[], [], [], [], []],
    el,
  );
  return { plot, iteration: [], loss: [], batchError: [], worst: [], dirty: false };
}

/** Forget the curve (a new training). */
export function clearCurve(c: LearningCurve): void {
  c.iteration.length = c.loss.length = c.batchError.length = c.worst.length = 0;
  c.dirty = true;
}

export function addProgress(c: LearningCurve, p: Progress): void {
  c.iteration.push(p.iteration);
  c.loss.push(p.loss);
  c.batchError.push(p.endpointError * 100);
  c.worst.push(null);
  c.dirty = true;
}

/** The worst center-out error (m) of the network at `iteration` (the last point plotted). */
export function addSnapshot(c: LearningCurve, iteration: number, worst: number): void {
  const i = c.iteration.lastIndexOf(iteration);
  if (i < 0) return;
  c.worst[i] = worst * 100;
  c.dirty = true;
}

/** Redraw if anything changed. */
export function drawCurve(c: LearningCurve): void {
  if (!c.dirty) return;
  c.dirty = false;
  c.plot.setData([c.iteration, c.loss, c.batchError, c.worst, c.iteration.map(() => 1)]);
}
