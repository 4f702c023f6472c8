/**
 * The report's figures as Vega-Lite specs, built from a run directory, its analysis and (optionally)
 * the training log. Every figure has labelled axes with units (or, for the polar histogram, labelled
 * directions and a title that names the radius) and a caption that says what was computed.
 */
import { minimumJerkSpeed } from '../../model/analysis/kinematics.ts';
import { getRunArray, type RunData } from '../run-dir.ts';
import type { AnalysisBeforeFixedPoints, RunAnalysis, RunPartOfAnalysis } from '../run-analysis.ts';
import type { TrainingLog } from './training-log.ts';
import { renderSvg, type VegaLiteSpec } from './render.ts';
import { mark } from '../parallel/timeline.ts';

/** One figure: a stable id (file stem), a title, a caption and its spec. */
export interface Figure {
  id: string;
  title: string;
  caption: string;
  spec: VegaLiteSpec;
}

export interface RenderedFigure extends Figure {
  svg: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE = 340;
const deg = (rad: number) => (((rad * 180) / Math.PI) % 360 + 360) % 360;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r6 = (x: number) => Number(x.toPrecision(6));

interface ConditionStyle {
  labels: string[];
  colors: string[];
  /** The colour encoding on field `target`. */
  encoding: Record<string, unknown>;
}

/** One colour per condition, hue = target direction, so neighbouring targets get neighbouring colours. */
function conditionStyle(a: Pick<AnalysisBeforeFixedPoints, 'conditions'>): ConditionStyle {
  const labels = a.conditions.map((c, i) => {
    const base = `${Math.round(deg(c.angle))}°`;
    return a.conditions.findIndex((d) => `${Math.round(deg(d.angle))}°` === base) === i ? base : `${base} (#${c.condition})`;
  });
  const colors = a.conditions.map((c) => `hsl(${Math.round(deg(c.angle))}, 70%, 45%)`);
  return {
    labels,
    colors,
    encoding: {
      field: 'target',
      type: 'nominal',
      title: 'target direction',
      scale: { domain: labels, range: colors },
      ...(labels.length > 16 ? { legend: null } : {}),
    },
  };
}

/** Equal-span domains for x and y so that one metre (or one unit) is as long on both axes. */
function squareDomains(xs: number[], ys: number[], pad = 0.06): { x: [number, number]; y: [number, number] } {
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0, 1e-3 * Math.max(1, Math.abs(x0), Math.abs(y0))) * (1 + 2 * pad);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [r6(cx - span / 2), r6(cx + span / 2)], y: [r6(cy - span / 2), r6(cy + span / 2)] };
}

function handPaths(run: RunData, a: RunPartOfAnalysis, style: ConditionStyle): Figure {
  const pos = getRunArray(run, 'hand_position');
  const T = pos.shape[1];
  const rows: Array<Record<string, number | string>> = [];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const e of a.alignment.eventIndex) {
    const b = run.trials.findIndex((t) => t.trial === e.trial);
    const ci = a.conditions.findIndex((c) => c.trials.includes(b));
    for (let t = 0; t < T; t++) {
      const x = pos.data[(b * T + t) * 2];
      const y = pos.data[(b * T + t) * 2 + 1];
      rows.push({ trial: e.trial, target: style.labels[ci], t, x: r4(x), y: r4(y) });
      xs.push(x);
      ys.push(y);
    }
  }
  const targets = a.conditions.map((c, i) => ({ target: style.labels[i], x: c.target[0], y: c.target[1], kind: 'target' }));
  const starts = [...new Map(a.conditions.map((c) => [`${c.start[0]},${c.start[1]}`, { x: c.start[0], y: c.start[1], kind: 'start' }])).values()];
  for (const p of [...targets, ...starts]) {
    xs.push(p.x);
    ys.push(p.y);
  }
  const d = squareDomains(xs, ys);
  return {
    id: 'hand-paths',
    title: 'Hand paths',
    caption: `Hand position of every analysed trial (${a.alignment.eventIndex.length} trials, whole trial), coloured by target; filled circles are the targets, the black cross the start position. Shoulder at the origin, +y away from the body.`,
    spec: {
      $schema: SCHEMA,
      title: 'Hand paths by target',
      width: SIZE,
      height: SIZE,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'hand x (m)', scale: { domain: d.x, nice: false } },
            y: { field: 'y', type: 'quantitative', title: 'hand y (m)', scale: { domain: d.y, nice: false } },
            color: style.encoding,
            detail: { field: 'trial', type: 'nominal' },
            order: { field: 't', type: 'quantitative' },
          },
        },
        {
          data: { values: targets },
          mark: { type: 'point', filled: true, size: 160, opacity: 0.5 },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: style.encoding },
        },
        {
          data: { values: starts },
          mark: { type: 'point', shape: 'cross', filled: true, size: 120, color: 'black' },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    },
  };
}

