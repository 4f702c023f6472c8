/**
 * Web worker computing the reference reaches and planes ({@link computeReferences}) off the main thread,
 * so loading a controller never stalls the display.
 */
import type { Checkpoint } from '../model/checkpoint.ts';
import { computeReferences, type References } from './reference.ts';

/** Request: a checkpoint (without resume state) and the go step, tagged with an id. */
export interface ReferenceRequest {
  id: number;
  checkpoint: Checkpoint;
  goStep: number;
}

/** Reply: the references, or the error that prevented them. */
export type ReferenceReply = { id: number; references: References } | { id: number; error: string };

self.onmessage = (e: MessageEvent<ReferenceRequest>) => {
  const { id, checkpoint, goStep } = e.data;
  let reply: ReferenceReply;
  try {
    reply = { id, references: computeReferences(checkpoint, goStep) };
  } catch (err) {
    reply = { id, error: (err as Error).message };
  }
  (self as unknown as Worker).postMessage(reply);
};
