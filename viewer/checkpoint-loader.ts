/** Loading controllers: the bundled default by URL, or a user's file; both validated by parseCheckpoint. */
import { parseCheckpoint, type Checkpoint } from '../model/checkpoint.ts';

/** Largest checkpoint file accepted (bytes); a 4096-unit GRU is ~200 MB, far beyond what runs live. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Fetch and validate the checkpoint at `url`; `name` labels it in messages. */
export async function fetchCheckpoint(url: string, name: string): Promise<Checkpoint> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${name}: HTTP ${res.status} ${res.statusText}`);
  return parseCheckpoint(await res.text(), name);
}

/** Read and validate a checkpoint file chosen or dropped by the user. */
export async function readCheckpointFile(file: File): Promise<Checkpoint> {
  if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(0)} MB; checkpoints larger than ${MAX_FILE_BYTES / 1e6} MB are not loaded`);
  return parseCheckpoint(await file.text(), file.name);
}

/** The checkpoint without its optimizer state (not needed to run it), for posting to the worker. */
export function withoutResume(ck: Checkpoint): Checkpoint {
  return { ...ck, resume: undefined };
}
