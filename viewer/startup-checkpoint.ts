/**
 * The bundled controllers (vite.config.ts validates and packs them), each its own small chunk. The
 * default one is requested as this module evaluates: boot.ts, the page's small entry chunk, imports it
 * before it imports the page, so the controller arrives and is unpacked while the page's large chunk
 * downloads, compiles and runs and WebGL starts.
 */
import type { Checkpoint } from '../model/checkpoint.ts';
import { unpackCheckpoint } from './bundled-checkpoint.ts';

export const DEFAULT_NAME = 'default-controller.json';
export const MUSCLE_NAME = 'default-muscle-controller.json';

/** The bundled controller named `name` (DEFAULT_NAME or MUSCLE_NAME). */
export async function loadBundledCheckpoint(name: string): Promise<Checkpoint> {
  const packed = name === MUSCLE_NAME ? await import('virtual:bundled-checkpoint/muscle') : await import('virtual:bundled-checkpoint/default');
  return unpackCheckpoint(packed.default);
}

export const startupCheckpoint = loadBundledCheckpoint(DEFAULT_NAME);
// main.ts reports a failure when it awaits the promise; until then it must not count as unhandled.
startupCheckpoint.catch(() => {});
