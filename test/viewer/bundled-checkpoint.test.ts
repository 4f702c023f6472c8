/**
 * The bundled controllers: the build validates each with parseCheckpoint and packs it (vite.config.ts,
 * viewer/bundled-checkpoint.ts); the page unpacks it without validating again. The reference for what
 * the page must get is what parseCheckpoint reads from the committed file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../model/checkpoint.ts';
import { initTrainState, networkSpecOf, parseTrainConfig, resolveArm } from '../../model/train.ts';
import { bundledCheckpoints } from '../../vite.config.ts';
import { packCheckpoint, unpackCheckpoint } from '../../viewer/bundled-checkpoint.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = ['models/default-controller.json', 'models/default-muscle-controller.json'];

/** Every typed array of a checkpoint, by path, as its bytes (so −0, NaN payloads and all bits are compared). */
function arrayBytes(x: unknown, path = '', out = new Map<string, Buffer>()): Map<string, Buffer> {
  if (ArrayBuffer.isView(x)) out.set(`${path} ${x.constructor.name}`, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) arrayBytes(v, `${path}.${k}`, out);
  return out;
}

/** The bundling plugin's module for `file`, as the build loads it. */
function bundledModule(file: string): string {
  const plugin = bundledCheckpoints({ default: file }) as Plugin & { resolveId(id: string): string; load(this: unknown, id: string): string };
  return plugin.load.call({ addWatchFile: () => {} }, plugin.resolveId('virtual:bundled-checkpoint/default'));
}

describe('bundled controllers', () => {
  for (const model of MODELS) {
    it(`${model} reaches the page as parseCheckpoint reads it: same fields, same weights bit for bit`, () => {
      const read = parseCheckpoint(readFileSync(resolve(repo, model), 'utf8'), model);
      const module = bundledModule(resolve(repo, model));
      const page = unpackCheckpoint(JSON.parse(module.replace(/^export default /, '').replace(/;$/, '')));
      expect(page).toEqual(read);
      expect(arrayBytes(page)).toEqual(arrayBytes(read));
      expect(arrayBytes(page).size).toBe(Object.keys(read.params).length);
    });
  }

  it('NaN and infinite numbers, the generator state and the optimizer moments survive packing', () => {
    const config = parseTrainConfig({ seed: 3, network: { hidden: 8 } });
    const state = initTrainState(config);
    state.rng = createRng(5);
    const ck: Checkpoint = {
      packageVersion: 'test',
      backend: 'cpu',
      config,
      arm: resolveArm(config.arm),
      network: networkSpecOf(config),
      params: state.params,
      training: { iterations: 0, finalLoss: { position: Infinity, hold: -Infinity, speed: 0, effort: 0, activity: 0, weight: 0, total: Infinity }, endpointError: NaN },
      resume: { adam: state.adam, rng: state.rng, lr: state.lr, badSteps: 2 },
    };
    ck.params.Wout.data[0] = -0;
    const back = unpackCheckpoint(packCheckpoint(ck));
    expect(back).toEqual(ck);
    expect(arrayBytes(back)).toEqual(arrayBytes(ck));
    expect(back.resume!.rng.s).toBeInstanceOf(Uint32Array);
    expect(Number.isNaN(back.training.endpointError)).toBe(true);
    expect(back.training.finalLoss.hold).toBe(-Infinity);
  });

  it("a corrupted bundled controller stops the build with parseCheckpoint's reason", () => {
    const dir = mkdtempSync(join(tmpdir(), 'reach-bundled-'));
    try {
      const text = readFileSync(resolve(repo, MODELS[0]), 'utf8');
      const i = text.indexOf('"base64":"') + 20;
      const file = join(dir, 'flipped.json');
      writeFileSync(file, text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
      expect(() => bundledModule(file)).toThrow(/corrupted: checksum mismatch/);
      const ck = parseCheckpoint(text);
      writeFileSync(file, serializeCheckpoint({ ...ck, network: { ...ck.network, hiddenUnits: 1 } as Checkpoint['network'] }));
      expect(() => bundledModule(file)).toThrow(/flipped\.json is incompatible: .*hiddenUnits/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
