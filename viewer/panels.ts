/**
 * The panels that fill in after the page's first frame: main.ts imports this module dynamically once the
 * arm is drawn, so uPlot and the panels' code are not compiled and run before it. The heat map is not
 * here: it has no library and its box is sized with the scene's.
 */
export { createStatePanel, drawStatePanel, resizeStatePanel, setPanelReferences, statePanelSvg } from './state-plane.ts';
export { createTraces, resizeTraces, setTraceMuscles, tracesSvg, updateTraces } from './traces.ts';
export { createUnitPanel, updateUnitPanel } from './unit-panel.ts';
export { mountTrainPanel } from './train/panel.ts';