function speedProfiles(run: RunData, a: RunPartOfAnalysis, style: ConditionStyle): Figure {
  const vel = getRunArray(run, 'hand_velocity');
  const T = vel.shape[1];
  const times = a.alignment.times;
  const k0 = Math.round(times[0] / a.run.dt);
  const nt = times.length;
  const rows: Array<Record<string, number | string>> = [];
  const peaks: number[] = [];
  let peakTimeSum = 0;
  a.conditions.forEach((c, ci) => {
    const mean = new Float64Array(nt);
    for (const b of c.trials) {
      const e = a.alignment.eventIndex.find((x) => x.trial === run.trials[b].trial)!.index;
      for (let k = 0; k < nt; k++) {
        const t = Math.min(T - 1, Math.max(0, e + k0 + k));
        mean[k] += Math.hypot(vel.data[(b * T + t) * 2], vel.data[(b * T + t) * 2 + 1]) / c.trials.length;
      }
    }
    let pk = 0;
    for (let k = 0; k < nt; k++) {
      rows.push({ target: style.labels[ci], time: times[k], speed: r4(mean[k]) });
      if (mean[k] > mean[pk]) pk = k;
    }
    peaks.push(mean[pk]);
    peakTimeSum += times[pk];
  });
  // Minimum jerk with the mean reach length and mean peak speed (peak = 1.875·D/T), shifted so its own
  // 10 %-of-peak crossing (the onset definition of the measured reaches) lies at 0.
  const D = a.kinematics.meanReachLength;
  const peak = peaks.reduce((s, v) => s + v, 0) / peaks.length;
  const duration = (1.875 * D) / peak;
  const tauA = (1 - Math.sqrt(1 - Math.sqrt(0.1))) / 2;
  const ref: Array<Record<string, number | string>> = [];
  for (let i = 0; i <= 100; i++) {
    const u = i / 100;
    ref.push({ time: r4((u - tauA) * duration), speed: r4(minimumJerkSpeed(u * duration, D, duration)), curve: 'minimum jerk' });
  }
  return {
    id: 'speed-profiles',
    title: 'Speed profiles',
    caption: `Hand speed averaged within each condition, aligned on movement onset (speed first above 10 % of its peak after the go cue). Dashed: the minimum-jerk profile (Flash & Hogan 1985) for the mean reach length (${(D * 100).toFixed(1)} cm) and mean peak speed (${peak.toFixed(2)} m/s), i.e. duration ${(duration * 1000).toFixed(0)} ms, placed so that its 10 % crossing is at 0. Mean peak time ${(1000 * peakTimeSum / a.conditions.length).toFixed(0)} ms after onset.`,
    spec: {
      $schema: SCHEMA,
      title: 'Hand speed around movement onset',
      width: SIZE + 60,
      height: 240,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'time', type: 'quantitative', title: 'time from movement onset (s)' },
            y: { field: 'speed', type: 'quantitative', title: 'hand speed (m/s)' },
            color: style.encoding,
          },
        },
        {
          data: { values: ref },
          mark: { type: 'line', strokeDash: [6, 4], color: 'black', strokeWidth: 2 },
          encoding: { x: { field: 'time', type: 'quantitative' }, y: { field: 'speed', type: 'quantitative' } },
        },
      ],
    },
  };
}

/** Loss components per training iteration, each next stage's start marked. */
export function lossCurve(log: TrainingLog): Figure {
  const rows: Array<Record<string, number | string>> = [];
  for (const it of log.iterations) {
    for (const name of ['total', 'position', 'hold', 'speed', 'effort', 'activity'] as const) {
      const v = it.loss[name];
      if (v > 0 && Number.isFinite(v)) rows.push({ iteration: it.iteration, component: name, loss: r6(v) });
    }
  }
  // A stage's first iteration is drawn where the stage starts: the iterations before it are done.
  const stages = log.iterations.filter((it) => it.stageStart).map((it) => ({ iteration: it.iteration - 1 }));
  const x = { field: 'iteration', type: 'quantitative', title: 'training iteration (mini-batches)' } as const;
  const stageNote = stages.length
    ? ` Dashed vertical lines: the start of a next training stage (\`reach train --resume … --config\`) at iteration ${stages.map((s) => s.iteration).join(', ')}; its config (trial length, noise, learning rate) differs from the one before, so the loss may jump there.`
    : '';
  return {
    id: 'loss-curve',
    title: 'Training loss',
    caption: `Weighted loss components per training iteration (${log.source}; ${log.iterations.length} of ${log.totalIterations} iterations shown${log.iterations.length < log.totalIterations ? ', evenly decimated' : ''}). Position: hand-to-target L1 distance in the reach's frame after go plus the reaction window; hold: the same distance from the start before go; speed: hand speed while it should be still; effort: squared torque; activity: squared hidden activity.${stageNote}`,
    spec: {
      $schema: SCHEMA,
      title: 'Training loss',
      width: SIZE + 60,
      height: 240,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x,
            y: { field: 'loss', type: 'quantitative', title: 'weighted loss (dimensionless)', scale: { type: 'log' } },
            color: { field: 'component', type: 'nominal', title: 'component', sort: ['total', 'position', 'hold', 'speed', 'effort', 'activity'] },
          },
        },
        ...(stages.length ? [{ data: { values: stages }, mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'black' }, encoding: { x } }] : []),
      ],
    },
  };
}

