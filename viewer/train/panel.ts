/**
 * The train panel: choose a cell, its size and two loss weights, train in a worker (./worker.ts), watch
 * the learning curve, and let the arm be driven by the network as it is now. With "arm follows
 * training" on, each time the arm's trial is over the newest snapshot takes over and reaches to the
 * next target, so a student sees the reaches improve. Stop, resume, and save a checkpoint that
 * `reach run --checkpoint` loads. The worker (and tfjs with it) is loaded when the panel first opens.
 */
import type { Checkpoint } from '../../model/checkpoint.ts';
import { download } from '../download.ts';
import { addProgress, addSnapshot, clearCurve, createLearningCurve, drawCurve, type LearningCurve } from './chart.ts';
import { DEFAULT_CHOICE, MAX_HIDDEN, type TrainChoice } from './config.ts';
import type { TrainReply, TrainRequest } from './protocol.ts';
import './train.css';

/** What the panel needs from the viewer. */
export interface TrainHost {
  /** Drive the arm with `checkpoint`, labelled `name`, keeping the user's settings; no message. `training`: training goes on (skip the reference reaches). */
  drive(checkpoint: Checkpoint, name: string, training: boolean): void;
  /** Start a reach to target k (0-based). */
  reach(k: number): void;
  /** No trial is under way (none started, or its recording is over): swapping the controller interrupts nothing. */
  trialOver(): boolean;
  targetCount(): number;
  message(text: string, kind: 'error' | 'info'): void;
}

/** The reach tolerance the panel reports against (m). */
const TOLERANCE = 0.01;
/** How often "arm follows training" looks for a finished trial (ms). */
const FOLLOW_POLL_MS = 200;
/** Least time between redraws of the learning curve (ms): it changes every iteration, the eye needs less. */
const CHART_MS = 250;

/** `window.__reachTrain`: the panel's state for browser tests and the console. */
export interface TrainDebug {
  backend: string | null;
  running: boolean;
  iteration: number;
  iterations: number;
  /** Batch losses so far, in iteration order. */
  losses: number[];
  /** Worst center-out error of the newest snapshot (m), and its iteration. */
  worst: number | null;
  snapshotIteration: number;
  /** Training time (s) when all 8 reaches first ended within 1 cm; null: not yet. */
  timeToTolerance: number | null;
  iterationAtTolerance: number | null;
  /** Training wall time so far (s). */
  elapsed: number;
  /** Iteration of the snapshot driving the arm (−1: none). */
  driven: number;
  error: string | null;
}

interface Snapshot {
  iteration: number;
  checkpoint: Checkpoint;
  errors: number[];
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Array<Node | string> = []): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function numberField(label: string, id: string, value: number, attrs: { min: number; max?: number; step: string; title: string }): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = element('input', { id, type: 'number', value: String(value), min: String(attrs.min), step: attrs.step, title: attrs.title });
  if (attrs.max !== undefined) input.max = String(attrs.max);
  return { label: element('label', {}, [`${label} `, input]), input };
}

