/**
 * `window.__reach`: a small read-only view of the live run for browser tests and the console (hand
 * position, trial phase, target, fps, frame count, controller name, …). Every getter returns a copy.
 * One control: `pauseAt`, which stops the run at an exact simulated time (tests must not depend on the wall clock).
 */
import type { FrameMeter } from './frame-meter.ts';
import type { LiveProjection } from './live-projection.ts';
import type { References } from './reference.ts';
import type { Replay } from './replay.ts';
import type { ArmScene, DrawnArm } from './scene.ts';
import type { Traces } from './traces.ts';
import { goTime, trialTime, type Session, type TrialPhase } from './session.ts';

/** Where the hook reads from (the live objects change when a checkpoint is loaded). */
export interface DebugSource {
  session(): Session;
  scene(): ArmScene;
  canvas(): HTMLCanvasElement;
  meter(): FrameMeter;
  references(): References | null;
  projection(): LiveProjection;
  message(): string | null;
  /** Unit shown in the unit panel (−1: none). */
  unit(): number;
  /** The heat map's row order (null: unsorted). */
  heatmapOrder(): Int32Array | null;
  /** The heat map's plot area last drawn (canvas CSS px) and the samples its width spans; null before the first draw. */
  heatmapPlot(): { left: number; top: number; width: number; height: number; samples: number } | null;
  /** The traces, null until the panels (panels.ts) have loaded after the first frame. */
  traces(): Traces | null;
  replay(): Replay;
}

export interface ReachDebug {
  /** Hand position (m). */
  readonly hand: [number, number];
  /** Elbow position (m). */
  readonly elbow: [number, number];
  /** Hand speed (m/s). */
  readonly handSpeed: number;
  readonly phase: TrialPhase;
  /** Current center-out target index (0-based), −1 when holding at the start. */
  readonly targetIndex: number;
  /** Current target (m). */
  readonly target: [number, number];
  /** Start position and center-out targets (m). */
  readonly start: [number, number];
  readonly targets: Array<[number, number]>;
  /** Time since the trial began, and of its go cue (s). */
  readonly trialTime: number;
  readonly goTime: number;
  /** Simulated time since the controller was loaded (s). */
  readonly simTime: number;
  /** Trials started. */
  readonly trials: number;
  readonly fps: number;
  readonly frames: number;
  /** First frame after navigation (ms). */
  readonly firstFrameMs: number | null;
  /** Name of the checkpoint driving the arm, and its hidden units. */
  readonly controller: string;
  readonly units: number;
  readonly paused: boolean;
  /** Curl strength in effect (N·s/m), 0 when off. */
  readonly curl: number;
  /** The message shown to the user (an error or a notice), null when none. */
  readonly message: string | null;
  readonly referencesReady: boolean;
  /** The state planes, traces and unit panel have loaded (they do after the first frame). */
  readonly panelsReady: boolean;
  /** Inclusive step window of the jPCA fit, null before the references. */
  readonly jpcWindow: [number, number] | null;
  /** Reference condition k's trajectory in the top jPC plane: [steps, 2] (null before the references). */
  referenceJpc(k: number): number[] | null;
  /** Samples of the current trial: times from the trial start (s), hand [steps, 2] (m), live jPC-plane point [steps, 2] (null before the references). */
  trialTrace(): { times: number[]; hand: number[]; jpc: number[] | null };
  /** Unit shown in the unit panel (−1: none). */
  readonly selectedUnit: number;
  /** Unit display order of the heat map rows now (null: unsorted). */
  readonly unitOrder: number[] | null;
  /** The heat map's plot area (canvas CSS px; rows are units in `unitOrder`, columns `samples` control steps); null before the first draw. */
  readonly heatmapPlot: { left: number; top: number; width: number; height: number; samples: number } | null;
  /** Page (client) px of world point (x, y) m, for pointer events. */
  worldToClient(x: number, y: number): [number, number];
  /** What the scene drew last: pose, muscles (name, activation, colour, width, path), overlays, replayed sample (−1 live). */
  readonly drawnArm: DrawnArm;
  /** Body of the running controller ('motornet', 'arm26', …) and its muscles (empty for torque motors). */
  readonly body: string;
  readonly muscles: string[];
  /** The current record's joint state [steps, 4] and muscle activations [steps, muscles]. */
  trialState(): { state: number[]; activation: number[] };
  /** Series labels of the first (torques or activations) and second (hand speed) chart, and their plotted data [series][points] (x first). */
  chart(which: 'torque' | 'speed'): { labels: string[]; data: number[][] };
  /** Replayed sample (−1: live) and earlier trials kept. */
  readonly replaySample: number;
  readonly earlierTrials: number;
  /** Pause the run when the current trial's time reaches `trialTime` s (checked at every 1 ms update, so exact whatever the frame rate); null cancels. */
  pauseAt(trialTime: number | null): void;
}

