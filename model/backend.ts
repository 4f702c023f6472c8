/**
 * The tfjs backend, chosen in one place: @tensorflow/tfjs-node where it is installed and loads (it is an
 * optional dependency whose install downloads libtensorflow), else the wasm backend, else cpu.
 * The name of the backend that ran goes into every log, checkpoint and benchmark. tfjs itself is loaded
 * here, on first use, so that importing the backend names costs nothing (the CLI's help, option parsing).
 */
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;

/** The TensorFlow.js backend in use: native (tfjs-node), WebAssembly or plain JavaScript. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** Backends `initBackend` accepts; auto takes the fastest one installed. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** One of BACKEND_CHOICES. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A CommonJS loader: Node's `require`. */
type Require = (id: string) => unknown;

/**
 * Node's `require`, or null outside Node (the viewer's bundle imports). tfjs and its backends are
 * CommonJS bundles: imported from an ES module, Node scans every bundle they re-export for its export
 * names (cjs-module-lexer), ~0.7 s of CPU per thread, on every thread that trains; `require` loads the
 * same modules without the scan (measured: tfjs + wasm backend ready in 0.27–0.40 s of CPU instead of
 * 0.97–1.16 s).
 */
async function nodeRequire(): Promise<Require | null> {
  if (typeof process === 'undefined' || process.versions?.node === undefined) return null;
  // By a variable name so that browser bundlers leave it alone.
  const name = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ name)) as { createRequire: (from: string) => Require };
  return createRequire(import.meta.url);
}

async function tryNode(tf: Tf, req: Require | null): Promise<boolean> {
  // Imported by a variable name so bundlers and type checks do not require the optional package.
  const name = '@tensorflow/tfjs-node';
  try {
    if (req) req(name);
    else await import(/* @vite-ignore */ name);
    return tf.findBackend('tensorflow') !== undefined || tf.engine().registryFactory.tensorflow !== undefined;
  } catch {
    return false;
  }
}

async function tryWasm(req: Require | null): Promise<boolean> {
  try {
    if (req) req('@tensorflow/tfjs-backend-wasm');
    else await import('@tensorflow/tfjs-backend-wasm');
    return true;
  } catch {
    return false;
  }
}

async function activate(tf: Tf, name: BackendName): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && (await tf.ready(), tf.getBackend() === name);
  } catch {
    return false;
  }
}

/**
 * Select and initialise a backend. `auto` tries tensorflow → wasm → cpu; a named choice must load or
 * this throws. Returns the tfjs namespace and the backend that is active.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<{ tf: Tf; backend: BackendName }> {
  const req = await nodeRequire();
  const tf = req ? (req('@tensorflow/tfjs') as Tf) : await import('@tensorflow/tfjs');
  const order: BackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    if (name === 'tensorflow' && !(await tryNode(tf, req))) continue;
    if (name === 'wasm' && !(await tryWasm(req))) continue;
    if (await activate(tf, name)) {
      tf.enableProdMode();
      return { tf, backend: name };
    }
  }
  throw new Error(
    choice === 'auto'
      ? 'no tfjs backend could be initialised'
      : `tfjs backend '${choice}' is not available here${choice === 'tensorflow' ? ' (@tensorflow/tfjs-node is not installed or failed to load)' : ''}`,
  );
}
