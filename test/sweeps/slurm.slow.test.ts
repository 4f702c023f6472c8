import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localExecutor } from '../../experiments/sweeps/executors/local.ts';
import { slurmExecutor } from '../../experiments/sweeps/executors/slurm.ts';
import { WALL_CLOCK_COLUMNS } from '../../experiments/sweeps/results.ts';
import { runSweep } from '../../experiments/sweeps/runner.ts';
import { parseSweepSpec } from '../../experiments/sweeps/spec.ts';
import { startSlurmCluster, type SlurmCluster } from './slurm-cluster.ts';

let cluster: SlurmCluster | null = null;
let skip = '';
const root = mkdtempSync(join(tmpdir(), 'reach-sweep-slurm-'));

beforeAll(async () => {
  const started = await startSlurmCluster();
  if ('skip' in started) {
    skip = started.skip;
    process.stderr.write(`slurm sweep tests skipped: ${skip}\n`);
  } else {
    cluster = started;
  }
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** 4 cells of a 16-unit RNN: activity penalty 0 or 0.05 × seeds 1, 2; a few iterations of short trials. */
const spec = parseSweepSpec({
  name: 'slurm-test',
  base: { iterations: 10, batch: 8, network: { hidden: 16 }, task: { kind: 'mixed', duration: 0.5, delay: [0.1, 0.2] }, checkpointEvery: 0 },
  axes: { 'loss.activity': [0, 0.05] },
  seeds: [1, 2],
  run: { repeats: 1 },
});

const table = (path: string) => {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { head: head.split(','), rows: lines.map((l) => l.split(',')) };
};

describe('a sweep as a Slurm job array on a single-node cluster', () => {
  it('gives the same results.csv as the local pool in every column but the wall-clock times', async (ctx) => {
    if (!cluster) return ctx.skip(skip);
    const local = await runSweep(spec, { out: join(root, 'local'), executor: localExecutor({ jobs: 2 }) });
    const slurm = await runSweep(spec, { out: join(root, 'slurm'), executor: slurmExecutor({ env: cluster.env, pollSeconds: 1 }) });
    process.stderr.write(`4 cells, 2 at a time: local pool ${local.seconds.cells.toFixed(1)} s, Slurm job array ${slurm.seconds.cells.toFixed(1)} s\n`);
    expect(slurm.submitted.map((c) => c.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(local.submitted.map((c) => c.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(readFileSync(join(root, 'slurm', 'slurm', 'sweep.sbatch'), 'utf8')).toContain('#SBATCH --array=0-3\n');

    const a = table(local.results);
    const b = table(slurm.results);
    expect(b.head).toEqual(a.head);
    const compared = a.head.filter((c) => !WALL_CLOCK_COLUMNS.includes(c));
    expect(compared).toContain('jpca_R2_Mskew_kD');
    for (let r = 0; r < 4; r++) {
      for (const c of compared) {
        const i = a.head.indexOf(c);
        expect([r, c, b.rows[r][i]]).toEqual([r, c, a.rows[r][i]]);
      }
    }
  });

  it('reports a failed task with the path of its log, and the other tasks finish', async (ctx) => {
    if (!cluster) return ctx.skip(skip);
    // 2 units cannot hold jPCA's 6 PCs: that cell fails in its analysis.
    const failing = parseSweepSpec({ ...spec, name: 'slurm-fail', axes: undefined, cells: [{ 'network.hidden': 2 }, { 'network.hidden': 16 }], seeds: [1], analysis: { fixedPoints: false } });
    const r = await runSweep(failing, { out: join(root, 'fail'), executor: slurmExecutor({ env: cluster.env, pollSeconds: 1 }) });
    expect(r.submitted.map((c) => c.state)).toEqual(['failed', 'done']);
    const failed = r.submitted[0];
    expect(failed.log).toBe(join(root, 'fail', 'logs', 'cell-000.log'));
    expect(failed.detail).toMatch(/6 PCs requested/);
    expect(readFileSync(failed.log, 'utf8')).toMatch(/6 PCs requested/);
  });
});