/** Gradient norm before clipping per iteration, clipped iterations marked; null when the log has no norms. */
function gradientNorms(log: TrainingLog): Figure | null {
  const rows = log.iterations
    .filter((it) => typeof it.gradNorm === 'number' && it.gradNorm > 0)
    .map((it) => ({ iteration: it.iteration, norm: r6(it.gradNorm as number), clipped: it.clipped ? 'clipped' : 'not clipped' }));
  if (rows.length === 0) return null;
  const withFlag = log.iterations.filter((it) => it.clipped !== undefined);
  const clipped = withFlag.filter((it) => it.clipped).length;
  return {
    id: 'gradient-norm',
    title: 'Gradient norm',
    caption: `Global norm of ∂loss/∂parameters before clipping, per training iteration (${log.source}; ${rows.length} of ${log.totalIterations} iterations shown). Iterations whose gradient was scaled down to the clipping norm are marked${withFlag.length ? `: ${clipped} of the ${withFlag.length} shown (${((100 * clipped) / withFlag.length).toFixed(0)} %)` : ''}. Spikes are the exploding gradients that clipping guards against.`,
    spec: {
      $schema: SCHEMA,
      title: 'Gradient norm before clipping',
      width: SIZE + 60,
      height: 220,
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 14 },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'training iteration (mini-batches)' },
        y: { field: 'norm', type: 'quantitative', title: '‖∂loss/∂θ‖ (loss units per parameter unit)', scale: { type: 'log' } },
        color: { field: 'clipped', type: 'nominal', title: 'step', scale: { domain: ['not clipped', 'clipped'], range: ['#4c78a8', '#e45756'] } },
      },
    } as VegaLiteSpec,
  };
}

function flowRows(norms: Array<number | null>, extra: Record<string, number | string>, normalise: boolean): Array<Record<string, number | string>> {
  const finite = norms.filter((v): v is number => v !== null && v > 0);
  const scale = normalise && finite.length ? Math.max(...finite) : 1;
  return norms.flatMap((v, t) => (v !== null && v > 0 ? [{ ...extra, step: t, norm: r6(v / scale) }] : []));
}

/** ‖∂loss/∂h_t‖ against the step t for each recorded snapshot; null when the log has none. */
function gradientFlow(log: TrainingLog): Figure | null {
  if (log.gradientFlow.length === 0) return null;
  const rows = log.gradientFlow.flatMap((f) => flowRows(f.norms, { iteration: f.iteration }, false));
  return {
    id: 'gradient-flow',
    title: 'Gradient flow back through time',
    caption: `‖∂loss/∂h_t‖ summed over one mini-batch, for each control step t of the trial, at ${log.gradientFlow.length} training iterations (${log.source}). Read from right to left: the error signal entering at late steps and carried back through the recurrence; a fall towards early steps is the vanishing gradient, a rise the exploding one.`,
    spec: {
      $schema: SCHEMA,
      title: 'Gradient flow: ‖∂loss/∂h_t‖',
      width: SIZE + 60,
      height: 240,
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'control step t of the trial' },
        y: { field: 'norm', type: 'quantitative', title: '‖∂loss/∂h_t‖ (loss units per activity unit)', scale: { type: 'log' } },
        color: { field: 'iteration', type: 'ordinal', title: 'iteration', scale: { scheme: 'viridis' } },
      },
    } as VegaLiteSpec,
  };
}

/** The gradient-norm and gradient-flow figures a training log has data for. */
export function gradientFigures(log: TrainingLog): Figure[] {
  return [gradientNorms(log), gradientFlow(log)].filter((f): f is Figure => f !== null);
}

/**
 * Gradient flow of several trainings side by side (e.g. RNN, GRU and LSTM on one task): each log's last
 * snapshot, divided by its largest value so that the shapes of the decay compare. Logs that give a
 * seed are drawn one line per seed in their label's colour (labels coloured in the order given).
 */
export function gradientFlowComparison(logs: Array<{ label: string; log: TrainingLog; seed?: number }>): Figure {
  const used = logs.filter((l) => l.log.gradientFlow.length > 0);
  if (used.length === 0) throw new Error('gradient-flow comparison: none of the logs has a gradient-flow snapshot (train with gradientFlowEvery > 0)');
  const rows = used.flatMap(({ label, log, seed }) => {
    const last = log.gradientFlow[log.gradientFlow.length - 1];
    return flowRows(last.norms, { network: `${label} (iteration ${last.iteration})`, ...(seed === undefined ? {} : { seed }) }, true);
  });
  const perSeed = used.some((u) => u.seed !== undefined);
  return {
    id: 'gradient-flow-comparison',
    title: 'Gradient flow compared',
    caption: `‖∂loss/∂h_t‖ at each control step t, last recorded snapshot of each training, divided by its maximum: ${used.map((u) => `${u.label} (${u.log.source})`).join(', ')}. A flatter curve carries the error signal further back in time.${perSeed ? ' One line per seed.' : ''}`,
    spec: {
      $schema: SCHEMA,
      title: 'Gradient flow compared',
      width: SIZE + 60,
      height: 240,
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'control step t of the trial' },
        y: { field: 'norm', type: 'quantitative', title: '‖∂loss/∂h_t‖ / its maximum (dimensionless)', scale: { type: 'log' } },
        color: { field: 'network', type: 'nominal', title: 'network', scale: { domain: [...new Set(rows.map((r) => r.network))] }, legend: { labelLimit: 320 } },
        ...(perSeed ? { detail: { field: 'seed', type: 'nominal' } } : {}),
      },
    },
  };
}

