/**
 * What the browser tests share: Chromium's flags for this machine (no network beyond loopback, software
 * WebGL) and reading screenshot pixels at CSS points.
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
