/**
 * `reach compare` as a library: several network kinds learn the same task over several seeds. It is a
 * ready-made sweep — axis `network.kind` × seeds over one base training config — run by the sweep
 * runner (any executor, resumable like any sweep), whose report.html is the comparison report
 * (experiments/sweeps/compare-report.ts) instead of the generic one.
 */
import { CELL_KINDS, type CellKind } from '../../model/cells/index.ts';
import { compareReportHtml, KIND_PATH } from './compare-report.ts';
import { setConfigPath } from './config-paths.ts';
import { runSweep, type SweepOptions, type SweepOutcome } from './runner.ts';
import { parseSweepSpec, type SweepSpec } from './spec.ts';

export interface CompareOptions {
  /** Network kinds compared, in the report's order. Default rnn, gru, lstm. */
  kinds?: readonly CellKind[];
  /** Hidden units of every network (overrides the base config). Default 64. */
  hidden?: number;
  /** Training iterations of every network (overrides the base config). Default 1000. */
  iterations?: number;
  /** Seeds; every kind trains, runs and is analysed once per seed. Default 1, 2, 3. */
  seeds?: readonly number[];
  /** Training config every network starts from (the `reach train --config` format). Default: the training defaults. */
  base?: Record<string, unknown>;
  /** Closed-loop run of every network (a sweep spec's `run`). Default: that of `reach experiment`. */
  run?: Record<string, unknown>;
  /** Search for fixed points of every controller. Default true. */
  fixedPoints?: boolean;
  /** tfjs backend of the trainings. Default auto. */
  backend?: string;
}

export const COMPARE_DEFAULTS = { kinds: CELL_KINDS, hidden: 64, iterations: 1000, seeds: [1, 2, 3] } as const;

/** The sweep spec of a comparison (validated: an unknown kind or an invalid base config is refused here). */
export function compareSpec(o: CompareOptions = {}): SweepSpec {
  const kinds = o.kinds ?? COMPARE_DEFAULTS.kinds;
  const hidden = o.hidden ?? COMPARE_DEFAULTS.hidden;
  const iterations = o.iterations ?? COMPARE_DEFAULTS.iterations;
  if (kinds.length === 0) throw new Error('compare: give at least one network kind');
  if (new Set(kinds).size !== kinds.length) throw new Error(`compare: network kinds must be distinct, got ${kinds.join(', ')}`);
  const base = setConfigPath(setConfigPath(o.base ?? {}, 'network.hidden', hidden), 'iterations', iterations);
  return parseSweepSpec(
    {
      name: 'compare',
      description: `Which network looks most like motor cortex? ${kinds.join(', ')} with ${hidden} units, ${iterations} training iterations each, on the same task, over seeds ${(o.seeds ?? COMPARE_DEFAULTS.seeds).join(', ')}.`,
      base,
      axes: { [KIND_PATH]: [...kinds] },
      seeds: [...(o.seeds ?? COMPARE_DEFAULTS.seeds)],
      ...(o.backend === undefined ? {} : { backend: o.backend }),
      ...(o.run === undefined ? {} : { run: o.run }),
      analysis: { fixedPoints: o.fixedPoints ?? true },
    },
    'compare',
  );
}

/** Run a comparison to the end (see the module note); `sweep` are the runner's options but the report. */
export function runCompare(o: CompareOptions, sweep: Omit<SweepOptions, 'report'>): Promise<SweepOutcome> {
  return runSweep(compareSpec(o), { ...sweep, report: compareReportHtml });
}
