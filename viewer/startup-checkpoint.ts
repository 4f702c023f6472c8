/**
 * The bundled default controller, requested as this module evaluates: boot.ts, the page's small entry
 * chunk, imports it before it imports the page, so the checkpoint is fetched and validated in a worker
 * while the page's large chunk downloads, compiles and runs and WebGL starts.
 */
import defaultControllerUrl from '@default-controller?url';
import { fetchCheckpointOffThread } from './checkpoint-off-thread.ts';

export const DEFAULT_NAME = 'default-controller.json';
export { defaultControllerUrl };
export const startupCheckpoint = fetchCheckpointOffThread(defaultControllerUrl, DEFAULT_NAME);
// main.ts reports a failure when it awaits the promise; until then it must not count as unhandled.
startupCheckpoint.catch(() => {});