function trajectoryRows(cube: number[][][], times: number[], labels: string[], i: number, j: number): Array<Record<string, number | string>> {
  const rows: Array<Record<string, number | string>> = [];
  cube.forEach((cond, c) => cond.forEach((v, t) => rows.push({ target: labels[c], t: times[t], a: r4(v[i]), b: r4(v[j]) })));
  return rows;
}

function pcTrajectories(a: AnalysisBeforeFixedPoints, style: ConditionStyle): Figure {
  const f = a.pca.explainedFraction;
  const rows = trajectoryRows(a.pca.projection, a.alignment.times, style.labels, 0, 1);
  const onset = rows.filter((r) => Math.abs(Number(r.t)) < 1e-9);
  const first = rows.filter((r) => r.t === a.alignment.times[0]);
  const d = squareDomains(rows.map((r) => Number(r.a)), rows.map((r) => Number(r.b)));
  return {
    id: 'pc-trajectories',
    title: 'PC1–PC2 trajectories',
    caption: `Condition-averaged hidden activity from ${a.alignment.window[0]} to ${a.alignment.window[1]} s around movement onset, projected on its first two principal components (${(100 * f[0]).toFixed(1)} % and ${(100 * f[1]).toFixed(1)} % of the variance). Open circles: start of the window; filled circles: movement onset.`,
    spec: {
      $schema: SCHEMA,
      title: 'Hidden-state trajectories, PC1–PC2',
      width: SIZE,
      height: SIZE,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x: { field: 'a', type: 'quantitative', title: `PC1 (a.u., ${(100 * f[0]).toFixed(1)} % var.)`, scale: { domain: d.x, nice: false } },
            y: { field: 'b', type: 'quantitative', title: `PC2 (a.u., ${(100 * f[1]).toFixed(1)} % var.)`, scale: { domain: d.y, nice: false } },
            color: style.encoding,
            order: { field: 't', type: 'quantitative' },
          },
        },
        { data: { values: first }, mark: { type: 'point', size: 40 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' }, color: style.encoding } },
        { data: { values: onset }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' }, color: style.encoding } },
      ],
    },
  };
}

function jpcPlane(a: AnalysisBeforeFixedPoints, style: ConditionStyle): Figure {
  const j = a.jpca;
  const dt = a.run.dt;
  const w = j.projection[0].length;
  const times = Array.from({ length: w }, (_, i) => r4(j.window[0] + i * dt));
  const rows = trajectoryRows(j.projection, times, style.labels, 0, 1);
  const d = squareDomains(rows.map((r) => Number(r.a)), rows.map((r) => Number(r.b)));
  // Arrowheads: a triangle at the last sample, pointing along the last step (angle clockwise from up; the
  // axes have equal scales, so data directions are screen directions).
  const arrows = j.projection.map((cond, c) => {
    const p = cond[w - 1];
    const q = cond[w - 2];
    return { target: style.labels[c], a: r4(p[0]), b: r4(p[1]), angle: r4(((Math.atan2(p[0] - q[0], p[1] - q[1]) * 180) / Math.PI + 360) % 360) };
  });
  const starts = j.projection.map((cond, c) => ({ target: style.labels[c], a: r4(cond[0][0]), b: r4(cond[0][1]) }));
  const plane = j.planes[0];
  const ccw = plane.circStats.circMn > 0;
  return {
    id: 'jpc-plane',
    title: 'Top jPC plane',
    caption: `jPCA (Churchland et al. 2012; ${j.numPCs} PCs, cross-condition mean subtracted) of the hidden units from ${j.window[0]} to ${j.window[1]} s around movement onset, projected on the fastest-rotating plane (${plane.frequencyHz.toFixed(2)} Hz, ${(100 * plane.varianceFraction).toFixed(1)} % of the variance). Circles mark the start of the window, arrowheads its end; the rotation runs ${ccw ? 'counter-clockwise' : 'clockwise'} (mean angle between state and its derivative ${((plane.circStats.circMn * 180) / Math.PI).toFixed(0)}°). R² of the rotational fit (M_skew) ${j.R2_Mskew_kD.toFixed(3)} vs unconstrained (M_best) ${j.R2_Mbest_kD.toFixed(3)}.`,
    spec: {
      $schema: SCHEMA,
      title: `Top jPC plane (R²skew ${j.R2_Mskew_kD.toFixed(2)}, R²best ${j.R2_Mbest_kD.toFixed(2)})`,
      width: SIZE,
      height: SIZE,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x: { field: 'a', type: 'quantitative', title: 'jPC1 (a.u.)', scale: { domain: d.x, nice: false } },
            y: { field: 'b', type: 'quantitative', title: 'jPC2 (a.u.)', scale: { domain: d.y, nice: false } },
            color: style.encoding,
            order: { field: 't', type: 'quantitative' },
          },
        },
        { data: { values: starts }, mark: { type: 'point', size: 30 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' }, color: style.encoding } },
        {
          data: { values: arrows },
          mark: { type: 'point', shape: 'triangle-up', filled: true, size: 110, opacity: 1 },
          encoding: {
            x: { field: 'a', type: 'quantitative' },
            y: { field: 'b', type: 'quantitative' },
            color: style.encoding,
            angle: { field: 'angle', type: 'quantitative', scale: { domain: [0, 360], range: [0, 360] } },
          },
        },
      ],
    },
  };
}

