/** Display-rate bookkeeping: frames counted by requestAnimationFrame, fps over the last second, first frame time. */

export interface FrameMeter {
  /** Frames drawn since the page loaded. */
  frames: number;
  /** Frames per second over the last completed window of about 1 s. */
  fps: number;
  /** Time of the first drawn frame after navigation (ms, performance.now() origin = navigation start). */
  firstFrameMs: number | null;
  windowStart: number;
  windowFrames: number;
}

export function createFrameMeter(): FrameMeter {
  return { frames: 0, fps: 0, firstFrameMs: null, windowStart: 0, windowFrames: 0 };
}

/** Count a frame drawn at `now` (ms, performance.now()). */
export function countFrame(m: FrameMeter, now: number): void {
  if (m.firstFrameMs === null) {
    m.firstFrameMs = performance.now();
    m.windowStart = now;
  }
  m.frames++;
  m.windowFrames++;
  if (now - m.windowStart >= 1000) {
    m.fps = (m.windowFrames * 1000) / (now - m.windowStart);
    m.windowStart = now;
    m.windowFrames = 0;
  }
}
