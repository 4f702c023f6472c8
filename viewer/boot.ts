/**
 * The page's entry: a small chunk that starts loading the default controller, validated at build time
 * (startup-checkpoint.ts), and the scene's WebGL context (scene-context.ts), then imports the page
 * (main.ts). Both then proceed while the browser still downloads and compiles the page's large chunk
 * (pixi, matter-js, the sim), rather than after it has run. The build links the controller's chunk and
 * the page's as modulepreload in the HTML (vite.config.ts), so their downloads start with this one's.
 */
import './startup-checkpoint.ts';
import { startSceneContext } from './scene-context.ts';
// The page's styles belong in this chunk so the build links them in the HTML head: imported only by the
// page's chunk, they would be loaded by script, after it, and the first layout would lack them.
import 'uplot/dist/uPlot.min.css';
import './train/train.css';

startSceneContext();
// pixi's text metrics create an Intl.Segmenter as its module runs; a page's first one loads ICU's
// break-iterator data (50–90 ms in headless Chromium here), later ones take no time. Made here, that
// load happens while the page's chunk is still on its way.
new Intl.Segmenter();
void import('./main.ts');