function tuningCurves(a: AnalysisBeforeFixedPoints): Figure {
  const t = a.tuning;
  const points: Array<Record<string, number | string>> = [];
  const fits: Array<Record<string, number | string>> = [];
  for (const u of t.exampleUnits) {
    const label = `unit ${u} (PD ${Math.round(deg(t.preferredDirection[u]))}°)`;
    a.conditions.forEach((c, ci) => points.push({ unit: label, direction: r4(deg(c.angle)), rate: r4(t.responses[ci][u]) }));
    const b1 = t.modulationDepth[u] * Math.cos(t.preferredDirection[u]);
    const b2 = t.modulationDepth[u] * Math.sin(t.preferredDirection[u]);
    for (let dgr = 0; dgr <= 360; dgr += 5) {
      const th = (dgr * Math.PI) / 180;
      fits.push({ unit: label, direction: dgr, rate: r4(t.b0[u] + b1 * Math.cos(th) + b2 * Math.sin(th)) });
    }
  }
  return {
    id: 'tuning-curves',
    title: 'Tuning curves',
    caption: `Mean activity ${t.window[0]}–${t.window[1]} s after movement onset against target direction for the ${t.exampleUnits.length} units with the strongest cosine tuning (R² × depth); lines are the cosine fits r = b0 + b1 cos θ + b2 sin θ (Georgopoulos et al. 1982). ${(100 * t.fractionTuned).toFixed(1)} % of units are tuned (F-test, p < ${t.alpha}).`,
    spec: {
      $schema: SCHEMA,
      title: 'Directional tuning of example units',
      width: SIZE + 40,
      height: 260,
      layer: [
        {
          data: { values: fits },
          mark: { type: 'line', strokeWidth: 1.4 },
          encoding: {
            x: { field: 'direction', type: 'quantitative', title: 'target direction (deg, from +x)', scale: { domain: [0, 360] }, axis: { values: [0, 90, 180, 270, 360] } },
            y: { field: 'rate', type: 'quantitative', title: 'mean activity (a.u.)' },
            color: { field: 'unit', type: 'nominal', title: 'unit' },
          },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 40 },
          encoding: { x: { field: 'direction', type: 'quantitative' }, y: { field: 'rate', type: 'quantitative' }, color: { field: 'unit', type: 'nominal' } },
        },
      ],
    },
  };
}

function pdRose(a: AnalysisBeforeFixedPoints): Figure {
  const t = a.tuning;
  const bins = 16;
  const width = 360 / bins;
  const counts = new Array<number>(bins).fill(0);
  let tuned = 0;
  t.preferredDirection.forEach((pd, u) => {
    if (t.p[u] < t.alpha) {
      counts[Math.floor(deg(pd) / width) % bins]++;
      tuned++;
    }
  });
  // Vega's polar angle runs clockwise from 12 o'clock; a direction φ (counter-clockwise from +x) sits at π/2 − φ.
  const toVega = (phiDeg: number) => r6(((90 - phiDeg) * Math.PI) / 180);
  const wedges = counts.map((count, i) => ({ from: `${i * width}°`, count, theta: toVega((i + 1) * width), theta2: toVega(i * width) }));
  const maxCount = Math.max(1, ...counts);
  const labels = [0, 90, 180, 270].map((dg) => ({ label: `${dg}°`, theta: toVega(dg) }));
  const rings = [0.5, 1].map((f) => ({ radius: f * maxCount, label: `${r4(f * maxCount)}` }));
  const R = 130;
  const axial = t.pdAxial;
  return {
    id: 'pd-rose',
    title: 'Preferred directions',
    caption: `Rose histogram (${width}° bins) of the preferred directions of the ${tuned} tuned units; wedge length is the number of units (rings at ${rings.map((r) => r.label).join(' and ')} units). Directions counter-clockwise from +x (0° = rightward, 90° = away from the body). ${axial ? `Axial Rayleigh test on doubled angles (bimodality, Lillicrap & Scott 2013): r̄ = ${axial.meanResultantLength.toFixed(3)}, p = ${axial.p.toExponential(2)}, axis ${Math.round((axial.meanAxis * 180) / Math.PI)}°/${Math.round((axial.meanAxis * 180) / Math.PI) + 180}°.` : 'Fewer than 2 tuned units: no Rayleigh test.'}`,
    spec: {
      $schema: SCHEMA,
      title: `Preferred directions (n = ${tuned} tuned units; radius = units per ${width}° bin)`,
      width: 2 * R + 40,
      height: 2 * R + 40,
      layer: [
        {
          data: { values: rings },
          mark: { type: 'arc', fill: null, stroke: '#bbb', strokeDash: [3, 3] },
          encoding: { theta: { value: 0 }, theta2: { value: 2 * Math.PI }, radius: { field: 'radius', type: 'quantitative', scale: { domain: [0, maxCount], range: [0, R] } } },
        },
        {
          data: { values: wedges },
          mark: { type: 'arc', stroke: 'white', strokeWidth: 0.5, color: '#4c78a8' },
          encoding: {
            theta: { field: 'theta', type: 'quantitative', scale: null },
            theta2: { field: 'theta2' },
            radius: { field: 'count', type: 'quantitative', scale: { domain: [0, maxCount], range: [0, R] } },
            tooltip: [{ field: 'from', title: 'bin from' }, { field: 'count', title: 'units' }],
          },
        },
        {
          data: { values: labels },
          mark: { type: 'text', radius: R + 14, fontSize: 12 },
          encoding: { theta: { field: 'theta', type: 'quantitative', scale: null }, text: { field: 'label' } },
        },
      ],
    },
  };
}

