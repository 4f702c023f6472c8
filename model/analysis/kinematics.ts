/**
 * Kinematic metrics of a single reach (hand path `position: [times, 2]` in m, sampled every dt s),
 * and the minimum-jerk reference of Flash & Hogan (1985, J Neurosci 5:1688):
 * x(t) = x0 + D·(10τ³ − 15τ⁴ + 6τ⁵), τ = t/T, whose speed D/T·30τ²(1 − τ)² is bell-shaped and
 * peaks at 1.875·D/T at mid-movement.
 */

/** Normalised minimum-jerk position s(τ) = 10τ³ − 15τ⁴ + 6τ⁵ (0 at τ ≤ 0, 1 at τ ≥ 1). */
export function minimumJerkShape(tau: number): number {
  const t = Math.min(1, Math.max(0, tau));
  return t * t * t * (10 + t * (-15 + 6 * t));
}

/** Minimum-jerk speed (m/s) at time t (s) of a reach of distance d (m) and duration T (s). */
export function minimumJerkSpeed(t: number, d: number, duration: number): number {
  const tau = t / duration;
  if (tau <= 0 || tau >= 1) return 0;
  return (d / duration) * 30 * tau * tau * (1 - tau) * (1 - tau);
}

/**
 * Minimum-jerk hand path from `start` to `end` (m) lasting `duration` s, sampled every dt s from
 * t = 0 for `samples` samples (holding at the end): [samples, 2].
 */
export function minimumJerkPath(
  start: readonly [number, number],
  end: readonly [number, number],
  duration: number,
  dt: number,
  samples: number,
): Float64Array {
  if (!(duration > 0) || !(dt > 0)) throw new Error('minimum-jerk path needs duration > 0 and dt > 0');
  const out = new Float64Array(samples * 2);
  for (let i = 0; i < samples; i++) {
    const s = minimumJerkShape((i * dt) / duration);
    out[2 * i] = start[0] + (end[0] - start[0]) * s;
    out[2 * i + 1] = start[1] + (end[1] - start[1]) * s;
  }
  return out;
}

/** Options of {@link reachMetrics}. */
export interface ReachOptions {
  /** Sample interval (s). */
  dt: number;
  /** Target position [x, y] (m). */
  target: readonly [number, number];
  /** Start position [x, y] (m) (default: the hand position at the go cue). */
  start?: readonly [number, number];
  /** Sample index of the go cue (default 0). */
  goIndex?: number;
  /** Movement onset/offset threshold as a fraction of the peak speed after go (default 0.1). */
  threshold?: number;
  /** Minimum prominence of a counted speed peak, as a fraction of the peak speed (default 0.1). */
  peakProminence?: number;
  /** Points of the normalised speed profile compared with minimum jerk (default 101). */
  profileSamples?: number;
}

/** Metrics of one reach. Times are in s from the first sample unless stated. */
export interface ReachMetrics {
  /** Hand speed (m/s), central differences: [times]. */
  speed: Float64Array;
  /** Distance from the hand at the last sample to the target (m). */
  endpointError: number;
  /** Distance from the hand at movement offset to the target (m). */
  offsetError: number;
  /** Straight-line start–target distance (m). */
  reachLength: number;
  /** Length of the path travelled between onset and offset (m). */
  pathLength: number;
  peakSpeed: number;
  peakSpeedTime: number;
  /** First crossing of threshold·peak after go (linearly interpolated). */
  onsetTime: number;
  /** onsetTime − go time (s). */
  reactionTime: number;
  /** First fall below threshold·peak after the peak (last sample time if it never falls). */
  offsetTime: number;
  /** Whether the speed fell back below threshold before the end of the trace. */
  ended: boolean;
  /** offsetTime − onsetTime (s). */
  duration: number;
  /** Largest distance of the path (onset…offset) from the start–target line (m). */
  maxPerpendicularDeviation: number;
  /** maxPerpendicularDeviation / reachLength (0 for a straight reach). */
  straightness: number;
  /** Pearson correlation of the peak-normalised speed profile (onset…offset) with minimum jerk over the same threshold crossings. */
  minJerkCorrelation: number;
  /** RMS difference of those two peak-normalised profiles. */
  minJerkRmsDifference: number;
  /** Number of speed peaks after go with prominence ≥ peakProminence·peak. */
  speedPeaks: number;
  singlePeaked: boolean;
}

