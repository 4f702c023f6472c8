/**
 * Issue 12, defect 8: the smaller probes. An output under /proc fails at once; a run too large for memory
 * is refused before allocation; a huge shape is not printed whole; a non-finite arm state under a hand
 * force field is not blamed on the controller; `reach analyze --input` reads a long CSV and the
 * project's own CSV export; jPCA of a non-rotational input warns that its planes are arbitrary; two
 * trainings of one seed write byte-identical checkpoints.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../core/npy.ts';
import { createRng, normal } from '../../../core/random.ts';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { jpca } from '../../../model/analysis/jpca.ts';
import { reach } from '../reach-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-small-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const C = 8;
const T = 40;
const U = 12;
const DT = 0.01;

/**
 * Activity [C, T, U]: each condition starts at its own point of a random 2-D plane of unit space and
 * either rotates there at `hz` (a planted rotation) or, with hz = 0, decays towards the origin.
 */
function planted(hz: number, seed = 4): Float64Array {
  const rng = createRng(seed);
  const basis = Array.from({ length: 2 * U }, () => normal(rng));
  const out = new Float64Array(C * T * U);
  for (let c = 0; c < C; c++) {
    const a0 = (2 * Math.PI * c) / C;
    for (let t = 0; t < T; t++) {
      const r = hz > 0 ? 1 : Math.exp(-t * DT * 8);
      const a = a0 + 2 * Math.PI * hz * t * DT;
      for (let u = 0; u < U; u++) out[(c * T + t) * U + u] = r * (Math.cos(a) * basis[u] + Math.sin(a) * basis[U + u]) + 0.01 * normal(rng);
    }
  }
  return out;
}

describe('outputs that cannot exist fail at once', () => {
  it('--out under /proc is an error naming the folder, not an endless loop', () => {
    const r = reach(dir, 'run', '--engine', 'analytic', '--out', '/proc/x');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write \/proc\/x: creating its lock \/proc\/x\.lock failed \(ENOENT\)/);
    writeFileSync(join(dir, 'tau.csv'), 'tau1,tau2\n0,0\n0,0\n');
    const s = reach(dir, 'simulate', '--torques', 'tau.csv', '--out', '/proc/x/y');
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/cannot create directory \/proc\/x: ENOENT/);
  });
});

describe('a run too large for memory', () => {
  it('--repeats 1000000 is refused before allocating, with the memory it needs and what is available', () => {
    const r = reach(dir, 'run', '--engine', 'analytic', '--repeats', '1000000', '--out', 'huge');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/8000000 trials of \d+ steps need about [\d.e+]+ GB of memory to record and write, but [\d.e+]+ GB is available; use fewer --repeats/);
    expect(r.stderr).not.toMatch(/Invalid typed array length/);
  });
});

describe('a 20 000-dimension shape', () => {
  it('is named by its first and last sizes and its rank, not printed whole', () => {
    writeFileSync(join(dir, 'deep.npy'), encodeNpy(new Float64Array(1), new Array(20000).fill(1)));
    const r = reach(dir, 'analyze', '--input', 'deep.npy', '--dt', '0.01');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/input must be 3-D \[conditions, times, units\], got shape \[1, 1, 1, …, 1, 1\] \(20000 dimensions\)/);
    expect(r.stderr.length).toBeLessThan(1000);
  });
});

describe('a hand force field that drives the analytic arm out of the numbers', () => {
  it('is named as the cause; the controller is not blamed', () => {
    const r = reach(dir, 'run', '--engine', 'analytic', '--field', 'constant:1e308,1e308', '--out', 'field');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/observed arm state became non-finite in trial 0 .* under finite torques: the hand force field \{"kind":"constant"/);
    expect(r.stderr).not.toMatch(/the controller produced/);
  });
});

