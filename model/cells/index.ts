/**
 * The cell registry: network specs name their cell here, and callers look it up once with `cellOf`.
 * Adding a cell is one module exporting a `Cell` plus one line below.
 */
import type { Cell } from './cell.ts';
import { gruCell } from './gru.ts';
import { lstmCell } from './lstm.ts';
import { rnnCell } from './rnn.ts';

export type { Cell, MatOps, StatePart, StepCache, StepMap } from './cell.ts';

/** Cell kinds a network spec may name. */
export const CELL_KINDS = ['rnn', 'gru', 'lstm'] as const;
/** A recurrent cell type: leaky vanilla RNN, GRU or LSTM. */
export type CellKind = (typeof CELL_KINDS)[number];

const CELLS: Record<CellKind, Cell> = { rnn: rnnCell, gru: gruCell, lstm: lstmCell };

/** The cell a spec names. */
export function cellOf(spec: { kind: CellKind }): Cell {
  return CELLS[spec.kind];
}