/** Kinematic metrics of one reach, `position: [times, 2]` (m). */
export function reachMetrics(position: ArrayLike<number>, options: ReachOptions): ReachMetrics {
  const n = position.length / 2;
  const dt = options.dt;
  if (!Number.isInteger(n) || n < 3) throw new Error(`position must be [times ≥ 3, 2], got ${position.length} values`);
  if (!(dt > 0)) throw new Error(`dt must be positive, got ${dt}`);
  for (let i = 0; i < position.length; i++) if (!Number.isFinite(position[i])) throw new Error(`position has a non-finite value at sample ${Math.floor(i / 2)}`);
  const go = options.goIndex ?? 0;
  if (!Number.isInteger(go) || go < 0 || go >= n - 1) throw new Error(`goIndex ${go} is outside 0…${n - 2}`);
  const threshold = options.threshold ?? 0.1;
  if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must lie in (0, 1), got ${threshold}`);
  const target = options.target;
  const start = options.start ?? [position[2 * go], position[2 * go + 1]];

  const speed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    speed[i] = Math.hypot(position[2 * b] - position[2 * a], position[2 * b + 1] - position[2 * a + 1]) / ((b - a) * dt);
  }
  let peakIdx = go;
  for (let i = go; i < n; i++) if (speed[i] > speed[peakIdx]) peakIdx = i;
  const peak = speed[peakIdx];
  const thr = threshold * peak;

  let onset = go * dt;
  let onsetIdx = go;
  for (let i = go; i <= peakIdx; i++) {
    if (speed[i] >= thr) {
      onsetIdx = i;
      onset = i > go && speed[i - 1] < thr ? crossing(i - 1, speed[i - 1], speed[i], thr) * dt : i * dt;
      break;
    }
  }
  let offset = (n - 1) * dt;
  let offsetIdx = n - 1;
  let ended = false;
  for (let i = peakIdx + 1; i < n; i++) {
    if (speed[i] < thr) {
      offsetIdx = i;
      offset = crossing(i - 1, speed[i - 1], speed[i], thr) * dt;
      ended = true;
      break;
    }
  }

  const dx = target[0] - start[0];
  const dy = target[1] - start[1];
  const reachLength = Math.hypot(dx, dy);
  let maxDev = 0;
  let pathLength = 0;
  for (let i = onsetIdx; i <= offsetIdx; i++) {
    const px = position[2 * i] - start[0];
    const py = position[2 * i + 1] - start[1];
    if (reachLength > 0) maxDev = Math.max(maxDev, Math.abs(px * dy - py * dx) / reachLength);
    if (i > onsetIdx) pathLength += Math.hypot(position[2 * i] - position[2 * i - 2], position[2 * i + 1] - position[2 * i - 1]);
  }
  const at = (t: number) => {
    const f = Math.min(n - 1, Math.max(0, t / dt));
    const i = Math.min(n - 2, Math.floor(f));
    const w = f - i;
    return [position[2 * i] * (1 - w) + position[2 * i + 2] * w, position[2 * i + 1] * (1 - w) + position[2 * i + 3] * w];
  };
  const off = at(offset);

  const m = options.profileSamples ?? 101;
  // The minimum-jerk profile between its own threshold crossings: 16τ²(1−τ)² = threshold.
  const tauA = (1 - Math.sqrt(1 - Math.sqrt(threshold))) / 2;
  const tauB = 1 - tauA;
  const measured = new Float64Array(m);
  const reference = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const u = i / (m - 1);
    const f = Math.min(n - 1, (onset + u * (offset - onset)) / dt);
    const j = Math.min(n - 2, Math.floor(f));
    measured[i] = (speed[j] * (1 - (f - j)) + speed[j + 1] * (f - j)) / peak;
    const tau = tauA + u * (tauB - tauA);
    reference[i] = 16 * tau * tau * (1 - tau) * (1 - tau);
  }
  const mMax = Math.max(...measured);
  for (let i = 0; i < m; i++) measured[i] /= mMax > 0 ? mMax : 1;
  let rms = 0;
  for (let i = 0; i < m; i++) rms += (measured[i] - reference[i]) ** 2;

  const peaks = countProminentPeaks(speed.subarray(go), (options.peakProminence ?? 0.1) * peak);
  return {
    speed,
    endpointError: Math.hypot(position[2 * n - 2] - target[0], position[2 * n - 1] - target[1]),
    offsetError: Math.hypot(off[0] - target[0], off[1] - target[1]),
    reachLength,
    pathLength,
    peakSpeed: peak,
    peakSpeedTime: peakIdx * dt,
    onsetTime: onset,
    reactionTime: onset - go * dt,
    offsetTime: offset,
    ended,
    duration: offset - onset,
    maxPerpendicularDeviation: maxDev,
    straightness: reachLength > 0 ? maxDev / reachLength : NaN,
    minJerkCorrelation: pearson(measured, reference),
    minJerkRmsDifference: Math.sqrt(rms / m),
    speedPeaks: peaks,
    singlePeaked: peaks === 1,
  };
}

/** Fractional sample index where the segment (i, a) → (i + 1, b) crosses level c. */
function crossing(i: number, a: number, b: number, c: number): number {
  return b === a ? i + 1 : i + (c - a) / (b - a);
}

/**
 * Number of local maxima whose topographic prominence (height above the higher of the two lowest
 * points separating it from higher terrain on each side, as scipy.signal.peak_prominences) is at
 * least `minProminence`. Plateaus count once; of two equally high peaks the later one counts as the
 * lower, so a shallow dip between equal peaks does not make two.
 */
export function countProminentPeaks(x: ArrayLike<number>, minProminence: number): number {
  const n = x.length;
  let count = 0;
  let i = 1;
  while (i < n - 1) {
    if (x[i] > x[i - 1]) {
      let j = i;
      while (j + 1 < n && x[j + 1] === x[i]) j++;
      if (j + 1 < n && x[j + 1] < x[i]) {
        let leftMin = x[i];
        for (let a = i - 1; a >= 0 && x[a] < x[i]; a--) leftMin = Math.min(leftMin, x[a]);
        let rightMin = x[i];
        for (let b = j + 1; b < n && x[b] <= x[i]; b++) rightMin = Math.min(rightMin, x[b]);
        if (x[i] - Math.max(leftMin, rightMin) >= minProminence) count++;
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return count;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}
