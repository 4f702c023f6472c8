/**
 * Vega-Lite → SVG in Node, headless and offline: the spec is compiled to Vega and rendered by a Vega
 * View with no renderer attached (`toSVG` builds the SVG text itself; no canvas, DOM or network).
 * Text widths are estimated, which only affects label layout. Vega is loaded on the first render: it
 * takes a large share of a CLI start, and most commands draw nothing.
 */
import type { TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

/** Shared look: font sizes, no chart border, white background. */
export const BASE_CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
  title: { fontSize: 13, fontWeight: 'bold', anchor: 'start' },
} as const;

/** Render a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const full = { ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as VegaLiteSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
