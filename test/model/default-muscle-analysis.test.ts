/**
 * The committed default muscle controller looks like motor cortex in the ways issue 10 asks, on the
 * default experiment's run (5 noisy repeats of the 8 center-out reaches on the matter-js arm, analysed as
 * `npm start` does): hidden units much less tangled than the muscles they drive (Russo et al. 2018),
 * rotational population dynamics (Churchland et al. 2012), preferred directions clustered on one
 * axis (Lillicrap & Scott 2013) and preparation kept out of the muscles' readout (Kaufman et al. 2014).
 * Fixed points are not sought (no checkpoint given to the analysis): they enter none of these figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModel } from '../../experiments/default-models.ts';
import { readRunDir } from '../../experiments/run-dir.ts';
import { analyzeRun, DEFAULT_RUN_ANALYSIS_OPTIONS } from '../../experiments/run-analysis.ts';
import { EXPERIMENT_RUN_OPTIONS } from '../../experiments/run-options.ts';
import { runExperiment, writeRun } from '../../experiments/run.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';

describe('the committed default muscle controller, analysed as in the default experiment', () => {
  const root = mkdtempSync(join(tmpdir(), 'reach-muscle-analysis-'));
  let s: ReturnType<typeof analyzeRun>['summary'];
  beforeAll(() => {
    const path = defaultModel('arm26').checkpoint;
    const ck = parseCheckpoint(readFileSync(path, 'utf8'), path);
    const dir = join(root, 'run');
    writeRun(dir, ck, path, EXPERIMENT_RUN_OPTIONS, runExperiment(ck, EXPERIMENT_RUN_OPTIONS));
    s = analyzeRun(readRunDir(dir), DEFAULT_RUN_ANALYSIS_OPTIONS).summary;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('hidden units are less tangled than the muscle activations at ≥ 90 % of points (Russo et al. 2018)', () => {
    expect(s.fractionPointsMuscleMoreTangled).toBeGreaterThanOrEqual(0.9);
  });

  it('hidden activity rotates: jPCA R² of the skew-symmetric fit ≥ 0.6 of the best linear fit', () => {
    expect(s.jpca_R2_Mskew_kD / s.jpca_R2_Mbest_kD).toBeGreaterThanOrEqual(0.6);
  });

  it("units' preferred directions cluster on one axis (axial Rayleigh p < 0.001)", () => {
    expect(s.pdBimodality_p).toBeLessThan(0.001);
  });

  it('prepares in the readout null space: preparatory variance in the output-potent space ≤ 5 % of its null-space share (Kaufman et al. 2014)', () => {
    expect(s.prepToMovePotentRatio / s.prepToMoveNullRatio).toBeLessThanOrEqual(0.05);
  });
});
