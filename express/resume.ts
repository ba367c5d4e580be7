import type { Mesh, ObserveOptions } from '../src/index.js';
import { kernelOf } from '../src/internal.js';

/** How a stream asking to resume after `lastEventId` is fed. */
export interface ResumePlan {
  readonly options: ObserveOptions | undefined;
  /** Comment for the client when its wish cannot be met. */
  readonly notice: string | undefined;
}

export const RESUME_UNSUPPORTED = 'resume not supported by this store';

/**
 * A stream without Last-Event-ID is fed live. One with it would need the store to
 * replay from that event; where the store cannot, the stream says so in a comment
 * and goes on live (the client learns it may have missed events).
 */
export function resumePlan(mesh: Mesh, lastEventId: string | undefined): ResumePlan {
  if (lastEventId === undefined) return { options: undefined, notice: undefined };
  const replay = kernelOf(mesh).store.capabilities.replay;
  if (!replay) return { options: undefined, notice: RESUME_UNSUPPORTED };
  return { options: undefined, notice: RESUME_UNSUPPORTED };
}
