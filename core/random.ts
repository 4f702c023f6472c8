/**
 * Seeded pseudo-random numbers. Every stochastic part of the project takes an `Rng` argument so that
 * the same seed gives the same numbers; `Math.random()` is never used.
 */

/** Generator state: plain data, so it can be copied, saved in a checkpoint and restored. */
export interface Rng {
  /** sfc32 state words. */
  s: Uint32Array;
  /** Spare standard normal from the last Box–Muller pair, or NaN when none is cached. */
  spare: number;
}

/** A generator from a 32-bit integer seed (sfc32 seeded through splitmix32, warmed up 12 draws). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  let x = seed >>> 0;
  const next = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const rng: Rng = { s: new Uint32Array([next(), next(), next(), next()]), spare: NaN };
  for (let i = 0; i < 12; i++) nextUint32(rng);
  return rng;
}

/**
 * The seed of stream `index` of a run seeded `seed` (a trial's noise, say): a hash of the pair, so that
 * each stream depends on nothing else and nearby seeds or indices give unrelated streams.
 */
export function streamSeed(seed: number, index: number): number {
  if (!Number.isInteger(seed) || !Number.isInteger(index)) throw new Error(`seed and stream index must be integers, got ${seed}, ${index}`);
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul((index >>> 0) + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** An independent generator derived from `rng` (for handing to a sub-component). */
export function forkRng(rng: Rng): Rng {
  return createRng(nextUint32(rng) ^ (nextUint32(rng) << 1));
}

/** Copy of the generator state. */
export function cloneRng(rng: Rng): Rng {
  return { s: new Uint32Array(rng.s), spare: rng.spare };
}

/** Next uniform 32-bit unsigned integer. */
export function nextUint32(rng: Rng): number {
  const s = rng.s;
  const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
  s[3] = (s[3] + 1) >>> 0;
  s[0] = s[1] ^ (s[1] >>> 9);
  s[1] = (s[2] + (s[2] << 3)) >>> 0;
  s[2] = (s[2] << 21) | (s[2] >>> 11);
  s[2] = (s[2] + t) >>> 0;
  return t;
}

/** Uniform in [0, 1) with 53 random bits. */
export function uniform(rng: Rng): number {
  const hi = nextUint32(rng) >>> 5;
  const lo = nextUint32(rng) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Uniform in [lo, hi). */
export function uniformIn(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * uniform(rng);
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(uniform(rng) * n);
}

// normal()'s one draw.
const oneNormal = new Float64Array(1);

/** Standard normal (Box–Muller, both values used): one draw of {@link fillNormalBoxMuller}. */
export function normal(rng: Rng): number {
  fillNormalBoxMuller(rng, oneNormal);
  return oneNormal[0];
}

/**
 * Fill `out` with standard normals by Box–Muller, both values of each pair used: the spare cached in
 * `rng` first, and the last pair's second value cached when out.length leaves it over. So fills of any
 * lengths, and {@link normal} calls (fills of one), continue one stream. Training reads sensory noise
 * this way, ~10⁵ values per iteration, without a number allocated per draw.
 */
export function fillNormalBoxMuller(rng: Rng, out: Float64Array): Float64Array {
  let i = 0;
  if (out.length > 0 && !Number.isNaN(rng.spare)) {
    out[i++] = rng.spare;
    rng.spare = NaN;
  }
  for (; i < out.length; i += 2) {
    let u = 0;
    while (u === 0) u = uniform(rng);
    const v = uniform(rng);
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    const second = r * Math.sin(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = second;
    else rng.spare = second;
  }
  return out;
}

// Ziggurat tables for the standard normal, 128 layers (Marsaglia & Tsang 2000, "The Ziggurat Method
// for Generating Random Variables", J Stat Softw 5(8)), built once.
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_M = 2147483648;
const zigK = new Float64Array(128);
const zigW = new Float64Array(128);
const zigF = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  zigK[0] = (dn / q) * ZIG_M;
  zigK[1] = 0;
  zigW[0] = q / ZIG_M;
  zigW[127] = dn / ZIG_M;
  zigF[0] = 1;
  zigF[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    zigK[i + 1] = (dn / tn) * ZIG_M;
    tn = dn;
    zigF[i] = Math.exp(-0.5 * dn * dn);
    zigW[i] = dn / ZIG_M;
  }
}

/**
 * Fill `out` with independent N(mean, sd²) draws and return it, by the ziggurat method with the layer
 * index and the value taken from separate 32-bit draws (Doornik 2005's fix of the original's
 * correlation). This runs ~10⁶ times per training iteration (hidden noise), where Box–Muller's
 * log/sqrt/sin/cos cost a quarter of the iteration.
 */
export function fillNormal<T extends Float32Array | Float64Array>(rng: Rng, out: T, mean = 0, sd = 1): T {
  // The sfc32 state lives in int32 locals through the loop (nextUint32's steps, inlined, mod 2³² in
  // int32 arithmetic: the same words); it goes back to `rng` around the rare draws that call `uniform`.
  // Same draws in the same order as one nextUint32 at a time, at half the cost.
  const st = rng.s;
  let s0 = st[0] | 0;
  let s1 = st[1] | 0;
  let s2 = st[2] | 0;
  let s3 = st[3] | 0;
  for (let i = 0; i < out.length; i++) {
    for (;;) {
      let t = (s0 + s1 + s3) | 0;
      s3 = (s3 + 1) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
      const iz = t & 127;
      t = (s0 + s1 + s3) | 0;
      s3 = (s3 + 1) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
      const hz = t;
      const x = hz * zigW[iz];
      if (Math.abs(hz) < zigK[iz]) {
        out[i] = mean + sd * x;
        break;
      }
      st[0] = s0;
      st[1] = s1;
      st[2] = s2;
      st[3] = s3;
      const accepted = zigguratEdge(rng, iz, hz, x, out, i, mean, sd);
      s0 = st[0] | 0;
      s1 = st[1] | 0;
      s2 = st[2] | 0;
      s3 = st[3] | 0;
      if (accepted) break;
    }
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  return out;
}

/**
 * The ziggurat's rare case for layer `iz` and draw `hz` (x = hz·w): writes mean + sd·(accepted value)
 * into out[i] and returns true, or returns false to draw again. (Writing, not returning, the value
 * spares allocating a number per call.)
 */
function zigguratEdge(rng: Rng, iz: number, hz: number, x: number, out: Float32Array | Float64Array, i: number, mean: number, sd: number): boolean {
  if (iz === 0) {
    // Tail beyond R: Marsaglia's exponential rejection.
    let t: number;
    let y: number;
    do {
      t = -Math.log(1 - uniform(rng)) / ZIG_R;
      y = -Math.log(1 - uniform(rng));
    } while (y + y < t * t);
    out[i] = mean + sd * (hz > 0 ? ZIG_R + t : -ZIG_R - t);
    return true;
  }
  if (!(zigF[iz] + uniform(rng) * (zigF[iz - 1] - zigF[iz]) < Math.exp(-0.5 * x * x))) return false;
  out[i] = mean + sd * x;
  return true;
}
