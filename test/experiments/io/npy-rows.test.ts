/** Reading a `.npy` file a block of rows at a time, through byte offsets, and checking its SHA-256 first. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../core/npy.ts';
import { copyFileAtomic } from '../../../experiments/io/files.ts';
import { openNpyRows } from '../../../experiments/io/npy-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'reach-npy-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// [5, 3, 2] with element (i, j, c) = 100 i + 10 j + c.
const cube = Float64Array.from({ length: 30 }, (_, n) => 100 * Math.floor(n / 6) + 10 * Math.floor((n % 6) / 2) + (n % 2));
const path = join(dir, 'cube.npy');
writeFileSync(path, encodeNpy(cube, [5, 3, 2]));
const sha = createHash('sha256').update(readFileSync(path)).digest('hex');

describe('openNpyRows', () => {
  it('rows [i, i + n) are elements 100 i + 10 j + c of the array, read at their byte offset', () => {
    const r = openNpyRows(path);
    try {
      expect([r.dtype, r.shape, r.rowSize]).toEqual(['float64', [5, 3, 2], 6]);
      expect(Array.from(r.read(3, 1))).toEqual([300, 301, 310, 311, 320, 321]);
      expect(Array.from(r.read(1, 2))).toEqual([100, 101, 110, 111, 120, 121, 200, 201, 210, 211, 220, 221]);
      expect(Array.from(r.readAll())).toEqual(Array.from(cube));
      expect(() => r.read(4, 2)).toThrow(/rows \[4, 6\) are outside the array's 5 rows/);
    } finally {
      r.close();
    }
  });

  it('a v2.0 header (NumPy writes one past 65535 bytes) moves the data: rows still come from the right offset', () => {
    // Same header dict padded to a v2.0 preamble: magic, version 2.0, uint32 header length.
    const v1 = encodeNpy(new Int32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    const headerLen = v1[8] | (v1[9] << 8);
    const header = Buffer.from(v1.subarray(10, 10 + headerLen)).toString('latin1').trimEnd();
    const padded = header + ' '.repeat((64 - ((12 + header.length + 1) % 64)) % 64) + '\n';
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
    pre.writeUInt32LE(padded.length, 8);
    const v2 = join(dir, 'v2.npy');
    writeFileSync(v2, Buffer.concat([pre, Buffer.from(padded, 'latin1'), Buffer.from(v1.subarray(10 + headerLen))]));
    const r = openNpyRows(v2);
    try {
      expect(Array.from(r.read(2, 1))).toEqual([5, 6]);
    } finally {
      r.close();
    }
  });

  it('verify gets the SHA-256 of the whole file before any row is read, and can refuse it', () => {
    let seen = '';
    openNpyRows(path, (s) => (seen = s)).close();
    expect(seen).toBe(sha);
    expect(() => openNpyRows(path, () => { throw new Error('not the listed file'); })).toThrow('not the listed file');
  });

  it('a truncated file is refused at open, naming it', () => {
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, readFileSync(path).subarray(0, 200));
    expect(() => openNpyRows(cut)).toThrow(/cut\.npy: data section has \d+ bytes but shape \[5, 3, 2\] of float64 needs 240 \(truncated file\?\)/);
  });
});

describe('copyFileAtomic', () => {
  it('copies the bytes and hands their SHA-256 to verify; a refused copy leaves nothing behind', () => {
    const dest = join(dir, 'out', 'copy.npy');
    let seen = '';
    copyFileAtomic(path, dest, (s) => (seen = s));
    expect(readFileSync(dest).equals(readFileSync(path))).toBe(true);
    expect(seen).toBe(sha);
    const refused = join(dir, 'out', 'refused.npy');
    expect(() => copyFileAtomic(path, refused, () => { throw new Error('SHA-256 differs'); })).toThrow('SHA-256 differs');
    expect(() => readFileSync(refused)).toThrow(/ENOENT/);
  });
});
