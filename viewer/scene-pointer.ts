/**
 * Mouse on the arm scene: pressing on (or near) the hand grabs it with a spring to the cursor until
 * release; pressing on a target starts a trial to it.
 */
import { TARGET_RADIUS, type ArmScene } from './scene.ts';
import { beginTrial, setDrag, type Session } from './session.ts';

/** Grab radius around the hand (m). */
const GRAB_RADIUS = 0.03;
/** Click radius around a target (m). */
const TARGET_CLICK_RADIUS = 2 * TARGET_RADIUS;

export function bindScenePointer(canvas: HTMLCanvasElement, scene: () => ArmScene, session: () => Session): void {
  const w = [0, 0];
  const toWorld = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    scene().toWorld(e.clientX - r.left, e.clientY - r.top, w);
  };
  canvas.addEventListener('pointerdown', (e) => {
    const s = session();
    toWorld(e);
    const h = s.arm.handPosition();
    if (Math.hypot(w[0] - h[0], w[1] - h[1]) <= GRAB_RADIUS) {
      canvas.setPointerCapture(e.pointerId);
      setDrag(s, true, w[0], w[1]);
      return;
    }
    let best = -1;
    let bestD = TARGET_CLICK_RADIUS;
    s.targets.forEach(([x, y], k) => {
      const d = Math.hypot(w[0] - x, w[1] - y);
      if (d <= bestD) {
        best = k;
        bestD = d;
      }
    });
    if (best >= 0) beginTrial(s, best);
  });
  canvas.addEventListener('pointermove', (e) => {
    const s = session();
    if (!s.dragging) return;
    toWorld(e);
    setDrag(s, true, w[0], w[1]);
  });
  const release = () => {
    const s = session();
    if (s.dragging) setDrag(s, false);
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);
}
