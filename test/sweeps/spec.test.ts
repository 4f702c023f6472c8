import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { trainConfigSchema } from '../../model/train.ts';
import { DEFAULT_FEEDBACK } from '../../sim/tasks/observation.ts';
import { configPathError, setConfigPath } from '../../experiments/sweeps/config-paths.ts';
import { localExecutor } from '../../experiments/sweeps/executors/local.ts';
import { arrayRanges, parseSacct, parseSqueue, sbatchScript } from '../../experiments/sweeps/executors/slurm.ts';
import { planSweep } from '../../experiments/sweeps/layout.ts';
import { METRIC_COLUMNS, resultsCsv, WALL_CLOCK_COLUMNS, type ResultRow } from '../../experiments/sweeps/results.ts';
import { expandSweep, parseSweepSpec } from '../../experiments/sweeps/spec.ts';

describe('sweep specs', () => {
  it('a grid of 2 × 3 values and 2 seeds has 12 cells, the first axis varying slowest and the seed fastest', () => {
    const cells = expandSweep(parseSweepSpec({ axes: { 'network.kind': ['rnn', 'gru'], 'loss.activity': [0, 0.01, 0.1] }, seeds: [4, 7] }));
    expect(cells).toHaveLength(12);
    expect(cells.map((c) => c.index)).toEqual([...Array(12).keys()]);
    expect(cells.slice(0, 3).map((c) => [c.values['network.kind'], c.values['loss.activity'], c.seed])).toEqual([
      ['rnn', 0, 4],
      ['rnn', 0, 7],
      ['rnn', 0.01, 4],
    ]);
    expect(cells[11].values).toEqual({ 'network.kind': 'gru', 'loss.activity': 0.1 });
    // Each cell's config carries its values and seed; the rest comes from the base and the defaults.
    expect(cells[11].config.network.kind).toBe('gru');
    expect(cells[11].config.loss.activity).toBe(0.1);
    expect(cells[11].config.seed).toBe(7);
    expect(cells[11].config.loss.position).toBe(trainConfigSchema.parse({}).loss.position);
  });

  it('an explicit list of cells runs each listed cell once per seed, on top of the base config', () => {
    const cells = expandSweep(parseSweepSpec({ base: { iterations: 50, network: { hidden: 32 } }, cells: [{ 'network.hidden': 64 }, { 'network.kind': 'gru' }], seeds: [1, 2] }));
    expect(cells.map((c) => [c.config.network.hidden, c.config.network.kind, c.config.seed, c.config.iterations])).toEqual([
      [64, 'rnn', 1, 50],
      [64, 'rnn', 2, 50],
      [32, 'gru', 1, 50],
      [32, 'gru', 2, 50],
    ]);
  });

  it('refuses a misspelt path, naming the closest field', () => {
    expect(() => expandSweep(parseSweepSpec({ axes: { 'loss.activty': [0, 1] } }))).toThrow(/unknown config path 'loss\.activty': 'loss' has no field 'activty' \(did you mean 'activity'\?\)/);
    expect(() => expandSweep(parseSweepSpec({ cells: [{ 'netwrk.hidden': 8 }] }))).toThrow(/'\(config\)' has no field 'netwrk' \(did you mean 'network'\?\)/);
    expect(() => expandSweep(parseSweepSpec({ axes: { 'network.hidden.size': [8] } }))).toThrow(/'network\.hidden' has no fields/);
  });

  it('accepts paths into a union of a preset name and an object (the arm)', () => {
    expect(configPathError(trainConfigSchema, 'arm.m')).toBeNull();
    expect(configPathError(trainConfigSchema, 'task.delay')).toBeNull();
    expect(configPathError(trainConfigSchema, 'arm.mass')).toMatch(/'arm' has no field 'mass'/);
  });

  it('accepts paths into the feedback block, which fills what a config leaves out before validating it', () => {
    expect(configPathError(trainConfigSchema, 'feedback.visionDelay')).toBeNull();
    expect(configPathError(trainConfigSchema, 'feedback.visonDelay')).toMatch(/'feedback' has no field 'visonDelay' \(did you mean 'visionDelay'\?\)/);
    const [cell] = expandSweep(parseSweepSpec({ axes: { 'feedback.muscleVelocityNoise': [0.001] } }));
    expect(cell.config.feedback).toEqual({ ...DEFAULT_FEEDBACK, muscleVelocityNoise: 0.001 });
  });

  it('refuses the seed as an axis, a cell whose config is invalid, axes and cells together, and unknown spec keys', () => {
    expect(() => expandSweep(parseSweepSpec({ axes: { seed: [1, 2] } }))).toThrow(/list the seeds in "seeds"/);
    expect(() => expandSweep(parseSweepSpec({ axes: { 'network.hidden': [16, -3] } }))).toThrow(/cell 1 \(network\.hidden=-3, seed=1\): invalid training config: network\.hidden/);
    expect(() => parseSweepSpec({ axes: { 'network.hidden': [16] }, cells: [{}] })).toThrow(/either axes .* or cells/);
    expect(() => parseSweepSpec({ axis: { 'network.hidden': [16] } })).toThrow(/unknown key 'axis' \(did you mean 'axes'\?\)/);
    expect(() => parseSweepSpec({ seeds: [1, 1] })).toThrow(/seeds must be distinct/);
  });

  it('setting a dotted path copies the config and creates the objects on the way', () => {
    const base = { loss: { effort: 1 } };
    const out = setConfigPath(base, 'loss.activity', 0.5);
    expect(out).toEqual({ loss: { effort: 1, activity: 0.5 } });
    expect(base).toEqual({ loss: { effort: 1 } });
    expect(setConfigPath({}, 'network.hidden', 8)).toEqual({ network: { hidden: 8 } });
  });
});

