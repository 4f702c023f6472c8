/**
 * The committed default controllers, one per body preset that has one, with the training configs that
 * reproduce each, stage after stage (`npm run train:default`, `npm run train:default-muscle`). `--arm`
 * on `reach run` and `reach experiment` picks among them; `DEFAULT_ARM` is the one `npm start` runs.
 */
import { join } from 'node:path';
import { DEFAULT_CHECKPOINT, PACKAGE_ROOT } from './package-info.ts';

export interface DefaultModel {
  checkpoint: string;
  /** Training configs in order: the first from scratch, each next one a stage on from the one before (`reach train --resume … --config …`). */
  trainStages: string[];
}

export const DEFAULT_MODELS: Readonly<Record<string, DefaultModel>> = {
  motornet: { checkpoint: DEFAULT_CHECKPOINT, trainStages: [join(PACKAGE_ROOT, 'models', 'default-train.json')] },
  arm26: {
    checkpoint: join(PACKAGE_ROOT, 'models', 'default-muscle-controller.json'),
    trainStages: ['default-muscle-train.json', 'default-muscle-random.json', 'default-muscle-hold.json'].map((f) => join(PACKAGE_ROOT, 'models', f)),
  },
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
