/**
 * Issue 12, defect 2: configs, checkpoints' configs and run manifests are strict. A misspelt key is an
 * error that names it and the key the user most likely meant; a null config and a network whose output
 * count does not fit the arm are refused before any training.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../../core/base64.ts';
import { closestKey } from '../../../core/zod-issues.ts';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { parseCheckpoint } from '../../../model/checkpoint.ts';
import { parseTrainConfig } from '../../../model/train.ts';
import { parseArmParams, MOTORNET_ARM } from '../../../sim/arm-params.ts';
import { parseTaskSpec } from '../../../sim/tasks/task-spec.ts';
import { writeSyntheticRun } from '../../experiments/export-synthetic-run.ts';
import { reach } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-strict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEFAULT_CONTROLLER = new URL('../../../models/default-controller.json', import.meta.url);

/** A checkpoint file whose body was edited by `edit`, with a valid checksum (so only the content is wrong). */
function editedCheckpoint(edit: (body: Record<string, unknown>) => void): string {
  const file = JSON.parse(readFileSync(DEFAULT_CONTROLLER, 'utf8'));
  edit(file.body);
  const body = JSON.stringify(file.body);
  return `{"format":"${file.format}","version":${file.version},"checksum":${crc32(body)},"body":${body}}\n`;
}

describe('closest known key', () => {
  it('is the same word in another case, the key spelt by the initials, or the fewest edits away', () => {
    expect(closestKey('Iterations', ['lr', 'iterations'])).toBe('iterations');
    expect(closestKey('learningRate', ['iterations', 'lr', 'lrDecay'])).toBe('lr');
    expect(closestKey('hiden', ['kind', 'hidden', 'inputs'])).toBe('hidden');
    expect(closestKey('iteration', ['seed', 'iterations', 'batch'])).toBe('iterations');
  });
});

describe('training configs are strict', () => {
  it("an unknown top-level key is an error naming it and the closest key ('iteration' ran 2000 iterations)", () => {
    expect(() => parseTrainConfig({ iteration: 2 })).toThrow(/unknown key 'iteration' \(did you mean 'iterations'\?\)/);
    expect(() => parseTrainConfig({ learningRate: 1e-3 })).toThrow(/unknown key 'learningRate' \(did you mean 'lr'\?\)/);
  });

  it('an unknown nested key names its path', () => {
    expect(() => parseTrainConfig({ network: { hiden: 64 } })).toThrow(/network: unknown key 'hiden' \(did you mean 'hidden'\?\)/);
    expect(() => parseTrainConfig({ loss: { efort: 1 } })).toThrow(/loss: unknown key 'efort' \(did you mean 'effort'\?\)/);
    expect(() => parseTrainConfig({ task: { targtes: 4 } })).toThrow(/task: unknown key 'targtes' \(did you mean 'targets'\?\)/);
    expect(() => parseTrainConfig({ feedback: { visonDelay: 2 } })).toThrow(/feedback: unknown key 'visonDelay' \(did you mean 'visionDelay'\?\)/);
    expect(() => parseTaskSpec({ radus: 0.1 })).toThrow(/unknown key 'radus' \(did you mean 'radius'\?\)/);
    expect(() => parseArmParams({ ...MOTORNET_ARM, mass: [1, 1] })).toThrow(/unknown key 'mass'/);
  });

  it('a null config is a clear error, not the default config', () => {
    expect(() => parseTrainConfig(null)).toThrow(/invalid training config: expected a JSON object.*got null/);
    expect(() => parseTrainConfig([1])).toThrow(/got an array/);
  });

  it('a network with other than 2 outputs (the arm has two joint torques) is refused', () => {
    expect(() => parseTrainConfig({ network: { outputs: 3 } })).toThrow(/network\.outputs is 3 but the arm takes 2 torques \(shoulder, elbow\)/);
  });
});

describe('checkpoints are strict', () => {
  it("a checkpoint whose config holds an unknown key is refused naming it", () => {
    const text = editedCheckpoint((b) => ((b.config as Record<string, unknown>).iteration = 2));
    expect(() => parseCheckpoint(text, 'ck.json')).toThrow(/ck\.json has an incompatible training config: config: unknown key 'iteration' \(did you mean 'iterations'\?\)/);
  });

  it('unknown keys elsewhere in the checkpoint are refused naming them', () => {
    expect(() => parseCheckpoint(editedCheckpoint((b) => (b.extra = 1)), 'ck.json')).toThrow(/body: unknown key 'extra'/);
    expect(() => parseCheckpoint(editedCheckpoint((b) => ((b.network as Record<string, unknown>).hiden = 3)), 'ck.json')).toThrow(/body\.network: unknown key 'hiden' \(did you mean 'hidden'\?\)/);
  });
});

describe('run manifests are strict', () => {
  it('an unknown key in manifest.json or trials.json is refused naming it', () => {
    const run = writeSyntheticRun(3, dir);
    const path = join(run.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...manifest, dtt: 0.01 }));
    expect(() => readRunDir(run.dir)).toThrow(/unknown key 'dtt' \(did you mean 'dt'\?\)/);
    manifest.arrays[0].units = 's';
    writeFileSync(path, JSON.stringify(manifest));
    expect(() => readRunDir(run.dir)).toThrow(/arrays\.0: unknown key 'units' \(did you mean 'unit'\?\)/);
  });
});

describe('reach train refuses a bad config before training', () => {
  it('names the file, the unknown key and the closest key; a null config file is a clear error', () => {
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ iteration: 2, network: { hidden: 8 } }));
    const typo = reach(dir, 'train', '--backend', 'cpu', '--config', 'typo.json', '--out', 'typo');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(/typo\.json: invalid training config: \(config\): unknown key 'iteration' \(did you mean 'iterations'\?\)/);
    expect(existsSync(join(dir, 'typo', 'checkpoint.json'))).toBe(false);
    writeFileSync(join(dir, 'null.json'), 'null\n');
    const nul = reach(dir, 'train', '--backend', 'cpu', '--config', 'null.json', '--out', 'nul');
    expect(nul.status).toBe(1);
    expect(nul.stderr).toMatch(/null\.json: invalid training config: expected a JSON object.*got null/);
    expect(nul.stderr).not.toMatch(/TypeError|Cannot set propert/);
  });
});
