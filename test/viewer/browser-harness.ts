/**
 * What the browser tests share: Chromium's flags for this machine (no network beyond loopback, software
 * WebGL), reading screenshot pixels at CSS points, and pausing the viewer's run.
 */
import type { Page } from 'playwright-core';

/** Headless Chromium flags: without the background-networking ones it keeps dialling out and is refused. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'];

/** RGB of a PNG screenshot at CSS px points (decoded in the page). */
export async function pixels(page: Page, png: Buffer, cssWidth: number, points: Array<readonly [number, number]>): Promise<number[][]> {
  return page.evaluate(
    async ([b64, pts, w]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = (globalThis as unknown as { document: { createElement(t: string): HTMLCanvasElement } }).document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const scale = img.width / w;
      return pts.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data.slice(0, 3)));
    },
    [png.toString('base64'), points, cssWidth] as const,
  );
}

/** Pause (on) or resume the viewer's run with its button, and wait until it is so (timeout in ms). */
export async function setPaused(page: Page, on: boolean, timeout: number): Promise<void> {
  if ((await page.evaluate(() => window.__reach!.paused)) !== on) await page.locator('#pause').click();
  await page.waitForFunction((v) => window.__reach!.paused === v, on, { timeout });
}

/**
 * Start a reach to target k (0-based) and stop the run `after` s past its go cue: the trial starts paused and
 * the run pauses itself at that simulated time (the hook's pauseAt), however busy the machine and late the poll.
 */
export async function reachAndStop(page: Page, k: number, after: number, timeout: number): Promise<void> {
  await setPaused(page, true, timeout);
  const trials = await page.evaluate(() => window.__reach!.trials);
  await page.keyboard.press(String(k + 1));
  await page.waitForFunction((n) => window.__reach!.trials > n, trials, { timeout });
  await page.evaluate((t) => window.__reach!.pauseAt(window.__reach!.goTime + t), after);
  // Resumed, the run may stop again before a poll sees it running: wait for the stop, not for the resume.
  await page.locator('#pause').click();
  await page.waitForFunction((t) => window.__reach!.paused && window.__reach!.trialTime >= window.__reach!.goTime + t - 1e-9, after, { timeout });
}
