/**
 * The arm scene's WebGL context, created on the scene canvas as the page starts (boot.ts): setting up a
 * context (SwiftShader's, in headless Chromium) is work in the GPU process, which then overlaps the page's
 * chunk loading. pixi (scene.ts) asks the same canvas for the same context and gets this one: the
 * attributes are the ones pixi requests for the options scene.ts gives it.
 */

/** What pixi's WebGL renderer requests for an opaque background with antialias on. */
export const SCENE_CONTEXT_ATTRIBUTES: WebGLContextAttributes = {
  alpha: false,
  premultipliedAlpha: true,
  antialias: true,
  stencil: true,
  preserveDrawingBuffer: false,
  powerPreference: 'default',
};

/** Create the scene canvas's WebGL 2 context now (pixi falls back to WebGL 1 by itself where there is none). */
export function startSceneContext(): void {
  (document.getElementById('scene') as HTMLCanvasElement | null)?.getContext('webgl2', SCENE_CONTEXT_ATTRIBUTES);
}
