/**
 * The page's entry: a small chunk that starts loading the default controller in a worker
 * (startup-checkpoint.ts) and the scene's WebGL context (scene-context.ts), then imports the page
 * (main.ts). Both then proceed while the browser still downloads and compiles the page's large chunk
 * (pixi, matter-js, zod, uPlot), rather than after it has run.
 */
import './startup-checkpoint.ts';
import { startSceneContext } from './scene-context.ts';
// The page's styles belong in this chunk so the build links them in the HTML head: imported only by the
// page's chunk, they would be loaded by script, after it, and the first layout would lack them.
import 'uplot/dist/uPlot.min.css';
import './train/train.css';

startSceneContext();
void import('./main.ts');