describe('results.csv', () => {
  it('has one row per cell with the swept values, numbers that read back to the same double, quoted fields where needed', () => {
    const metrics = Object.fromEntries(METRIC_COLUMNS.map((c, i) => [c.name, i === 3 ? null : 0.1 + i / 3]));
    const rows: ResultRow[] = [
      { cell: 0, state: 'done', values: { 'task.delay': [0.1, 0.2], 'network.kind': 'gru' }, seed: 1, report: 'cells/000/run/report.html', result: { index: 0, values: {}, seed: 1, backend: 'wasm', iterations: 5, metrics, seconds: { total: 1 }, report: 'run/report.html' } },
      { cell: 1, state: 'failed', values: { 'task.delay': [0.2, 0.3], 'network.kind': 'rnn' }, seed: 1, report: 'cells/001/run/report.html', result: null },
    ];
    const lines = resultsCsv(['task.delay', 'network.kind'], rows).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].split(',').slice(0, 6)).toEqual(['cell', 'state', 'task.delay', 'network.kind', 'seed', 'backend']);
    expect(lines[1].startsWith('0,done,"[0.1,0.2]",gru,1,wasm,5,')).toBe(true);
    const fields = lines[1].replace('"[0.1,0.2]"', 'X').split(',');
    const col = (name: string) => lines[0].split(',').indexOf(name);
    expect(Number(fields[col(METRIC_COLUMNS[1].name)])).toBe(0.1 + 1 / 3);
    expect(fields[col(METRIC_COLUMNS[3].name)]).toBe('');
    expect(lines[2]).toMatch(/^1,failed,"\[0\.2,0\.3\]",rnn,1,,,+$/);
    expect(WALL_CLOCK_COLUMNS).toEqual(['train_seconds', 'cell_seconds']);
  });
});

describe('the local executor', () => {
  it('shares the cores out among its jobs: jobs × threads per cell ≤ cores, at least one thread', () => {
    const plan = planSweep(parseSweepSpec({ name: 'w', axes: { 'loss.activity': [0, 0.1] }, seeds: [1] }));
    const threadsOf = (jobs: number) => Number(/--workers (\d+) --run-cell/.exec(localExecutor({ jobs }).describe('/data/sw', plan, [0, 1]))![1]);
    const cores = availableParallelism();
    for (const jobs of [1, 2, 3, 2 * cores]) {
      expect(threadsOf(jobs)).toBe(Math.max(1, Math.floor(cores / jobs)));
      expect(jobs * threadsOf(jobs) <= cores || threadsOf(jobs) === 1).toBe(true);
    }
    expect(localExecutor({ jobs: 1, workers: 3 }).describe('/data/sw', plan, [0])).toMatch(/--workers 3 --run-cell/);
  });
});

describe('the Slurm executor', () => {
  it('writes array indices as Slurm does: consecutive runs collapsed', () => {
    expect(arrayRanges([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(arrayRanges([3])).toBe('3');
    expect(arrayRanges([9, 1, 2, 2])).toBe('1-2,9');
  });

  it('writes one job array whose task id is the cell index, with the spec and option settings', () => {
    const plan = planSweep(parseSweepSpec({ name: 'act', axes: { 'loss.activity': [0, 0.1] }, seeds: [1, 2, 3], slurm: { partition: 'short', time: '00:20:00', mem: '2G', maxConcurrent: 2 } }));
    const script = sbatchScript('/data/sw', plan, [0, 1, 2, 4], { ...plan.spec.slurm, cpusPerTask: 2 });
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    for (const line of ['#SBATCH --job-name=reach-act', '#SBATCH --array=0-2,4%2', '#SBATCH --output=/data/sw/logs/cell-%3a.log', '#SBATCH --cpus-per-task=2', '#SBATCH --partition=short', '#SBATCH --time=00:20:00', '#SBATCH --mem=2G']) {
      expect(script.split('\n')).toContain(line);
    }
    // Each cell trains and analyses on the CPUs its task was given.
    expect(script).toMatch(/\nexec \S+ \S+bin\/reach\.js sweep --workers 2 --run-cell \/data\/sw "\$SLURM_ARRAY_TASK_ID"\n/);
  });

  it('reads array task states from squeue and sacct, skipping other jobs and job steps', () => {
    const q = parseSqueue('12_0|RUNNING|None\n12_3|PENDING|Resources\n13_1|RUNNING|None\n', '12');
    expect([...q.entries()]).toEqual([
      [0, { state: 'RUNNING', reason: 'None' }],
      [3, { state: 'PENDING', reason: 'Resources' }],
    ]);
    const a = parseSacct('12_0|COMPLETED|0:0\n12_0.batch|COMPLETED|0:0\n12_1|TIMEOUT|0:1\n12_2|FAILED|1:0\n', '12');
    expect([...a.entries()]).toEqual([
      [0, 'COMPLETED'],
      [1, 'TIMEOUT (exit 0:1)'],
      [2, 'FAILED (exit 1:0)'],
    ]);
  });
});
