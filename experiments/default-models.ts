/**
 * The committed default controllers, one per body preset that has one, with the training config that
 * reproduces each (`npm run train:default`, `npm run train:default-muscle`). `--arm` on `reach run` and
 * `reach experiment` picks among them; `DEFAULT_ARM` is the one `npm start` runs.
 */
import { join } from 'node:path';
import { DEFAULT_CHECKPOINT, PACKAGE_ROOT } from './package-info.ts';

export interface DefaultModel {
  checkpoint: string;
  trainConfig: string;
}

export const DEFAULT_MODELS: Readonly<Record<string, DefaultModel>> = {
  motornet: { checkpoint: DEFAULT_CHECKPOINT, trainConfig: join(PACKAGE_ROOT, 'models', 'default-train.json') },
  arm26: { checkpoint: join(PACKAGE_ROOT, 'models', 'default-muscle-controller.json'), trainConfig: join(PACKAGE_ROOT, 'models', 'default-muscle-train.json') },
};

/** The body whose default controller `reach experiment` runs without --arm or --checkpoint. */
export const DEFAULT_ARM = 'arm26';

/** The default controller of body preset `arm`; throws naming the presets that have one. */
export function defaultModel(arm: string): DefaultModel {
  const m = DEFAULT_MODELS[arm];
  if (!m) throw new Error(`--arm: no default controller for '${arm}' (there is one for ${Object.keys(DEFAULT_MODELS).join(', ')}); give --checkpoint`);
  return m;
}

/** The body preset name a checkpoint's config names ('motornet', 'arm26', …), or the skeleton's name for a custom arm. */
export function checkpointArmName(config: { arm: string | { name: string } }): string {
  return typeof config.arm === 'string' ? config.arm : config.arm.name;
}
