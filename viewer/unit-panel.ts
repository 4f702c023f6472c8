/**
 * One hidden unit, chosen by clicking its heat-map row: its activity over this trial (white) over the 8
 * reference reaches (target colours), and its tuning curve — the mean activity in the tuning window per
 * target direction (dots) with the cosine fit (line) and the preferred direction (dashed).
 */
import { conditionColor, css, THEME } from './colors.ts';
import { fitCanvas } from './layout.ts';
import { drawAxes, plotFrame, xPx, yPx } from './plot-frame.ts';
import type { References } from './reference.ts';
import type { TrialRecord } from './trial-record.ts';

export interface UnitPanel {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  /** Unit shown (index into the hidden state), or −1. */
  unit: number;
  /** What was drawn last (unit, record, samples, shift, references), to redraw only on change. */
  drawnKey: string;
  record: TrialRecord | null;
  refs: References | null;
}

export function createUnitPanel(canvas: HTMLCanvasElement, width: number, height: number): UnitPanel {
  return { canvas, ctx: fitCanvas(canvas, width, height), width, height, unit: -1, drawnKey: '', record: null, refs: null };
}

/** Draw unit `p.unit` of `record` against `refs` (redraws only when something changed). */
export function updateUnitPanel(p: UnitPanel, record: TrialRecord, refs: References | null): void {
  if (p.unit < 0) return;
  const key = `${p.unit}|${record.length}|${record.shifted}`;
  if (key === p.drawnKey && p.record === record && p.refs === refs) return;
  p.drawnKey = key;
  p.record = record;
  p.refs = refs;
  const { ctx, width, height } = p;
  const u = p.unit;
  ctx.fillStyle = THEME.panel;
  ctx.fillRect(0, 0, width, height);
  const half = Math.floor(width * 0.58);
  // Activity over time: the trial's window of time from go, and the reference reaches aligned on go.
  const x0 = record.timesFromGo[0];
  const x1 = x0 + record.capacity * record.dt;
  const tf = plotFrame(half, height, x0, x1, -1, 1);
  drawAxes(ctx, tf, 'time from go (s)', 'activity (a.u.)', `unit ${u}: this trial (white) and the 8 references`);
  ctx.save();
  ctx.beginPath();
  ctx.rect(tf.left, tf.top, tf.width, tf.height);
  ctx.clip();
  if (refs) {
    const { conditions: C, steps: T, units: n } = refs;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.8;
    for (let c = 0; c < C; c++) {
      ctx.strokeStyle = css(conditionColor(c, C));
      ctx.beginPath();
      for (let t = 0; t < T; t++) {
        const x = xPx(tf, (t - refs.goStep) * refs.dt);
        const y = yPx(tf, refs.hidden[(c * T + t) * n + u]);
        if (t === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let t = 0; t < record.length; t++) {
    const x = xPx(tf, record.timesFromGo[t]);
    const y = yPx(tf, record.hidden[t * record.units + u]);
    if (t === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  ctx.restore();

  ctx.save();
  ctx.translate(half, 0);
  const af = plotFrame(width - half, height, -180, 180, -1, 1);
  if (!refs) {
    drawAxes(ctx, af, 'target direction (°)', 'mean activity (a.u.)', 'tuning: waiting for the references');
    ctx.restore();
    return;
  }
  const { conditions: C, units: n } = refs;
  const tu = refs.tuning;
  const pdDeg = (refs.preferredDirection[u] * 180) / Math.PI;
  drawAxes(ctx, af, 'target direction (°)', 'mean activity (a.u.)', `tuning: PD ${pdDeg.toFixed(0)}°, R² ${tu.r2[u].toFixed(2)}`);
  ctx.beginPath();
  ctx.rect(af.left, af.top, af.width, af.height);
  ctx.clip();
  ctx.strokeStyle = THEME.text;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let d = -180; d <= 180; d += 5) {
    const a = (d * Math.PI) / 180;
    const y = tu.b0[u] + tu.b1[u] * Math.cos(a) + tu.b2[u] * Math.sin(a);
    if (d === -180) ctx.moveTo(xPx(af, d), yPx(af, y));
    else ctx.lineTo(xPx(af, d), yPx(af, y));
  }
  ctx.stroke();
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(xPx(af, pdDeg), af.top);
  ctx.lineTo(xPx(af, pdDeg), af.top + af.height);
  ctx.stroke();
  ctx.setLineDash([]);
  for (let c = 0; c < C; c++) {
    const a = Math.atan2(Math.sin(refs.angles[c]), Math.cos(refs.angles[c]));
    ctx.fillStyle = css(conditionColor(c, C));
    ctx.beginPath();
    ctx.arc(xPx(af, (a * 180) / Math.PI), yPx(af, tu.means[c * n + u]), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}
