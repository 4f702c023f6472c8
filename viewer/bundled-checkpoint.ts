/**
 * The controllers the viewer bundles (models/default-controller.json and the muscle arm's), validated by
 * parseCheckpoint when the viewer is built (vite.config.ts) and shipped packed: the validated checkpoint
 * as JSON with its typed arrays (weights, generator state) in one base64 block. Unpacking is JSON.parse,
 * one native base64 decode and typed-array copies, a few ms on the main thread, with no zod schema built or run:
 * the page's first frame does not wait for the validation a user's file gets (checkpoint-loader.ts).
 * A file that fails validation fails the build with parseCheckpoint's message.
 */
import type { Checkpoint } from '../model/checkpoint.ts';

/** A validated checkpoint, packed: `json` refers to the typed arrays by their place in `data` (base64). */
export interface PackedCheckpoint {
  json: string;
  data: string;
}

/** A typed array in the JSON: its kind, and its byte offset and element count in the data block. */
interface ArrayRef {
  $array: ArrayKind;
  offset: number;
  length: number;
}
/** A number JSON cannot hold (NaN, ±Infinity: an endpoint error of no trial, a spare normal not drawn). */
interface NumberRef {
  $number: 'NaN' | 'Infinity' | '-Infinity';
}

const ARRAYS = { Float32Array, Float64Array, Uint32Array, Int32Array } as const;
type ArrayKind = keyof typeof ARRAYS;
type AnyArray = InstanceType<(typeof ARRAYS)[ArrayKind]>;

function arrayKind(v: ArrayBufferView): ArrayKind {
  const kind = (Object.keys(ARRAYS) as ArrayKind[]).find((k) => v instanceof ARRAYS[k]);
  if (!kind) throw new Error(`a checkpoint holds a ${v.constructor.name}, which packCheckpoint does not write`);
  return kind;
}

/** Pack a checkpoint that parseCheckpoint returned. */
export function packCheckpoint(ck: Checkpoint): PackedCheckpoint {
  const arrays: AnyArray[] = [];
  let bytes = 0;
  const json = JSON.stringify(ck, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) } as NumberRef;
    if (!ArrayBuffer.isView(v)) return v;
    const $array = arrayKind(v);
    // Each array starts at a multiple of 8 bytes so the page can read any kind in place.
    const offset = Math.ceil(bytes / 8) * 8;
    arrays.push(v as AnyArray);
    bytes = offset + v.byteLength;
    return { $array, offset, length: (v as AnyArray).length } satisfies ArrayRef;
  });
  const data = new Uint8Array(bytes);
  let at = 0;
  for (const a of arrays) {
    at = Math.ceil(at / 8) * 8;
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  let binary = '';
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return { json, data: btoa(binary) };
}

/** Native base64 decoding (browsers since 2025; not Node 20). */
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> }).fromBase64?.bind(Uint8Array);

/** Bytes of base64 `text`: natively where the runtime can, else through atob (a JS loop, ~70 ms for a bundled controller in a loaded browser). */
function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  if (fromBase64) return fromBase64(text);
  const binary = atob(text);
  const data = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
  return data;
}

/** The checkpoint packCheckpoint packed; every typed array owns its buffer. */
export function unpackCheckpoint(packed: PackedCheckpoint): Checkpoint {
  const data = base64Bytes(packed.data);
  return JSON.parse(packed.json, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    if ('$number' in v) return Number((v as NumberRef).$number);
    if (!('$array' in v)) return v;
    const { $array, offset, length } = v as ArrayRef;
    return new ARRAYS[$array](data.buffer.slice(offset, offset + length * ARRAYS[$array].BYTES_PER_ELEMENT));
  }) as Checkpoint;
}
