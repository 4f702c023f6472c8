/**
 * The arm scene's WebGL context, created on the scene canvas as the page starts (boot.ts): setting up a
 * context (SwiftShader's, in headless Chromium) is work in the GPU process, which then overlaps the page's
 * chunk loading. pixi (scene.ts) asks the same canvas for the same context and gets this one: the
 * attributes are the ones pixi requests for the options scene.ts gives it.
 */
import { pageSizes } from './layout.ts';

/** What pixi's WebGL renderer requests for an opaque background with antialias on. */
export const SCENE_CONTEXT_ATTRIBUTES: WebGLContextAttributes = {
  alpha: false,
  premultipliedAlpha: true,
  antialias: true,
  stencil: true,
  preserveDrawingBuffer: false,
  powerPreference: 'default',
};

/** Device pixels per CSS px of the scene's backing store: the screen's, at most 2. */
export function sceneResolution(): number {
  return Math.min(window.devicePixelRatio || 1, 2);
}

/**
 * Create the scene canvas's WebGL 2 context now (pixi falls back to WebGL 1 by itself where there is none),
 * with the canvas already at the size the page gives the scene, as pixi would set it: resizing a canvas
 * whose context is live reallocates its drawing buffers, a 0.2–0.4 s stall under SwiftShader.
 */
export function startSceneContext(): void {
  const canvas = document.getElementById('scene') as HTMLCanvasElement | null;
  if (!canvas) return;
  const side = pageSizes().scene;
  canvas.style.width = `${side}px`;
  canvas.style.height = `${side}px`;
  canvas.width = canvas.height = side * sceneResolution();
  // Hidden until the first frame is drawn (main.ts): a visible canvas with a live context is read back at
  // each compositor commit under software compositing, 0.15 s for its empty buffer here.
  canvas.style.visibility = 'hidden';
  canvas.getContext('webgl2', SCENE_CONTEXT_ATTRIBUTES);
}
