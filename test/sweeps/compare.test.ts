import { describe, expect, it } from 'vitest';
import { gradientFlowComparison } from '../../experiments/report/figures.ts';
import type { TrainingLog } from '../../experiments/report/training-log.ts';
import { planSweep } from '../../experiments/sweeps/layout.ts';
import { compareSpec } from '../../experiments/sweeps/compare.ts';

describe('reach compare is a sweep over network.kind × seeds', () => {
  it('by default an RNN, a GRU and an LSTM of 64 units learn the same task for 1000 iterations, over seeds 1–3', () => {
    const plan = planSweep(compareSpec());
    expect(plan.cells.map((c) => [c.config.network.kind, c.seed])).toEqual([
      ['rnn', 1], ['rnn', 2], ['rnn', 3],
      ['gru', 1], ['gru', 2], ['gru', 3],
      ['lstm', 1], ['lstm', 2], ['lstm', 3],
    ]);
    // The same task and training: the configs differ only in the cell kind and the seed.
    const strip = (c: (typeof plan.cells)[number]) => ({ ...c.config, seed: 0, network: { ...c.config.network, kind: 'any' } });
    for (const c of plan.cells) expect(strip(c)).toEqual(strip(plan.cells[0]));
    expect(plan.cells[0].config.network.hidden).toBe(64);
    expect(plan.cells[0].config.iterations).toBe(1000);
  });

  it('the flags override the base config; a base config field not overridden is kept', () => {
    const spec = compareSpec({ kinds: ['lstm', 'rnn'], hidden: 8, iterations: 5, seeds: [4], base: { batch: 3, network: { hidden: 128, tau: 0.1 } } });
    const cells = planSweep(spec).cells;
    expect(cells.map((c) => [c.config.network.kind, c.config.network.hidden, c.config.network.tau, c.config.iterations, c.config.batch, c.seed])).toEqual([
      ['lstm', 8, 0.1, 5, 3, 4],
      ['rnn', 8, 0.1, 5, 3, 4],
    ]);
  });

  it('refuses repeated kinds and an invalid base config before anything runs', () => {
    expect(() => compareSpec({ kinds: ['rnn', 'rnn'] })).toThrow(/distinct/);
    expect(() => planSweep(compareSpec({ base: { batchh: 3 } }))).toThrow(/batch/);
  });
});

describe('the comparison draws gradient flow per seed', () => {
  /** A log whose last snapshot decays geometrically back through 20 steps: ‖∂L/∂h_t‖ = a·r^(19−t). */
  const log = (a: number, r: number): TrainingLog => ({
    source: 'synthetic',
    iterations: [],
    gradientFlow: [{ iteration: 10, norms: Array.from({ length: 20 }, (_, t) => a * r ** (19 - t)) }],
    totalIterations: 10,
    finalLossTotal: 0,
  });

  it('two seeds of one kind are two lines of one colour, each divided by its own maximum', () => {
    const fig = gradientFlowComparison([
      { label: 'gru', log: log(3, 0.9), seed: 1 },
      { label: 'gru', log: log(0.5, 0.7), seed: 2 },
      { label: 'rnn', log: log(1, 0.5), seed: 1 },
    ]);
    const spec = fig.spec as { data: { values: Array<{ network: string; seed: number; step: number; norm: number }> }; encoding: { color: { scale: { domain: string[] } }; detail?: { field: string } } };
    expect(spec.encoding.detail?.field).toBe('seed');
    expect(spec.encoding.color.scale.domain).toEqual(['gru (iteration 10)', 'rnn (iteration 10)']);
    const at = (network: string, seed: number, step: number) => spec.data.values.find((v) => v.network.startsWith(network) && v.seed === seed && v.step === step)!.norm;
    expect(at('gru', 1, 19)).toBe(1);
    expect(at('gru', 2, 19)).toBe(1);
    expect(at('gru', 1, 0)).toBeCloseTo(0.9 ** 19, 6);
    expect(at('gru', 2, 0)).toBeCloseTo(0.7 ** 19, 9);
  });
});
