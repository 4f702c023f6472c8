/**
 * The viewer page: loads the bundled controller, runs it live on the matter-js arm and draws the arm,
 * the hidden units, the population state and the traces at the display rate. The reference reaches and
 * planes are computed in a worker; the page runs (and the panels fill in) without waiting for them.
 */
import { DEFAULT_NAME, loadBundledCheckpoint, MUSCLE_NAME, startupCheckpoint } from './startup-checkpoint.ts';
import { conditionColor, css } from './colors.ts';
import { bindControls } from './controls.ts';
import { download } from './download.ts';
import { installDebugHook } from './debug-hook.ts';
import { countFrame, createFrameMeter } from './frame-meter.ts';
import { createHeatmap, heatmapCell, resizeHeatmap, setHeatmapCursor, updateHeatmap } from './heatmap.ts';
import { pageSizes, type PanelSizes } from './layout.ts';
import { createLiveProjection, updateProjection } from './live-projection.ts';
import { ReferenceClient } from './reference-client.ts';
import { clearHistory, createReplay, followRecord, overlays } from './replay.ts';
import { bindReplayControls } from './replay-controls.ts';
import type { References } from './reference.ts';
import { ArmScene } from './scene.ts';
import { bindScenePointer } from './scene-pointer.ts';
import {
  advance,
  beginTrial,
  createSession,
  disposeSession,
  requestStep,
  setCurl,
  setNoiseScale,
  goTime,
  setPaused,
  trialTime,
  triggerPulse,
  type Session,
} from './session.ts';
import type { StatePanel } from './state-plane.ts';
import type { Traces } from './traces.ts';
import { traceCsv, traceNpy } from './trial-record.ts';
import { trialContext, VIEWER_SEED } from './trial-context.ts';
import type { UnitPanel } from './unit-panel.ts';

const bundledKind = (name: string) => (name === DEFAULT_NAME ? 'torque' : name === MUSCLE_NAME ? 'muscle' : null);
/** Gap between the two panels of a row (CSS px). */
const ROW_GAP = 4;

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** How long an info message stays (ms); errors stay until dismissed. */
const INFO_MESSAGE_MS = 6000;
const messageEl = byId<HTMLDivElement>('message');
const messageText = byId<HTMLSpanElement>('message-text');
let message: string | null = null;
let messageTimer: ReturnType<typeof setTimeout> | undefined;
/** Show `text` over the page (it covers nothing the controls need and moves nothing), or hide it (null). */
function showMessage(text: string | null, kind: 'error' | 'info' = 'error'): void {
  clearTimeout(messageTimer);
  message = text;
  messageEl.hidden = text === null;
  messageText.textContent = text ?? '';
  messageEl.classList.toggle('info', kind === 'info');
  if (text !== null && kind === 'info') messageTimer = setTimeout(() => showMessage(null), INFO_MESSAGE_MS);
}
byId('message-close').addEventListener('click', () => showMessage(null));
window.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && message !== null) showMessage(null);
});