function tanglingScatter(a: AnalysisBeforeFixedPoints): Figure {
  const h = a.tangling.hidden;
  const q = a.tangling.torque;
  const rows = h.Q.map((v, i) => ({ hidden: r6(v), torque: r6(q.Q[i]), time: r4(h.time[i]) })).filter((r) => r.hidden > 0 && r.torque > 0);
  const all = rows.flatMap((r) => [r.hidden, r.torque]);
  const lo = Math.min(...all) / 1.5;
  const hi = Math.max(...all) * 1.5;
  return {
    id: 'tangling',
    title: 'Tangling: hidden units vs torques',
    caption: `Trajectory tangling Q(t) = max over t′ of ‖ẋ(t) − ẋ(t′)‖² / (‖x(t) − x(t′)‖² + ε) (Russo et al. 2018) of the condition-averaged hidden units (top ${h.numPCs} PCs) and of the joint torques (${q.numPCs} dimensions) at the same times, ${a.tangling.window[0]}…${a.tangling.window[1]} s around movement onset, every ${h.timeStep} samples, ε = 0.1 × total variance. Points above the diagonal are more tangled in the torques: ${(100 * a.tangling.fractionTorqueMoreTangled).toFixed(1)} % of them; median Q ${h.summary.median.toFixed(1)} (hidden) vs ${q.summary.median.toFixed(1)} s⁻² (torques).`,
    spec: {
      $schema: SCHEMA,
      title: 'Tangling: hidden units vs joint torques',
      width: SIZE,
      height: SIZE,
      layer: [
        {
          data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
          mark: { type: 'line', color: '#888', strokeDash: [4, 4] },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { type: 'log', domain: [lo, hi], nice: false }, title: 'Q, hidden units (1/s²)' },
            y: { field: 'y', type: 'quantitative', scale: { type: 'log', domain: [lo, hi], nice: false }, title: 'Q, joint torques (1/s²)' },
          },
        },
        {
          data: { values: rows },
          mark: { type: 'point', filled: true, size: 22, opacity: 0.7 },
          encoding: {
            x: { field: 'hidden', type: 'quantitative' },
            y: { field: 'torque', type: 'quantitative' },
            color: { field: 'time', type: 'quantitative', title: 'time from onset (s)', scale: { scheme: 'viridis' } },
          },
        },
      ],
    },
  };
}

function fixedPointFigure(a: RunAnalysis, style: ConditionStyle): Figure | null {
  const fp = a.fixedPoints;
  if (!('conditions' in fp)) return null;
  const f = a.pca.explainedFraction;
  const rows = trajectoryRows(a.pca.projection, a.alignment.times, style.labels, 0, 1);
  const points = fp.conditions.flatMap((c) => {
    const ci = a.conditions.findIndex((x) => x.condition === c.condition);
    return c.points.map((p) => ({
      target: style.labels[ci],
      a: r4(p.pc[0]),
      b: r4(p.pc[1]),
      kind: !p.isFixedPoint ? 'slow point' : p.stable ? 'stable fixed point' : 'unstable fixed point',
      q: p.q,
      maxAbs: r4(p.maxAbsEigenvalue),
    }));
  });
  const prep = fp.conditions.map((c) => ({
    target: style.labels[a.conditions.findIndex((x) => x.condition === c.condition)],
    a: r4(c.prepStatePc[0]),
    b: r4(c.prepStatePc[1]),
  }));
  // Zoomed on the fixed points and preparatory states (the whole trajectories are in the PC1–PC2 figure).
  const marks = [...points, ...prep];
  const d = squareDomains(marks.map((p) => p.a), marks.map((p) => p.b), 0.4);
  const s = fp.summary;
  return {
    id: 'fixed-points',
    title: 'Fixed points',
    caption: `Fixed points of the controller (Sussillo & Barak 2013: minima of q = ½‖F(h) − h‖² with q < 1e-10) under each target's hold input (the mean input over the preparatory epoch), projected on the same PC1–PC2 plane as the trajectories (thin lines; the view is zoomed on the fixed points); open squares mark the recorded preparatory state of each target (mean over the last 50 ms before go). ${s.fixedPoints} fixed points (${s.stableFixedPoints} stable: every Jacobian eigenvalue |λ| < 1), ${s.slowPoints} slow points. The recorded preparatory state lies ${s.meanPrepDistanceToStable.toFixed(3)} from the nearest stable fixed point on average, while preparatory states of different targets are ${s.meanPrepSpread.toFixed(3)} apart.`,
    spec: {
      $schema: SCHEMA,
      title: 'Fixed points under the hold input, PC1–PC2',
      width: SIZE,
      height: SIZE,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.6, clip: true },
          encoding: {
            x: { field: 'a', type: 'quantitative', title: `PC1 (a.u., ${(100 * f[0]).toFixed(1)} % var.)`, scale: { domain: d.x, nice: false } },
            y: { field: 'b', type: 'quantitative', title: `PC2 (a.u., ${(100 * f[1]).toFixed(1)} % var.)`, scale: { domain: d.y, nice: false } },
            color: style.encoding,
            order: { field: 't', type: 'quantitative' },
          },
        },
        {
          data: { values: prep },
          mark: { type: 'point', shape: 'square', size: 260, strokeWidth: 2, filled: false },
          encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' }, color: style.encoding },
        },
        {
          data: { values: points },
          mark: { type: 'point', size: 90, strokeWidth: 1, filled: true, stroke: 'black' },
          encoding: {
            x: { field: 'a', type: 'quantitative' },
            y: { field: 'b', type: 'quantitative' },
            color: style.encoding,
            shape: {
              field: 'kind',
              type: 'nominal',
              title: 'point',
              scale: { domain: ['stable fixed point', 'unstable fixed point', 'slow point'], range: ['circle', 'cross', 'diamond'] },
              legend: { labelLimit: 220 },
            },
            tooltip: [{ field: 'kind' }, { field: 'q' }, { field: 'maxAbs', title: 'max |λ|' }],
          },
        },
      ],
    } as VegaLiteSpec,
  };
}