describe('reach analyze --input reads CSV', () => {
  const analyze = (...args: string[]) => {
    const r = reach(dir, 'analyze', '--json', ...args);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('a long CSV condition,time,unit,value gives the analysis of the same cube as .npy', () => {
    const cube = planted(2);
    writeFileSync(join(dir, 'cube.npy'), encodeNpy(cube, [C, T, U]));
    // Rows in a scrambled order, units named: the reader places every value by its labels.
    const rows: string[] = [];
    for (let u = U - 1; u >= 0; u--) for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) rows.push(`${c},${(t * DT).toFixed(2)},unit${String(u).padStart(2, '0')},${cube[(c * T + t) * U + u]}`);
    writeFileSync(join(dir, 'long.csv'), `condition,time,unit,value\n${rows.join('\n')}\n`);
    const fromNpy = analyze('--input', 'cube.npy', '--dt', String(DT));
    const fromCsv = analyze('--input', 'long.csv');
    expect(fromCsv.input.shape).toEqual([C, T, U]);
    // The same numbers up to the order of floating-point operations (the CSV's times give dt as (last − first)/(n − 1)).
    expect(fromCsv.jpca.R2_Mskew_kD).toBeCloseTo(fromNpy.jpca.R2_Mskew_kD, 12);
    fromCsv.pca.explainedFraction.forEach((v: number, i: number) => expect(v).toBeCloseTo(fromNpy.pca.explainedFraction[i], 12));
  });

  it("the project's CSV export: hidden units averaged per condition and time, as the run's own hidden array", () => {
    expect(reach(dir, 'run', '--engine', 'analytic', '--out', 'r').status).toBe(0);
    expect(reach(dir, 'export', '--run', 'r', '--format', 'csv').status).toBe(0);
    const run = readRunDir(join(dir, 'r'));
    const hidden = run.byName.hidden;
    writeFileSync(join(dir, 'hidden.npy'), encodeNpy(Float64Array.from(hidden.data), hidden.shape));
    const fromNpy = analyze('--input', 'hidden.npy', '--dt', String(run.dt));
    const fromExport = analyze('--input', join('r', 'export', 'csv'));
    expect(fromExport.input.shape).toEqual(hidden.shape);
    fromExport.pca.explainedFraction.forEach((v: number, i: number) => expect(v).toBeCloseTo(fromNpy.pca.explainedFraction[i], 12));
  });
});

describe('jPCA of a non-rotational input', () => {
  it('warns that M_skew ≈ 0 and the planes are arbitrary; a planted rotation gets no warning', () => {
    const still = jpca(planted(0), [C, T, U], { dt: DT, numPCs: 2 });
    expect(still.warnings.join(' ')).toMatch(/M_skew ≈ 0 .* the jPC planes and their rotation frequencies are arbitrary/);
    expect(jpca(planted(2), [C, T, U], { dt: DT, numPCs: 2 }).warnings).toEqual([]);
    writeFileSync(join(dir, 'still.npy'), encodeNpy(planted(0), [C, T, U]));
    const r = reach(dir, 'analyze', '--input', 'still.npy', '--dt', String(DT), '--pcs', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: M_skew ≈ 0/);
  });
});

describe('checkpoints of one seed', () => {
  it('are byte-identical: no creation date or wall time in the file', () => {
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ seed: 9, batch: 4, network: { hidden: 8 }, task: { kind: 'mixed', steps: 20, delay: [0.05, 0.1] } }));
    for (const out of ['c1', 'c2']) {
      const r = reach(dir, 'train', '--backend', 'cpu', '--config', 'tiny.json', '--iterations', '2', '--out', out, '--export', `${out}.json`);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'c1', 'checkpoint.json')).equals(readFileSync(join(dir, 'c2', 'checkpoint.json')))).toBe(true);
    expect(readFileSync(join(dir, 'c1.json')).equals(readFileSync(join(dir, 'c2.json')))).toBe(true);
    expect(readFileSync(join(dir, 'c1.json'), 'utf8')).not.toMatch(/createdAt|wallTime/);
  });
});
