/**
 * `reach experiment --train` trains a default controller's whole recipe: the first config from scratch,
 * then each next stage on from the one before (the muscle default holds only after its second stage);
 * `--iterations` cuts the recipe to that many iterations in all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stagesUpTo } from '../../experiments/cli/experiment.ts';
import { runFullExperiment } from '../../experiments/experiment.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { parseTrainConfig } from '../../model/train.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-experiment-stages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a training recipe of stages', () => {
  it('is cut to N iterations in all: the stage that reaches N ends there, the last one runs on to N', () => {
    const recipe = [{ name: 'reach', iterations: 1500 }, { name: 'hold', iterations: 2500 }];
    expect(stagesUpTo(recipe, 3)).toEqual([{ name: 'reach', iterations: 3 }]);
    expect(stagesUpTo(recipe, 1500)).toEqual([{ name: 'reach', iterations: 1500 }]);
    expect(stagesUpTo(recipe, 2000)).toEqual([{ name: 'reach', iterations: 1500 }, { name: 'hold', iterations: 2000 }]);
    expect(stagesUpTo(recipe, 4000)).toEqual([{ name: 'reach', iterations: 1500 }, { name: 'hold', iterations: 4000 }]);
  });

  it('is trained stage after stage before the experiment runs the controller it ends with', async () => {
    const first = parseTrainConfig({ seed: 3, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 20, delay: [0.05, 0.1] }, iterations: 3, checkpointEvery: 0 });
    const next = parseTrainConfig({ seed: 3, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 30, delay: [0.05, 0.1] }, iterations: 5, lr: 0.01, checkpointEvery: 0 });
    const out = join(dir, 'staged');
    await runFullExperiment({ out, checkpointPath: join(dir, 'unused.json'), train: { config: first, then: [next], backend: 'cpu' }, formats: [], fixedPoints: false, workers: 1 });
    const ck = parseCheckpoint(readFileSync(join(out, 'train', 'controller.json'), 'utf8'));
    expect(ck.training.iterations).toBe(5);
    expect(ck.config.task.steps).toBe(30);
    expect(ck.config.lrFrom).toBe(3);
    const log = JSON.parse(readFileSync(join(out, 'train', 'log.json'), 'utf8')).iterations;
    expect(log.map((e: { iteration: number }) => e.iteration)).toEqual([1, 2, 3, 4, 5]);
    expect(log[3].lr).toBe(0.01);
  });
});