function subspaceFigure(a: AnalysisBeforeFixedPoints): Figure {
  const s = a.subspaces;
  const bars = [
    { epoch: 'preparatory', space: 'output-potent', variance: r6(s.prep.potentVariance) },
    { epoch: 'preparatory', space: 'output-null', variance: r6(s.prep.nullVariance) },
    { epoch: 'movement', space: 'output-potent', variance: r6(s.move.potentVariance) },
    { epoch: 'movement', space: 'output-null', variance: r6(s.move.nullVariance) },
  ];
  return {
    id: 'output-null',
    title: 'Output-potent and output-null variance',
    caption: `Variance of the condition-averaged hidden activity in the output-potent space (row space of the readout W_out, ${s.readoutRank} dimensions) and the output-null space (the other ${a.run.units - s.readoutRank}) (Kaufman et al. 2014), for the preparatory epoch (${s.prep.window[0]}…${s.prep.window[1]} s from the go cue) and the movement epoch (${s.move.window[0]}…${s.move.window[1]} s from movement onset). Preparatory activity has ${(100 * s.prep.nullFraction).toFixed(1)} % of its variance in the null space (movement ${(100 * s.move.nullFraction).toFixed(1)} %); prep/movement variance ratio ${s.prepToMovePotentRatio.toFixed(3)} in the potent space vs ${s.prepToMoveNullRatio.toFixed(3)} in the null space.`,
    spec: {
      $schema: SCHEMA,
      title: 'Variance in the output-potent and output-null spaces',
      width: 260,
      height: 240,
      data: { values: bars },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'space', type: 'nominal', title: 'subspace of the readout', sort: ['output-potent', 'output-null'], axis: { labelAngle: 0 } },
        xOffset: { field: 'epoch', type: 'nominal', sort: ['preparatory', 'movement'] },
        y: { field: 'variance', type: 'quantitative', title: 'variance (a.u.²)', scale: { type: 'log' }, stack: null },
        color: { field: 'epoch', type: 'nominal', title: 'epoch', sort: ['preparatory', 'movement'] },
      },
    },
  };
}

function alignmentFigure(a: AnalysisBeforeFixedPoints): Figure {
  const al = a.subspaces.alignment;
  return {
    id: 'alignment-index',
    title: 'Alignment of preparatory and movement subspaces',
    caption: `Alignment index (Elsayed et al. 2016) between the top ${al.k} preparatory PCs and the movement-epoch activity: the fraction of the movement variance those ${al.k} dimensions capture, relative to the movement's own top ${al.k} PCs (1 = same subspace, 0 = orthogonal). Red: the network (${al.index.toFixed(3)}); bars: ${al.random.samples} random ${al.k}-dimensional subspaces drawn within the space the data occupy (mean ${al.random.mean.toFixed(3)}, ${(100 * al.fractionRandomBelow).toFixed(1)} % of them at or below the network's value).`,
    spec: {
      $schema: SCHEMA,
      title: `Alignment index, prep vs movement (k = ${al.k})`,
      width: SIZE,
      height: 220,
      layer: [
        {
          data: { values: al.randomIndices.map((v) => ({ index: r6(v) })) },
          mark: { type: 'bar', color: '#9ab' },
          encoding: {
            x: { field: 'index', type: 'quantitative', bin: { extent: [0, 1], step: 0.02 }, title: 'alignment index (dimensionless)' },
            y: { aggregate: 'count', type: 'quantitative', title: 'random subspaces (count)' },
          },
        },
        {
          data: { values: [{ index: al.index }] },
          mark: { type: 'rule', color: '#d62728', strokeWidth: 3 },
          encoding: { x: { field: 'index', type: 'quantitative' } },
        },
      ],
    },
  };
}

