/**
 * The viewer when a frame cannot be drawn, in Debian's Chromium (the built site, as viewer.test.ts runs
 * it). The scene canvas is hidden until its first frame is drawn (scene-context.ts): a first draw that
 * throws must still leave the user a message saying so, and the canvas shown, not an empty page. The
 * failure is made in the page by WebGL draw calls that throw once the first frame has begun (its
 * 'reach:frame' mark): the renderer's start-up draws before that go through.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './browser-harness.ts';
import { serveStatic } from './static-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Wall-clock ceiling for any one wait (ms); generous because the machine is shared. */
const WAIT = 60_000;

/** Run in the page before its scripts: every WebGL draw call throws from the first frame on. */
const BREAK_DRAWS = `(() => {
  for (const proto of [WebGL2RenderingContext.prototype, WebGLRenderingContext.prototype]) {
    for (const name of ['drawElements', 'drawArrays', 'drawElementsInstanced', 'drawArraysInstanced']) {
      const draw = proto[name];
      if (!draw) continue;
      proto[name] = function (...args) {
        if (performance.getEntriesByName('reach:frame').length > 0) throw new Error('the GPU refused the draw call (test)');
        return draw.apply(this, args);
      };
    }
  }
})();`;

declare const document: { getElementById(id: string): { hidden: boolean; textContent: string | null; style: { visibility: string } } | null };

describe.skipIf(!existsSync(CHROMIUM))('web viewer whose first frame cannot be drawn', () => {
  let outDir: string;
  let profile: string;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'reach-viewer-build-'));
    await build({ configFile: resolve(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await serveStatic(outDir);
    profile = mkdtempSync(join(tmpdir(), 'reach-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 }, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    for (const d of [outDir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('shows the scene canvas and an error message naming the failure, instead of an empty page', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(BREAK_DRAWS);
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName('reach:frame').length > 0, null, { timeout: WAIT });
    // The message may come a moment after the frame began (the next task at the latest): wait for it, not for a time.
    const shown = await page
      .waitForFunction(() => document.getElementById('message')?.hidden === false, null, { timeout: WAIT })
      .then(() => true, () => false);
    const state = await page.evaluate(() => ({ text: document.getElementById('message-text')?.textContent ?? '', visibility: document.getElementById('scene')?.style.visibility ?? '' }));
    expect(shown, `no message shown; canvas visibility '${state.visibility}'`).toBe(true);
    expect(state.text).toMatch(/could not be drawn.*the GPU refused the draw call \(test\)/);
    expect(state.visibility).toBe('');
  });
});
