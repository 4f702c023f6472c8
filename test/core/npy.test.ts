/**
 * The `.npy` codec against the format NumPy defines (numpy/lib/format.py, NEP 1): magic "\x93NUMPY",
 * version bytes, little-endian header length (uint16 in 1.0, uint32 in 2.0/3.0), a Python-dict header
 * padded with spaces and a final '\n' so that the data starts at a multiple of 64 bytes, latin-1 header
 * text in 1.0/2.0 and UTF-8 in 3.0.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, NpyError, shapeSize, type NpyArray } from '../../core/npy.ts';
import { createRng, fillNormal, nextUint32, randomInt, type Rng } from '../../core/random.ts';

type Typed = Float32Array | Float64Array | Int32Array;

const bytesOf = (a: Typed) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A file as NumPy lays it out: header padded with spaces to a multiple of `align` bytes, then '\n'. */
function craft(version: 1 | 2 | 3, header: string, payload: Uint8Array, align = 64): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const headerBytes = version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const pad = (align - ((pre + headerBytes.length + 1) % align)) % align;
  const len = headerBytes.length + pad + 1;
  const out = new Uint8Array(pre + len + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, len, true);
  else view.setUint32(8, len, true);
  out.set(headerBytes, pre);
  out.fill(0x20, pre + headerBytes.length, pre + headerBytes.length + pad);
  out[pre + len - 1] = 0x0a;
  out.set(payload, pre + len);
  return out;
}

function randomData(rng: Rng, dtype: NpyArray['dtype'], n: number): Typed {
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => nextUint32(rng) | 0);
  const a = fillNormal(rng, dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
  // Values whose bits a careless codec would change: NaN, ±0, ±Infinity, a subnormal.
  const special = [NaN, -0, Infinity, -Infinity, dtype === 'float32' ? 1e-40 : 5e-324];
  for (let i = 0; i < Math.min(n, special.length); i++) a[randomInt(rng, n)] = special[i];
  return a;
}

describe('.npy codec: round trips', () => {
  const shapes = [[], [0], [5], [2, 3], [3, 0, 2], [4, 3, 2], [1, 1, 1, 7]];
  const dtypes: NpyArray['dtype'][] = ['float32', 'float64', 'int32'];
  const rng = createRng(2024);

  for (const dtype of dtypes) {
    for (const shape of shapes) {
      it(`${dtype} [${shape.join(', ')}]: decode(encode(x)) is bit-identical and re-encodes to the same bytes`, () => {
        const data = randomData(rng, dtype, shapeSize(shape));
        const file = encodeNpy(data, shape);
        // format.py: the data section starts at a multiple of 64 bytes and the header ends in '\n'.
        const headerLen = file[8] | (file[9] << 8);
        expect((10 + headerLen) % 64).toBe(0);
        expect(file[10 + headerLen - 1]).toBe(0x0a);
        const back = decodeNpy(file);
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(bytesOf(back.data)).toEqual(bytesOf(data));
        expect(encodeNpy(back.data, back.shape)).toEqual(file);
      });
    }
  }

  it('writes exactly the bytes NumPy 2.x np.save writes for a float64 (2, 3) array', () => {
    // np.save(f, np.arange(1.0, 7.0).reshape(2, 3)): header length 118 (0x76), 128 bytes before the data.
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    const expected = craft(1, header, bytesOf(new Float64Array([1, 2, 3, 4, 5, 6])));
    expect(Array.from(expected.subarray(0, 10))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]);
    expect(encodeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3])).toEqual(expected);
  });

  it('encodes a view into a larger buffer (non-zero byteOffset) as its own elements only', () => {
    const big = new Float32Array([9, 9, 1.5, -2.5, 9]);
    const view = big.subarray(2, 4);
    expect(Array.from(decodeNpy(encodeNpy(view, [2])).data)).toEqual([1.5, -2.5]);
  });

  it('decodes from a Node Buffer that views a shared pool, returning data it owns', () => {
    const file = encodeNpy(new Int32Array([7, -8, 9]), [3]);
    const pooled = Buffer.from(file); // small Buffers are carved out of a shared allocation pool
    const arr = decodeNpy(pooled);
    expect(Array.from(arr.data)).toEqual([7, -8, 9]);
    expect(arr.data.byteOffset).toBe(0);
    expect(arr.data.buffer.byteLength).toBe(12);
  });
});