function nullModelFigure(a: AnalysisBeforeFixedPoints): Figure | null {
  const n = a.nullModel;
  if (!n?.jpca) return null;
  const s = n.jpca.R2_Mskew_kD;
  const q = n.jpca.ratio;
  const family =
    n.method === 'tme'
      ? `tensor maximum entropy surrogates (Elsayed & Cunningham 2017: Gaussian data with the mean and the covariances across times, units and conditions of the aligned activity, ${n.fitWindow[0]}…${n.fitWindow[1]} s)`
      : `covariance-matched condition permutations (Michaels et al. 2016: each unit's conditions relabelled independently, then swapped to restore the unit × unit covariance)`;
  const tang = n.tangling ? ` Median tangling ${n.tangling.median.observed.toFixed(1)} s⁻² against ${n.tangling.median.nullMean.toFixed(1)} s⁻² in the surrogates, p = ${n.tangling.median.p.toFixed(3)} (as low or lower).` : '';
  return {
    id: 'jpca-null',
    title: 'Are the rotations real? jPCA against surrogate data',
    caption:
      `R² of the skew-symmetric (rotational) fit in all ${a.jpca.numPCs} jPCA dimensions, ${a.jpca.window[0]}…${a.jpca.window[1]} s, on ${n.surrogates} ${family}, seed ${n.seed}. ` +
      `Red: the network (${s.observed.toFixed(3)}); p = ${s.p.toFixed(3)} = (1 + surrogates at or above it)/(1 + ${n.surrogates}). ` +
      `Rotational goodness-of-fit ratio R²_skew/R²_best ${q.observed.toFixed(3)} against ${q.nullMean.toFixed(3)}, p = ${q.p.toFixed(3)}.${tang}`,
    spec: {
      $schema: SCHEMA,
      title: `jPCA R²_skew (${a.jpca.numPCs} dims) vs ${n.method.toUpperCase()} surrogates, p = ${s.p.toFixed(3)}`,
      width: SIZE,
      height: 220,
      layer: [
        {
          data: { values: s.null.map((v) => ({ r2: r6(v) })) },
          mark: { type: 'bar', color: '#9ab' },
          encoding: {
            x: { field: 'r2', type: 'quantitative', bin: { extent: [0, 1], step: 0.02 }, title: 'R² of M_skew, all jPCA dimensions (dimensionless)' },
            y: { aggregate: 'count', type: 'quantitative', title: 'surrogates (count)' },
          },
        },
        {
          data: { values: [{ r2: s.observed }] },
          mark: { type: 'rule', color: '#d62728', strokeWidth: 3 },
          encoding: { x: { field: 'r2', type: 'quantitative' } },
        },
      ],
    } as VegaLiteSpec,
  };
}

/** The figures that need only the run, its alignment and kinematics (and the training log), in report order: they come first. */
export function runFigures(run: RunData, analysis: RunPartOfAnalysis, log: TrainingLog | null = null): Figure[] {
  const style = conditionStyle(analysis);
  const figs: Array<Figure | null> = [handPaths(run, analysis, style), speedProfiles(run, analysis, style), log ? lossCurve(log) : null, ...(log ? gradientFigures(log) : [])];
  return figs.filter((f): f is Figure => f !== null);
}

/** The figures of the population analysis but for the fixed points, in report order (after runFigures). */
export function populationFigures(analysis: AnalysisBeforeFixedPoints): Figure[] {
  const style = conditionStyle(analysis);
  const figs: Array<Figure | null> = [
    pcTrajectories(analysis, style),
    jpcPlane(analysis, style),
    nullModelFigure(analysis),
    tuningCurves(analysis),
    pdRose(analysis),
    tanglingScatter(analysis),
    subspaceFigure(analysis),
    alignmentFigure(analysis),
  ];
  return figs.filter((f): f is Figure => f !== null);
}

/** The fixed-point figure, when the analysis searched for fixed points (the report's last). */
export function fixedPointFigures(analysis: RunAnalysis): Figure[] {
  const f = fixedPointFigure(analysis, conditionStyle(analysis));
  return f ? [f] : [];
}

/** Build every figure the data allow (the loss curve needs a training log, the fixed points a checkpoint). */
export function buildFigures(run: RunData, analysis: RunAnalysis, log: TrainingLog | null = null): Figure[] {
  return [...runFigures(run, analysis, log), ...populationFigures(analysis), ...fixedPointFigures(analysis)];
}

/** Render figures to SVG, in order: here, or all on a `helper` thread (experiments/parallel/render-thread.ts), so that this one need not load Vega. */
export async function renderFigures(figures: Figure[], helper?: { render(specs: VegaLiteSpec[]): Promise<string[]> }): Promise<RenderedFigure[]> {
  const svgs: string[] = [];
  if (helper) svgs.push(...(await helper.render(figures.map((f) => f.spec))));
  else {
    for (const f of figures) {
      svgs.push(await renderSvg(f.spec));
      mark(`figure ${f.id}`);
    }
  }
  return figures.map((f, i) => ({ ...f, svg: svgs[i] }));
}
