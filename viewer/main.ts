/**
 * The viewer page: loads the bundled controller, runs it live on the matter-js arm and draws the arm,
 * the hidden units, the population state and the traces at the display rate. The reference reaches and
 * planes are computed in a worker; the page runs (and the panels fill in) without waiting for them.
 */
import defaultControllerUrl from '@default-controller?url';
import { conditionColor, css } from './colors.ts';
import { fetchCheckpoint, readCheckpointFile, withoutResume } from './checkpoint-loader.ts';
import { bindControls } from './controls.ts';
import { installDebugHook } from './debug-hook.ts';
import { countFrame, createFrameMeter } from './frame-meter.ts';
import { createHeatmap, updateHeatmap } from './heatmap.ts';
import { createLiveProjection, updateProjection } from './live-projection.ts';
import { ReferenceClient } from './reference-client.ts';
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
  setPaused,
  trialTime,
  triggerPulse,
  type Session,
} from './session.ts';
import { createStatePanel, drawStatePanel, setPanelReferences } from './state-plane.ts';
import { createTraces, updateTraces } from './traces.ts';
import { traceCsv, traceNpy } from './trial-record.ts';

const DEFAULT_NAME = 'default-controller.json';
const SCENE_SIZE = 600;

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const messageEl = byId<HTMLDivElement>('message');
let message: string | null = null;
function showMessage(text: string | null, kind: 'error' | 'info' = 'error'): void {
  message = text;
  messageEl.hidden = text === null;
  messageEl.textContent = text ?? '';
  messageEl.classList.toggle('info', kind === 'info');
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function start(): Promise<void> {
  const canvas = byId<HTMLCanvasElement>('scene');
  const scene = await ArmScene.create(canvas, SCENE_SIZE, SCENE_SIZE);
  let session: Session;
  try {
    session = createSession(await fetchCheckpoint(defaultControllerUrl, DEFAULT_NAME), DEFAULT_NAME);
  } catch (err) {
    showMessage(`The default controller could not be loaded: ${(err as Error).message}`);
    throw err;
  }

  const meter = createFrameMeter();
  const projection = createLiveProjection();
  const heatmap = createHeatmap(byId('heatmap'));
  const pcPanel = createStatePanel(byId('pc-plane'), 'pc');
  const jpcPanel = createStatePanel(byId('jpc-plane'), 'jpc');
  const traces = createTraces(byId('torque-chart'), byId('speed-chart'), 308, 170);
  const client = new ReferenceClient();
  let refs: { session: Session; value: References } | null = null;
  let sort: 'pd' | 'pc1' = 'pd';

  const requestReferences = (s: Session) => {
    refs = null;
    setPanelReferences(pcPanel, null, 'computing the reference reaches…');
    setPanelReferences(jpcPanel, null, 'computing the reference reaches…');
    client.request(withoutResume(s.checkpoint), s.goStep, (value, error) => {
      if (s !== session) return;
      if (!value) {
        showMessage(`Reference reaches for ${s.name} failed: ${error}`);
        setPanelReferences(pcPanel, null, 'no reference');
        setPanelReferences(jpcPanel, null, 'no reference');
        return;
      }
      refs = { session: s, value };
      setPanelReferences(pcPanel, value);
      setPanelReferences(jpcPanel, value);
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
      downloadCsv: () => download(traceName('csv'), traceCsv(session.record), 'text/csv'),
      downloadNpy: () => download(traceName('npy'), traceNpy(session.record) as Uint8Array<ArrayBuffer>, 'application/octet-stream'),
    },
    session.targets.length,
  );
  const traceName = (ext: string) => {
    const base = session.name.replace(/\.json$/i, '');
    const target = session.record.targetIndex < 0 ? 'start' : `target${session.record.targetIndex + 1}`;
    return `${base}-${target}.${ext}`;
  };

  async function loadFile(file: File): Promise<void> {
    let next: Session;
    try {
      next = createSession(await readCheckpointFile(file), file.name);
    } catch (err) {
      showMessage(`${file.name} was not loaded: ${(err as Error).message}. Still running ${session.name}.`);
      return;
    }
    next.timeScale = session.timeScale;
    setCurl(next, session.curlOn, session.curlStrength);
    setNoiseScale(next, session.noiseScale);
    setPaused(next, session.paused);
    disposeSession(session);
    session = next;
    controls.setTargetCount(session.targets.length);
    showMessage(`Loaded ${file.name}: ${session.controller.spec.kind.toUpperCase()} with ${session.controller.spec.hidden} units.`, 'info');
    requestReferences(session);
  }

  bindScenePointer(canvas, () => scene, () => session);
  installDebugHook({
    session: () => session,
    scene: () => scene,
    canvas: () => canvas,
    meter: () => meter,
    references: currentRefs,
    projection: () => projection,
    message: () => message,
  });
  requestReferences(session);

  const hud = { name: byId('controller-name'), phase: byId('phase'), time: byId('trial-time'), fps: byId('fps') };
  const shown = { name: '', phase: '', time: '', fps: '' };
  const setText = (key: keyof typeof shown, value: string) => {
    if (shown[key] !== value) {
      shown[key] = value;
      hud[key].textContent = value;
    }
  };

  let last: number | null = null;
  const frame = (now: number) => {
    const wall = last === null ? 0 : (now - last) / 1000;
    last = now;
    try {
      advance(session, wall);
    } catch (err) {
      setPaused(session, true);
      showMessage(`${(err as Error).message}; paused.`);
    }
    const r = currentRefs();
    scene.draw(session);
    updateProjection(projection, session.record, r, session.controller.h, session.step);
    updateHeatmap(heatmap, session.record, r ? r.order[sort] : null, r ? (sort === 'pd' ? 'sorted by preferred direction' : 'sorted by PC1 loading') : 'unsorted');
    const color = session.targetIndex < 0 ? '#ffffff' : css(conditionColor(session.targetIndex, session.targets.length));
    drawStatePanel(pcPanel, projection.pc, projection.length, r ? projection.currentPc : null, color);
    drawStatePanel(jpcPanel, projection.jpc, r?.jpc ? projection.length : 0, r?.jpc ? projection.currentJpc : null, color);
    updateTraces(traces, session.record);
    countFrame(meter, now);
    setText('name', session.name);
    setText('phase', session.paused ? `${session.phase} (paused)` : session.phase);
    setText('time', trialTime(session).toFixed(2));
    setText('fps', meter.fps.toFixed(0));
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

start().catch((err) => {
  if (message === null) showMessage(`The viewer failed to start: ${(err as Error).message}`);
  console.error(err);
});