describe('.npy codec: headers written by NumPy', () => {
  const payload = bytesOf(new Float64Array([1, 2, 3, 4, 5, 6]));
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";

  for (const version of [1, 2, 3] as const) {
    it(`reads a version ${version}.0 header`, () => {
      const a = decodeNpy(craft(version, header, payload));
      expect(a.dtype).toBe('float64');
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  }

  it('reads 1-D "(6,)" and scalar "()" shapes, Python 2 long dims "(2L, 3L)" and the old 16-byte alignment', () => {
    const f4 = bytesOf(new Float32Array([0.5, 1, 2, 4, 8, 16]));
    const oneD = decodeNpy(craft(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", f4, 16));
    expect(oneD.shape).toEqual([6]);
    expect(Array.from(oneD.data)).toEqual([0.5, 1, 2, 4, 8, 16]);
    const scalar = decodeNpy(craft(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", bytesOf(new Int32Array([-42]))));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([-42]);
    const py2 = decodeNpy(craft(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", payload, 16));
    expect(py2.shape).toEqual([2, 3]);
  });

  it('reads keys in another order and a zero-size array', () => {
    const a = decodeNpy(craft(1, "{'shape': (3, 0), 'fortran_order': False, 'descr': '<f4'}", new Uint8Array(0)));
    expect(a.shape).toEqual([3, 0]);
    expect(a.data.length).toBe(0);
  });

  it('rejects with NpyError: big-endian, Fortran order, int64, bad magic, version 4, truncated data', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [craft(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", payload), /unsupported dtype '>f8'/],
      [craft(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", payload), /Fortran/],
      [craft(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (6,), }", payload), /unsupported dtype '<i8'/],
      [Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0, 0]), /magic/],
      [(() => { const b = craft(1, header, payload); b[6] = 4; return b; })(), /version 4/],
      [craft(1, header, payload).subarray(0, 128 + 40), /truncated/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeNpy(bytes)).toThrow(NpyError);
      expect(() => decodeNpy(bytes)).toThrow(message);
    }
  });
});

describe('.npy codec: the fixture recordings', () => {
  const load = (rel: string) => decodeNpy(new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url)))));

  it('Churchland 2012 subset: activity [10, 61, 50] float64 with values NumPy reads; times −50 … 550 ms in 10 ms steps', () => {
    const activity = load('churchland2012-subset/activity.npy');
    expect(activity.dtype).toBe('float64');
    expect(activity.shape).toEqual([10, 61, 50]);
    // First three values as numpy.load reads them.
    expect(activity.data[0]).toBeCloseTo(-0.04417787, 8);
    expect(activity.data[1]).toBeCloseTo(-0.00013582, 8);
    expect(activity.data[2]).toBeCloseTo(0.00024789, 8);
    // Range-normalised rates: finite and within ±1.
    expect(activity.data.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    const times = load('churchland2012-subset/times_ms.npy');
    expect(times.shape).toEqual([61]);
    expect(times.data[0]).toBe(-50);
    expect(times.data[60]).toBe(550);
    for (let i = 1; i < 61; i++) expect(times.data[i] - times.data[i - 1]).toBe(10);
  });

  it('Russo 2018 EMG: [2, 3530, 29] float64, non-negative', () => {
    const emg = load('russo2018-emg/emg.npy');
    expect(emg.shape).toEqual([2, 3530, 29]);
    expect(emg.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});

describe('.npy codec: malformed input', () => {
  /** Whatever decodeNpy returns must be self-consistent. */
  function checkConsistent(a: NpyArray, bytes: Uint8Array): void {
    expect(a.shape.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
    expect(a.data.length).toBe(shapeSize(a.shape));
    const ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[a.dtype];
    expect(a.data).toBeInstanceOf(ctor);
    // The data are the last bytes of the file.
    expect(bytesOf(a.data)).toEqual(bytes.subarray(bytes.length - a.data.byteLength));
    const again = decodeNpy(bytes);
    expect(again.shape).toEqual(a.shape);
    expect(bytesOf(again.data)).toEqual(bytesOf(a.data));
  }

  const ALPHABET = "{}()[],:' \n\t0123456789LTrueFalse<>|fi48descrfortran_ordershape\u00e9\u0000\u00ff";

  function mutate(rng: Rng, file: Uint8Array): Uint8Array {
    const b = Array.from(file);
    const headerEnd = Math.min(b.length, 140);
    const ops = 1 + randomInt(rng, 3);
    for (let o = 0; o < ops; o++) {
      const at = randomInt(rng, Math.max(1, headerEnd));
      switch (randomInt(rng, 6)) {
        case 0: // flip a byte anywhere in the preamble or header
          b[at] = nextUint32(rng) & 0xff;
          break;
        case 1: // a character NumPy headers are made of
          b[at] = ALPHABET.charCodeAt(randomInt(rng, ALPHABET.length)) & 0xff;
          break;
        case 2: // delete a header byte
          b.splice(at, 1);
          break;
        case 3: // insert a header byte
          b.splice(at, 0, ALPHABET.charCodeAt(randomInt(rng, ALPHABET.length)) & 0xff);
          break;
        case 4: // truncate
          b.length = randomInt(rng, b.length + 1);
          break;
        default: // rewrite the header length field
          b[8 + randomInt(rng, 4)] = nextUint32(rng) & 0xff;
      }
    }
    return Uint8Array.from(b);
  }

  it('hundreds of mutated or truncated files either decode consistently or throw NpyError', () => {
    const rng = createRng(99);
    const bases: Uint8Array[] = [];
    for (const version of [1, 2, 3] as const) {
      bases.push(craft(version, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", bytesOf(new Float64Array(6).fill(1.5))));
      bases.push(craft(version, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", bytesOf(new Int32Array([3]))));
      bases.push(craft(version, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0, 4), }", new Uint8Array(0)));
    }
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 600; i++) {
      const bytes = mutate(rng, bases[i % bases.length]);
      let result: NpyArray | null = null;
      try {
        result = decodeNpy(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(NpyError);
        rejected++;
      }
      if (result) {
        checkConsistent(result, bytes);
        decoded++;
      }
    }
    // Both branches are exercised: some mutations (e.g. in padding) leave a valid file.
    expect(decoded).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(300);
  });

  it('long whitespace headers without a closing brace are rejected, not parsed with catastrophic regex backtracking', () => {
    for (const version of [1, 2] as const) {
      const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ${' '.repeat(60000)}x`;
      expect(() => decodeNpy(craft(version, header, new Uint8Array(8)))).toThrow(NpyError);
    }
  });

  it('a version 3.0 header that is not valid UTF-8 throws NpyError', () => {
    const file = craft(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
    file[20] = 0xff;
    expect(() => decodeNpy(file)).toThrow(NpyError);
  });
});
