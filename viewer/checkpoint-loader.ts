/** Loading a user's checkpoint file, validated by parseCheckpoint; the page imports this module when a file is chosen or dropped. */
import { parseCheckpoint, type Checkpoint } from '../model/checkpoint.ts';

/** Largest checkpoint file accepted (bytes); a 4096-unit GRU is ~200 MB, far beyond what runs live. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Read and validate a checkpoint file chosen or dropped by the user. */
export async function readCheckpointFile(file: File): Promise<Checkpoint> {
  if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(0)} MB; checkpoints larger than ${MAX_FILE_BYTES / 1e6} MB are not loaded`);
  return parseCheckpoint(await file.text(), file.name);
}