async function start(): Promise<void> {
  // 'reach:…' marks on the performance timeline say where the time to the first frame goes (the viewer test prints them).
  performance.mark('reach:start');
  const canvas = byId<HTMLCanvasElement>('scene');
  let size = pageSizes();
  const half = (z: PanelSizes) => Math.floor((z.panels - ROW_GAP) / 2);
  // The controller loads (startup-checkpoint.ts) while WebGL starts; both stand before the first frame.
  const scene = await ArmScene.create(canvas, size.scene, size.scene);
  performance.mark('reach:scene');
  let session: Session;
  try {
    const ck = await startupCheckpoint;
    performance.mark('reach:checkpoint');
    session = createSession(ck, DEFAULT_NAME, VIEWER_SEED);
    performance.mark('reach:session');
  } catch (err) {
    showMessage(`The default controller could not be loaded: ${(err as Error).message}`);
    throw err;
  }

  const meter = createFrameMeter();
  const projection = createLiveProjection();
  const heatmap = createHeatmap(byId('heatmap'), size.panels, size.heatmap);
  // The state planes, traces and unit panel (panels.ts) load after the first frame; their boxes are laid out empty until then.
  let panels: { code: typeof import('./panels.ts'); pc: StatePanel; jpc: StatePanel; traces: Traces; unit: UnitPanel } | null = null;
  const replay = createReplay();
  const unitCard = byId('unit-card');
  const readout = byId('readout');
  const heatmapCanvas = byId<HTMLCanvasElement>('heatmap');
  const cellAt = (e: MouseEvent) => {
    const box = heatmapCanvas.getBoundingClientRect();
    return heatmapCell(heatmap, e.clientX - box.left, e.clientY - box.top);
  };
  heatmapCanvas.addEventListener('mousemove', (e) => {
    const cell = cellAt(e);
    readout.hidden = cell === null;
    if (!cell) return;
    const pd = currentRefs()?.preferredDirection[cell.unit];
    readout.textContent = `unit ${cell.unit}${pd === undefined ? '' : ` (PD ${((pd * 180) / Math.PI).toFixed(0)}°)`} · ${cell.time.toFixed(2)} s from go · ${cell.value === null ? 'not yet' : cell.value.toFixed(3)}`;
    readout.style.left = `${e.clientX + 12}px`;
    readout.style.top = `${e.clientY + 12}px`;
  });
  heatmapCanvas.addEventListener('mouseleave', () => {
    readout.hidden = true;
  });
  heatmapCanvas.addEventListener('click', (e) => {
    const cell = cellAt(e);
    if (!cell || !panels) return;
    panels.unit.unit = cell.unit;
    panels.unit.drawnKey = '';
    unitCard.hidden = false;
  });
  byId('unit-close').addEventListener('click', () => {
    unitCard.hidden = true;
    if (panels) panels.unit.unit = -1;
  });
  // The panels fit under the header and control bar, whose height changes after the first layout (the
  // delay choices, the train panel and the controller's kind fill them in, and they wrap): lay out again then.
  const relayout = () => {
    const next = pageSizes();
    if (JSON.stringify(next) === JSON.stringify(size)) return;
    size = next;
    scene.resize(size.scene, size.scene);
    resizeHeatmap(heatmap, size.panels, size.heatmap);
    if (!panels) return;
    panels.code.resizeStatePanel(panels.pc, half(size), size.plane);
    panels.code.resizeStatePanel(panels.jpc, half(size), size.plane);
    panels.code.resizeTraces(panels.traces, half(size), size.trace);
  };
  window.addEventListener('resize', relayout);
  const chrome = new ResizeObserver(relayout);
  chrome.observe(document.querySelector('header')!);
  chrome.observe(byId('controls'));
  const client = new ReferenceClient();
  let refs: { session: Session; value: References } | null = null;
  let sort: 'pd' | 'pc1' = 'pd';

  /** What the state planes show: the references, or why there are none; kept so the planes show it when they load. */
  let planeState: { value: References | null; note: string } = { value: null, note: '' };
  const showPlanes = (value: References | null, note = '') => {
    planeState = { value, note };
    if (panels) for (const p of [panels.pc, panels.jpc]) panels.code.setPanelReferences(p, value, note);
  };
  const requestReferences = (s: Session) => {
    refs = null;
    showPlanes(null, 'computing the reference reaches…');
    client.request(s.checkpoint, s.goStep, (value, error) => {
      if (s !== session) return;
      if (!value) {
        showMessage(`Reference reaches for ${s.name} failed: ${error}`);
        showPlanes(null, 'no reference');
        return;
      }
      refs = { session: s, value };
      showPlanes(value);
    });
  };
  const currentRefs = () => (refs && refs.session === session ? refs.value : null);

  const controls = bindControls(
    {
      startTrial: (k) => beginTrial(session, k),
      pulse: () => triggerPulse(session),
      setCurl: (on, strength) => setCurl(session, on, strength),
      togglePause: () => {
        setPaused(session, !session.paused);
        return session.paused;
      },
      step: () => requestStep(session),
      setSpeed: (x) => {
        session.timeScale = x;
      },
      setNoise: (m) => setNoiseScale(session, m),
      setSort: (kind) => {
        sort = kind;
      },
      loadFile: (file) => void loadFile(file),
      loadDefault: () => void loadBundled(DEFAULT_NAME),
      loadMuscle: () => void loadBundled(MUSCLE_NAME),
      setDelay: (seconds) => {
        // The go step is plain session data read at each trial start; the reference reaches are
        // recomputed with the same delay so the live state is compared with like. "No delay" is go at
        // the first control step: a trial (and its reference) needs one step before go.
        session.goStep = Math.max(1, Math.round(seconds / session.dt));
        requestReferences(session);
      },
      downloadCsv: () => download(traceName('csv'), traceCsv(session.record), 'text/csv'),
      downloadNpy: () => {
        download(traceName('npy'), traceNpy(session.record) as Uint8Array<ArrayBuffer>, 'application/octet-stream');
        download(traceName('json'), JSON.stringify(trialContext(session, traceName('npy')), null, 2), 'application/json');
      },
      exportPanel: (id) => exportPanel(id),
      exportSvg: (id) => {
        if (!panels) return;
        const svg = id === 'pc-plane' || id === 'jpc-plane' ? panels.code.statePanelSvg(id === 'pc-plane' ? panels.pc : panels.jpc, id === 'pc-plane' ? projection.pc : projection.jpc, projection.length) : panels.code.tracesSvg(panels.traces, id === 'speed-chart' ? 'speed' : 'torque');
        if (svg) download(`${session.name.replace(/\.json$/i, '')}-${id}.svg`, svg, 'image/svg+xml');
        else showMessage('The reference reaches are still being computed; save the panel when they show.', 'info');
      },
    },
    session.targets.length,
  );
  controls.setController('torque', session.task.delay, session.goStep * session.dt);
  const replayControls = bindReplayControls(
    replay,
    () => session.record,
    () => {
      setPaused(session, true);
      controls.showPaused(true);
    },
    () => {
      setPaused(session, false);
      controls.showPaused(false);
    },
  );
  /** Save panel `id` (a canvas, or a chart holding one) as PNG at the screen's resolution. */
  const exportPanel = (id: string) => {
    const el = byId(id);
    const source = el instanceof HTMLCanvasElement ? el : el.querySelector('canvas');
    if (!source) return;
    source.toBlob((blob) => {
      if (blob) download(`${session.name.replace(/\.json$/i, '')}-${id}.png`, blob, 'image/png');
    }, 'image/png');
  };
  const traceName = (ext: string) => {
    const base = session.name.replace(/\.json$/i, '');
    const target = session.record.targetIndex < 0 ? 'start' : `target${session.record.targetIndex + 1}`;
    return `${base}-${target}.${ext}`;
  };

  async function loadFile(file: File): Promise<void> {
    let next: Session;
    try {
      // The validating loader (zod schemas of the whole training config) is its own chunk, loaded when first needed.
      const { readCheckpointFile } = await import('./checkpoint-loader.ts');
      next = createSession(await readCheckpointFile(file), file.name, VIEWER_SEED);
    } catch (err) {
      showMessage(`${file.name} was not loaded: ${(err as Error).message}. Still running ${session.name}.`);
      return;
    }
    adopt(next);
  }

  async function loadBundled(name: string): Promise<void> {
    try {
      adopt(createSession(await loadBundledCheckpoint(name), name, VIEWER_SEED));
    } catch (err) {
      showMessage(`The bundled controller ${name} could not be loaded: ${(err as Error).message}. Still running ${session.name}.`);
    }
  }

  /**
   * Run `next` in place of the current session, keeping the user's settings; `quiet`: no message (the train
   * panel says which network drives); `references` false: none computed (while training runs they would take a core from it and the display).
   */
  function adopt(next: Session, quiet = false, references = true): void {
    next.timeScale = session.timeScale;
    setCurl(next, session.curlOn, session.curlStrength);
    setNoiseScale(next, session.noiseScale);
    setPaused(next, session.paused);
    disposeSession(session);
    session = next;
    controls.setTargetCount(session.targets.length);
    controls.setController(bundledKind(session.name), session.task.delay, session.goStep * session.dt);
    if (panels) panels.code.setTraceMuscles(panels.traces, session.record.muscles);
    clearHistory(replay);
    if (!quiet) showMessage(`Loaded ${session.name}: ${session.controller.spec.kind.toUpperCase()} with ${session.controller.spec.hidden} units.`, 'info');
    if (references) requestReferences(session);
    else {
      refs = null;
      showPlanes(null, 'reference reaches when training stops');
    }
  }

  /** Load and mount the panels of panels.ts (and the train panel, which shares uPlot with the traces). */
  const loadPanels = async () => {
    const code = await import('./panels.ts');
    const traces = code.createTraces(byId('torque-chart'), byId('speed-chart'), half(size), size.trace);
    code.setTraceMuscles(traces, session.record.muscles);
    panels = {
      code,
      pc: code.createStatePanel(byId('pc-plane'), 'pc', half(size), size.plane),
      jpc: code.createStatePanel(byId('jpc-plane'), 'jpc', half(size), size.plane),
      traces,
      unit: code.createUnitPanel(byId('unit-panel'), 480, 190),
    };
    showPlanes(planeState.value, planeState.note);
    code.mountTrainPanel({
      drive: (ck, name, training) => adopt(createSession(ck, name, VIEWER_SEED), true, !training),
      reach: (k) => beginTrial(session, k),
      trialOver: () => session.phase === 'idle' || session.phase === 'done',
      targetCount: () => session.targets.length,
      message: showMessage,
    });
  };

  bindScenePointer(canvas, () => scene, () => session);
  installDebugHook({
    session: () => session,
    scene: () => scene,
    canvas: () => canvas,
    meter: () => meter,
    references: currentRefs,
    projection: () => projection,
    message: () => message,
    unit: () => panels?.unit.unit ?? -1,
    heatmapOrder: () => heatmap.order,
    heatmapPlot: () => (heatmap.frame && heatmap.record ? { left: heatmap.frame.left, top: heatmap.frame.top, width: heatmap.frame.width, height: heatmap.frame.height, samples: heatmap.record.capacity } : null),
    traces: () => panels?.traces ?? null,
    replay: () => replay,
  });

  const hud = { name: byId('controller-name'), phase: byId('phase'), time: byId('trial-time'), fps: byId('fps') };
  const shown = { name: '', phase: '', time: '', fps: '' };
  const setText = (key: keyof typeof shown, value: string) => {
    if (shown[key] !== value) {
      shown[key] = value;
      hud[key].textContent = value;
    }
  };

  // The page's set-up is done (heat map, controls, hook); the other panels come after the first frame.
  performance.mark('reach:setup');
  let last: number | null = null;
  const frame = (now: number) => {
    try {
      drawFrame(now);
    } catch (err) {
      // Nothing else would say so: the loop stops here, and before the first frame the canvas is still hidden.
      canvas.style.visibility = '';
      showMessage(`The viewer stopped: a frame could not be drawn: ${(err as Error).message}`);
      console.error(err);
      return;
    }
    requestAnimationFrame(frame);
  };
  const drawFrame = (now: number) => {
    const first = last === null;
    if (first) performance.mark('reach:frame');
    const wall = last === null ? 0 : (now - last) / 1000;
    last = now;
    try {
      const running = !session.paused;
      advance(session, wall);
      // The run pauses itself at the debug hook's pauseAt: show it as paused as the pause control would.
      if (running && session.paused) controls.showPaused(true);
    } catch (err) {
      setPaused(session, true);
      showMessage(`${(err as Error).message}; paused.`);
    }
    const r = currentRefs();
    followRecord(replay, session.record);
    replayControls.sync(session.paused);
    // In replay every panel shows the trial up to the replayed sample (k), with a cursor where time runs.
    const k = replay.sample;
    const past = overlays(replay);
    scene.draw(session, k, past);
    if (first) canvas.style.visibility = '';
    updateProjection(projection, session.record, r, session.controller.h, session.step);
    // The heat map draws from the second frame on (its first draw, axes and labels, would hold up the arm's).
    if (!first) {
      updateHeatmap(heatmap, session.record, r ? r.order[sort] : null, r ? (sort === 'pd' ? 'sorted by preferred direction' : 'sorted by PC1 loading') : 'unsorted');
      setHeatmapCursor(heatmap, k >= 0 ? session.record.timesFromGo[k] : null);
    }
    const color = session.targetIndex < 0 ? '#ffffff' : css(conditionColor(session.targetIndex, session.targets.length));
    const shown = k >= 0 ? Math.min(k + 1, projection.length) : projection.length;
    const at = (trail: Float64Array, now: Float64Array) => (k >= 0 && shown > 0 ? trail.subarray((shown - 1) * 2, shown * 2) : now);
    if (panels) {
      const { code } = panels;
      code.drawStatePanel(panels.pc, projection.pc, shown, r ? at(projection.pc, projection.currentPc) : null, color);
      code.drawStatePanel(panels.jpc, projection.jpc, r?.jpc ? shown : 0, r?.jpc ? at(projection.jpc, projection.currentJpc) : null, color);
      code.updateTraces(panels.traces, session.record, k >= 0 ? session.record.timesFromGo[k] : null, past);
      code.updateUnitPanel(panels.unit, session.record, r);
    }
    countFrame(meter, now);
    // The reference worker (a 270 kB chunk to compile, then eight reaches) and the panels' code start once
    // the first frame is drawn: started before, they would compete with the page's start for the machine's cores.
    if (first) {
      requestReferences(session);
      loadPanels().catch((err) => showMessage(`The panels could not be loaded: ${(err as Error).message}`));
    }
    setText('name', session.name);
    setText('phase', session.paused ? `${session.phase} (paused)` : session.phase);
    setText('time', (trialTime(session) - goTime(session)).toFixed(2));
    setText('fps', meter.fps.toFixed(0));
  };
  requestAnimationFrame(frame);
}

start().catch((err) => {
  if (message === null) showMessage(`The viewer failed to start: ${(err as Error).message}`);
  console.error(err);
});
