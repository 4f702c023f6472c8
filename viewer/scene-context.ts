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

/**
 * Texture units pixi's batcher may use in one draw call. pixi takes the GPU's maximum (32 under SwiftShader),
 * and its batch and graphics fragment shaders then choose among that many textures, a shader the GPU
 * process takes several hundred ms to compile under SwiftShader, the larger part of the renderer's start.
 * The scene draws shapes (one white texture) and ~10 labels, so 4 units only split its labels into a few
 * draw calls.
 */
export const SCENE_TEXTURE_UNITS = 4;

/**
 * The scene canvas's WebGL 2 context (created here if it does not exist yet), reporting at most
 * SCENE_TEXTURE_UNITS fragment texture units to whoever asks it: pixi reads the limit from the context.
 */
export function sceneContext(canvas: HTMLCanvasElement): WebGL2RenderingContext | null {
  const gl = canvas.getContext('webgl2', SCENE_CONTEXT_ATTRIBUTES);
  if (!gl || Object.hasOwn(gl, 'getParameter')) return gl;
  const getParameter = gl.getParameter.bind(gl);
  gl.getParameter = (name: GLenum): unknown => (name === gl.MAX_TEXTURE_IMAGE_UNITS ? Math.min(getParameter(name) as number, SCENE_TEXTURE_UNITS) : getParameter(name));
  return gl;
}

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
  sceneContext(canvas);
}
