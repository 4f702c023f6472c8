/** Colours shared by the scene and the panels, so a condition looks the same everywhere. */

/** Colour of condition k of n (hue = target direction), as 0xRRGGBB. */
export function conditionColor(k: number, n: number): number {
  return hsl((360 * k) / n, 0.75, 0.55);
}

/** 0xRRGGBB as a CSS colour. */
export function css(c: number): string {
  return `#${c.toString(16).padStart(6, '0')}`;
}

/** HSL (degrees, 0…1, 0…1) to 0xRRGGBB. */
export function hsl(h: number, s: number, l: number): number {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return (f(0) << 16) | (f(8) << 8) | f(4);
}

/**
 * Diverging map for activity in [−1, 1]: blue (−1) → near-white (0) → red (+1), written as RGBA into
 * `out` at byte offset o.
 */
export function divergingRgba(v: number, out: Uint8ClampedArray, o: number): void {
  const x = v < -1 ? -1 : v > 1 ? 1 : v;
  const t = Math.abs(x);
  if (x >= 0) {
    out[o] = 245 - 40 * t;
    out[o + 1] = 245 - 200 * t;
    out[o + 2] = 245 - 210 * t;
  } else {
    out[o] = 245 - 210 * t;
    out[o + 1] = 245 - 160 * t;
    out[o + 2] = 245 - 30 * t;
  }
  out[o + 3] = 255;
}

export const THEME = {
  background: 0x11151c,
  panel: '#11151c',
  axis: '#8a94a6',
  text: '#d7dce5',
  grid: 'rgba(138,148,166,0.18)',
  arm: 0xe8ecf3,
  joint: 0x9aa6b8,
  hand: 0xffd166,
  workspace: 0x3b4556,
  start: 0xb0b8c8,
  force: 0xff7b54,
  field: 0xf4a261,
  spring: 0x7bdff2,
  trail: 0xffd166,
} as const;