declare global {
  interface Window {
    __reach?: ReachDebug;
  }
}

export function installDebugHook(src: DebugSource): void {
  const hook: ReachDebug = {
    get hand() {
      const h = src.session().arm.handPosition();
      return [h[0], h[1]] as [number, number];
    },
    get elbow() {
      const e = src.session().arm.elbowPosition();
      return [e[0], e[1]] as [number, number];
    },
    get handSpeed() {
      const v = src.session().arm.handVelocity();
      return Math.hypot(v[0], v[1]);
    },
    get phase() {
      return src.session().phase;
    },
    get targetIndex() {
      return src.session().targetIndex;
    },
    get target() {
      const t = src.session().target;
      return [t[0], t[1]] as [number, number];
    },
    get start() {
      const s = src.session().start;
      return [s[0], s[1]] as [number, number];
    },
    get targets() {
      return src.session().targets.map(([x, y]) => [x, y] as [number, number]);
    },
    get trialTime() {
      return trialTime(src.session());
    },
    get goTime() {
      return goTime(src.session());
    },
    get simTime() {
      return src.session().simTime;
    },
    get trials() {
      return src.session().trials;
    },
    get fps() {
      return src.meter().fps;
    },
    get frames() {
      return src.meter().frames;
    },
    get firstFrameMs() {
      return src.meter().firstFrameMs;
    },
    get controller() {
      return src.session().name;
    },
    get units() {
      return src.session().controller.spec.hidden;
    },
    get paused() {
      return src.session().paused;
    },
    get curl() {
      const s = src.session();
      return s.curlOn ? s.curlStrength : 0;
    },
    get message() {
      return src.message();
    },
    get panelsReady() {
      return src.traces() !== null;
    },
    get referencesReady() {
      return src.references() !== null;
    },
    get jpcWindow() {
      const w = src.references()?.jpc?.window;
      return w ? ([w[0], w[1]] as [number, number]) : null;
    },
    referenceJpc(k: number) {
      const r = src.references();
      if (!r?.jpc || !(k >= 0 && k < r.conditions)) return null;
      return Array.from(r.jpc.trajectories.subarray(k * r.steps * 2, (k + 1) * r.steps * 2));
    },
    get selectedUnit() {
      return src.unit();
    },
    get unitOrder() {
      const o = src.heatmapOrder();
      return o ? Array.from(o) : null;
    },
    get heatmapPlot() {
      const p = src.heatmapPlot();
      return p ? { ...p } : null;
    },
    trialTrace() {
      const r = src.session().record;
      const lp = src.projection();
      const n = r.length;
      const jpcReady = lp.record === r && lp.refs?.jpc && lp.length === n;
      return {
        times: Array.from(r.times.subarray(0, n)),
        hand: Array.from(r.hand.subarray(0, 2 * n)),
        jpc: jpcReady ? Array.from(lp.jpc.subarray(0, 2 * n)) : null,
      };
    },
    get drawnArm() {
      return structuredClone(src.scene().drawn);
    },
    get body() {
      return src.session().body.name;
    },
    get muscles() {
      return [...src.session().record.muscles];
    },
    trialState() {
      const r = src.session().record;
      return { state: Array.from(r.state.subarray(0, 4 * r.length)), activation: Array.from(r.activation.subarray(0, r.muscles.length * r.length)) };
    },
    chart(which: 'torque' | 'speed') {
      const t = src.traces();
      if (!t) return { labels: [], data: [] };
      const u = which === 'torque' ? t.torque : t.speed;
      return { labels: u.series.slice(1).map((s) => s.label as string), data: u.data.map((d) => Array.from(d as ArrayLike<number>)) };
    },
    get replaySample() {
      return src.replay().sample;
    },
    get earlierTrials() {
      return src.replay().history.length;
    },
    pauseAt(t: number | null) {
      src.session().pauseAt = t;
    },
    worldToClient(x: number, y: number) {
      const p = [0, 0];
      src.scene().toCanvas(x, y, p);
      const rect = src.canvas().getBoundingClientRect();
      return [rect.left + p[0], rect.top + p[1]] as [number, number];
    },
  };
  Object.defineProperty(window, '__reach', { value: Object.freeze(hook), writable: false, configurable: false });
}