/** Add the "train…" button to the control bar and the panel to the page. */
export function mountTrainPanel(host: TrainHost): void {
  const kind = element('select', { id: 'train-kind', title: 'recurrent cell' }, [
    element('option', { value: 'rnn', textContent: 'leaky RNN' }),
    element('option', { value: 'gru', textContent: 'GRU' }),
    element('option', { value: 'lstm', textContent: 'LSTM' }),
  ]);
  kind.addEventListener('change', () => kind.blur());
  const hidden = numberField('units', 'train-hidden', DEFAULT_CHOICE.hidden, { min: 2, max: MAX_HIDDEN, step: '1', title: 'hidden units' });
  const effort = numberField('effort', 'train-effort', DEFAULT_CHOICE.effort, { min: 0, step: 'any', title: 'effort loss weight (per (N·m)² of torque)' });
  const activity = numberField('activity', 'train-activity', DEFAULT_CHOICE.activity, { min: 0, step: 'any', title: 'hidden-activity loss weight' });
  const iterations = numberField('iterations', 'train-iterations', DEFAULT_CHOICE.iterations, { min: 1, step: '1', title: 'mini-batches of 32 center-out reaches' });
  const startButton = element('button', { id: 'train-start', textContent: 'train', title: 'train a new network from random weights' });
  const stopButton = element('button', { id: 'train-stop', textContent: 'stop', disabled: true });
  const resumeButton = element('button', { id: 'train-resume', textContent: 'resume', disabled: true, title: 'continue training (past the last iteration: as many iterations again)' });
  const saveButton = element('button', { id: 'train-save', textContent: 'save checkpoint', disabled: true, title: 'a checkpoint file that reach run --checkpoint and this viewer load' });
  const follow = element('input', { id: 'train-follow', type: 'checkbox', checked: true });
  const driveButton = element('button', { id: 'train-drive', textContent: 'drive arm now', disabled: true, title: 'the network as it is now takes over the arm and reaches' });
  const status = element('div', { id: 'train-status', textContent: 'choose a network and press train' });
  const chartEl = element('div', { id: 'train-chart' });
  const close = element('button', { id: 'train-close', textContent: '×', title: 'close (training goes on)' });
  close.setAttribute('aria-label', 'close');
  const panel = element('aside', { id: 'train-panel', hidden: true }, [
    close,
    element('h2', { textContent: 'Train a controller in this page' }),
    element('div', { className: 'train-row' }, [element('label', {}, ['cell ', kind]), hidden.label, effort.label, activity.label, iterations.label]),
    element('div', { className: 'train-row' }, [startButton, stopButton, resumeButton, saveButton]),
    element('div', { className: 'train-row' }, [element('label', {}, [follow, ' arm follows training']), driveButton]),
    status,
    chartEl,
  ]);
  panel.setAttribute('aria-label', 'train a controller');
  document.body.append(panel);
  const toggle = element('button', { id: 'train-toggle', textContent: 'train…', title: 'train a controller here, in a web worker' });
  document.getElementById('controls')?.append(element('div', { className: 'group' }, [toggle]));

  const debug: TrainDebug = { backend: null, running: false, iteration: 0, iterations: 0, losses: [], worst: null, snapshotIteration: -1, timeToTolerance: null, iterationAtTolerance: null, elapsed: 0, driven: -1, error: null };
  (window as unknown as { __reachTrain: TrainDebug }).__reachTrain = debug;
  let curve: LearningCurve | null = null;
  let worker: Worker | null = null;
  let latest: Snapshot | null = null;
  let nextTarget = 0;
  /** The driving snapshot was taken over while training ran (so without reference reaches). */
  let drivenInTraining = false;
  let choice: TrainChoice = DEFAULT_CHOICE;

  const send = (req: TrainRequest) => worker?.postMessage(req);
  const label = (it: number) => `trained here: ${choice.kind.toUpperCase()} ${choice.hidden}, iteration ${it}`;
  const driveLatest = () => {
    if (!latest) return;
    host.drive(latest.checkpoint, label(latest.iteration), debug.running);
    debug.driven = latest.iteration;
    drivenInTraining = debug.running;
    host.reach(nextTarget);
    nextTarget = (nextTarget + 1) % host.targetCount();
  };
  const showStatus = () => {
    const parts = [`iteration ${debug.iteration} / ${debug.iterations}`];
    const last = curve && curve.loss.length ? curve.loss.length - 1 : -1;
    if (curve && last >= 0) parts.push(`loss ${curve.loss[last].toPrecision(3)}`, `batch error ${curve.batchError[last].toFixed(2)} cm`);
    if (debug.worst !== null) parts.push(`worst of 8 reaches ${(debug.worst * 100).toFixed(2)} cm`);
    parts.push(`${debug.elapsed.toFixed(1)} s`);
    if (debug.timeToTolerance !== null) parts.push(`all 8 within 1 cm after ${debug.timeToTolerance.toFixed(1)} s (iteration ${debug.iterationAtTolerance})`);
    status.textContent = `${debug.running ? 'training' : 'stopped'} · ${parts.join(' · ')}${debug.backend ? ` · ${debug.backend}` : ''}`;
  };
  const setRunning = (running: boolean) => {
    debug.running = running;
    startButton.disabled = running;
    stopButton.disabled = !running;
    resumeButton.disabled = running || debug.iteration === 0;
    saveButton.disabled = debug.iteration === 0;
    for (const f of [kind, hidden.input, effort.input, activity.input, iterations.input]) f.disabled = running;
  };

  const onReply = (msg: TrainReply) => {
    if (msg.type === 'ready') debug.backend = msg.backend;
    else if (msg.type === 'progress') {
      debug.iteration = msg.progress.iteration;
      debug.elapsed = msg.progress.elapsed;
      debug.losses.push(msg.progress.loss);
      if (curve) addProgress(curve, msg.progress);
    } else if (msg.type === 'snapshot') {
      latest = { iteration: msg.iteration, checkpoint: msg.checkpoint, errors: msg.errors };
      debug.worst = Math.max(...msg.errors);
      debug.snapshotIteration = msg.iteration;
      if (debug.timeToTolerance === null && debug.worst < TOLERANCE) {
        debug.timeToTolerance = msg.elapsed;
        debug.iterationAtTolerance = msg.iteration;
      }
      if (curve) addSnapshot(curve, msg.iteration, debug.worst);
      driveButton.disabled = false;
    } else if (msg.type === 'state') {
      debug.iteration = msg.iteration;
      debug.iterations = msg.iterations;
      setRunning(msg.running);
    } else if (msg.type === 'checkpoint') {
      download(`trained-${choice.kind}${choice.hidden}-it${msg.iteration}.json`, msg.text, 'application/json');
    } else {
      debug.error = msg.message;
      host.message(`Training: ${msg.message}`, 'error');
    }
    showStatus();
  };

  const open = () => {
    panel.hidden = !panel.hidden;
    toggle.classList.toggle('active', !panel.hidden);
    if (panel.hidden || worker) return;
    curve = createLearningCurve(chartEl, 440, 200);
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<TrainReply>) => onReply(e.data);
    worker.onerror = (e) => onReply({ type: 'error', message: e.message || 'the training worker failed' });
    let drawnAt = 0;
    const draw = (now: number) => {
      if (curve && !panel.hidden && now - drawnAt >= CHART_MS) {
        drawnAt = now;
        drawCurve(curve);
      }
      requestAnimationFrame(draw);
    };
    requestAnimationFrame(draw);
    setInterval(() => {
      if (follow.checked && latest && (latest.iteration !== debug.driven || (drivenInTraining && !debug.running)) && host.trialOver()) driveLatest();
    }, FOLLOW_POLL_MS);
  };
  toggle.addEventListener('click', open);
  close.addEventListener('click', open);

  startButton.addEventListener('click', () => {
    const read = (f: { input: HTMLInputElement }, fallback: number) => (Number.isFinite(f.input.valueAsNumber) ? f.input.valueAsNumber : fallback);
    choice = {
      kind: kind.value as TrainChoice['kind'],
      hidden: Math.round(read(hidden, DEFAULT_CHOICE.hidden)),
      effort: read(effort, DEFAULT_CHOICE.effort),
      activity: read(activity, DEFAULT_CHOICE.activity),
      iterations: Math.round(read(iterations, DEFAULT_CHOICE.iterations)),
      seed: DEFAULT_CHOICE.seed,
    };
    if (curve) clearCurve(curve);
    Object.assign(debug, { losses: [], worst: null, snapshotIteration: -1, timeToTolerance: null, iterationAtTolerance: null, elapsed: 0, iteration: 0, error: null });
    latest = null;
    nextTarget = 0;
    send({ type: 'start', choice });
  });
  stopButton.addEventListener('click', () => send({ type: 'stop' }));
  resumeButton.addEventListener('click', () => send({ type: 'resume' }));
  saveButton.addEventListener('click', () => send({ type: 'save' }));
  driveButton.addEventListener('click', driveLatest);
}
