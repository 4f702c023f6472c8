/**
 * Sizes the scene and the panels to the window (CSS px): side by side when there is room, the panels
 * under the scene on narrow screens, everything above the fold on a 768-px-high screen. Canvases get a
 * backing store of device pixels, so a device-pixel-ratio 2 screen draws them sharp.
 */

export interface PanelSizes {
  /** Side of the square arm scene. */
  scene: number;
  /** Width of the panel column (the heat map's width; the PC/jPC and trace rows hold two panels each). */
  panels: number;
  heatmap: number;
  plane: number;
  /** Plot height of a trace chart (its legend goes below). */
  trace: number;
}

/** Page padding and the gap between the scene and the panels (px). */
const PAD = 12;
const GAP = 10;
/** Room taken by the panel gaps and the trace legends (px). */
const PANEL_CHROME = 48;
/** Narrower than this, the panels go under the scene (px). */
const SIDE_BY_SIDE_MIN = 1000;

/** Sizes for a page area viewW wide (padding included) in a window viewH high, `top` px below its top. */
export function panelSizes(viewW: number, viewH: number, top: number): PanelSizes {
  const avail = Math.max(420, viewH - top - PAD);
  let scene: number;
  let panels: number;
  let column: number;
  if (viewW >= SIDE_BY_SIDE_MIN) {
    scene = Math.round(Math.max(320, Math.min(avail, (viewW - 2 * PAD - GAP) * 0.46)));
    panels = viewW - 2 * PAD - GAP - scene;
    column = avail;
  } else {
    scene = Math.round(Math.min(viewW - 2 * PAD, 600));
    panels = viewW - 2 * PAD;
    column = Math.max(avail, 620);
  }
  const h = column - PANEL_CHROME;
  return { scene, panels: Math.floor(panels), heatmap: Math.round(h * 0.32), plane: Math.round(h * 0.38), trace: Math.round(h * 0.3) };
}

/**
 * Sizes for the page as laid out now: main's own width (it leaves out the scrollbar gutter, which
 * documentElement.clientWidth may not), the window's height and the scene box's top.
 */
export function pageSizes(): PanelSizes {
  const top = document.getElementById('scene-wrap')!.getBoundingClientRect().top + window.scrollY;
  return panelSizes(document.querySelector('main')!.clientWidth, window.innerHeight, top);
}

/** Size `canvas` to w × h CSS px with a device-pixel backing store; returns its context scaled to CSS px. */
export function fitCanvas(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
  return ctx;
}
