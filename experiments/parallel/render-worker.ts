/**
 * The worker thread of ./render-thread.ts: loads Vega as soon as it starts (while the caller is still
 * busy elsewhere), then renders the Vega-Lite specs of each request to SVG, request after request.
 */
import { parentPort } from 'node:worker_threads';
import { renderSvg, type VegaLiteSpec } from '../report/render.ts';
import { mark } from './timeline.ts';

mark('loaded', 'render');

const loaded = Promise.all([import('vega'), import('vega-lite')]).then((m) => {
  mark('vega loaded', 'render');
  return m;
});

/** Requests are drawn one after another, in the order they came (a request may come while another is drawn). */
let queue = Promise.resolve();

parentPort!.on('message', (m: { id: number; specs: VegaLiteSpec[] }) => {
  queue = queue.then(async () => {
    try {
      await loaded;
      mark(`request ${m.id}: ${m.specs.length} figures`, 'render');
      const svgs: string[] = [];
      for (const spec of m.specs) svgs.push(await renderSvg(spec));
      mark('rendered', 'render');
      parentPort!.postMessage({ id: m.id, svgs });
    } catch (err) {
      parentPort!.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) });
    }
  });
});
