/**
 * Where a training iteration's time goes: V8's sampling profiler (node:inspector) runs over a few
 * iterations on this thread (one worker) and each sample is put in the part of the iteration it falls
 * in, from the innermost frame that belongs to a known part: the plant (sim/'s RK4 step and Jacobians),
 * the cell's forward and backward steps, matrix products (tfjs and its wasm kernels, split by whether a
 * forward or a backward step called them), noise draws, sensory feedback, readout and losses (the
 * episode loop), shard sums and Adam. The code under test is not instrumented.
 */
import { Session } from 'node:inspector';
import { ROWS_PRODUCT_NAME } from '../../model/cells/products.ts';
import { KERNEL_NAME_PREFIX } from '../../model/cells/simd.ts';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts of an iteration, in the order printed. */
export const PROFILE_PARTS = [
  'plant',
  'cell forward',
  'cell backward',
  'matMul (forward)',
  'matMul (backward)',
  'matMul (weight gradients)',
  'noise',
  'feedback, observation, trial sampling',
  'readout, losses, episode loop',
  'shard sum, clipping, Adam',
  'garbage collection',
  'other',
] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];

export interface ProfileRow {
  part: ProfilePart;
  /** Milliseconds per iteration. */
  ms: number;
  /** Share of the profiled time. */
  share: number;
}

/** The project module of a frame ('model/cells/rnn'), or '' for Node's and dependencies'. */
const file = (f: CallFrame) => (f.url.includes('node_modules') ? '' : /\/((?:core|sim|model|experiments)\/.*)\.[jt]s$/.exec(f.url)?.[1] ?? '');
const isTf = (f: CallFrame) => f.url.includes('@tensorflow') || f.url.startsWith('wasm://') || f.functionName.startsWith('wasm-function') || file(f) === 'model/tf-matmul' || file(f) === 'model/cells/products';

/** The part a frame belongs to, or null when it only passes calls on. */
function partOf(f: CallFrame, callers: CallFrame[]): ProfilePart | null {
  if (f.functionName === '(garbage collector)') return 'garbage collection';
  if (f.functionName === ROWS_PRODUCT_NAME) return 'matMul (weight gradients)';
  // The cells' own SIMD kernels are wasm too, but element-wise cell work.
  if (f.functionName.startsWith(KERNEL_NAME_PREFIX)) return callers.find((c) => file(c).startsWith('model/cells/'))?.functionName === 'forward' ? 'cell forward' : 'cell backward';
  if (isTf(f)) {
    const cellCaller = callers.find((c) => file(c).startsWith('model/cells/') && !isTf(c));
    if (!cellCaller) return null;
    return cellCaller.functionName === 'forward' ? 'matMul (forward)' : cellCaller.functionName === 'finish' ? 'matMul (weight gradients)' : 'matMul (backward)';
  }
  const m = file(f);
  if (m.startsWith('model/cells/')) {
    // Helpers shared by both directions count where they are called from.
    const dir = [f, ...callers].find((c) => c.functionName === 'forward' || c.functionName === 'backward' || c.functionName === 'finish');
    return dir?.functionName === 'forward' ? 'cell forward' : 'cell backward';
  }
  if (m === 'sim/feedback' || m.startsWith('sim/tasks/')) return 'feedback, observation, trial sampling';
  if (m === 'core/random') return 'noise';
  if (m === 'sim/hand-jacobian') return 'readout, losses, episode loop';
  if (m.startsWith('sim/') || m === 'model/plant') return 'plant';
  if (m === 'model/episode' || m === 'model/network' || m === 'model/losses') return 'readout, losses, episode loop';
  if (m === 'model/adam' || m === 'model/shards' || m === 'model/train') return 'shard sum, clipping, Adam';
  return null;
}

/** Profile `run` (which runs `iterations` training iterations) and split its time into parts. */
export async function profileIterations(iterations: number, run: () => Promise<void>): Promise<ProfileRow[]> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  try {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
    await run();
    const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
    return splitProfile(profile, iterations);
  } finally {
    session.disconnect();
  }
}

function splitProfile(profile: CpuProfile, iterations: number): ProfileRow[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOfNode = new Map<number, ProfilePart | 'idle'>();
  const resolvePart = (id: number): ProfilePart | 'idle' => {
    const known = partOfNode.get(id);
    if (known) return known;
    const chain: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!.callFrame);
    let part: ProfilePart | 'idle' = chain[0].functionName === '(idle)' || chain[0].functionName === '(program)' ? 'idle' : 'other';
    for (let i = 0; i < chain.length && part === 'other'; i++) part = partOf(chain[i], chain.slice(i + 1)) ?? 'other';
    partOfNode.set(id, part);
    return part;
  };
  const totals = new Map<ProfilePart, number>(PROFILE_PARTS.map((p) => [p, 0]));
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const part = resolvePart(id);
    if (part === 'idle') return;
    const us = profile.timeDeltas[i] ?? 0;
    totals.set(part, totals.get(part)! + us);
    busy += us;
  });
  return PROFILE_PARTS.map((part) => ({ part, ms: totals.get(part)! / 1000 / iterations, share: busy ? totals.get(part)! / busy : 0 }));
}
