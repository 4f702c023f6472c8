/**
 * Web worker fetching and validating a checkpoint: parseCheckpoint (zod, base64 and CRC over the whole
 * file) costs the main thread ~0.1–0.2 s for the default controller and more for the muscle one, which
 * would delay the first frame and stall the display when a bundled controller is chosen.
 */
import type { Checkpoint } from '../model/checkpoint.ts';
import { fetchCheckpoint } from './checkpoint-loader.ts';

/** Request: the checkpoint's absolute URL and the name that labels it in messages. */
export interface CheckpointRequest {
  url: string;
  name: string;
}

/** Reply: the validated checkpoint, or the message of the error that rejected it. */
export type CheckpointReply = { checkpoint: Checkpoint } | { error: string };

self.onmessage = async (e: MessageEvent<CheckpointRequest>) => {
  let reply: CheckpointReply;
  try {
    reply = { checkpoint: await fetchCheckpoint(e.data.url, e.data.name) };
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  (self as unknown as Worker).postMessage(reply);
};
