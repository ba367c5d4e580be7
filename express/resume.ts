import { randomUUID } from 'node:crypto';
import { MeshError, type Mesh, type MeshEvent, type Subscription } from '../src/index.js';

/** Feeds one stream: `start` begins sending, `end` is called when the feed stops by itself (mesh closed). */
export interface StreamSource {
  start(send: (event: MeshEvent) => void, end: () => void): () => void;
}

/** How a stream is fed, and a comment for the client when its Last-Event-ID cannot be honoured. */
export interface StreamPlan {
  readonly source: StreamSource;
  readonly notice: string | undefined;
}

export const RESUME_UNSUPPORTED = 'resume not supported by this store';

// A durable subscription has no completion signal on the public API (observe has,
// but hides `ready`): a resumed stream checks `active` this often to end with the mesh.
const LIVENESS_CHECK_MS = 250;

/**
 * A stream without Last-Event-ID is fed live (`observe`: this node and its peers).
 * With one, where the store can replay, it is fed by a durable subscription of its
 * own that the store starts right after that event: the backlog, then everything
 * new, in store order with no gap and no duplicate. Where the store cannot replay,
 * or does not hold that id, the stream says so in a comment and goes on live.
 * Rejects only for what any subscribe would (mesh closed).
 */
export async function streamPlan(mesh: Mesh, pattern: string, lastEventId: string | undefined): Promise<StreamPlan> {
  if (lastEventId === undefined) return { source: live(mesh, pattern), notice: undefined };
  const durable = `evmesh-sse-${randomUUID()}`;
  let sub: Subscription;
  let send: ((event: MeshEvent) => void) | undefined;
  const early: MeshEvent[] = [];
  try {
    // A name of its own: a durable name is one consumer group, and two clients
    // resuming from the same id must each get every event.
    sub = mesh.subscribe(pattern, (event) => {
      if (send === undefined) early.push(event);
      else send(event);
    }, { durable, from: { afterId: lastEventId } });
  } catch (err) {
    if (err instanceof MeshError && err.code === 'ERR_MESH_STORE_UNSUPPORTED') return { source: live(mesh, pattern), notice: RESUME_UNSUPPORTED };
    throw err;
  }
  try {
    await sub.ready;
  } catch (err) {
    await release(mesh, sub, durable);
    const code = err instanceof MeshError ? err.code : 'ERR_MESH_STORE_FAILED';
    return { source: live(mesh, pattern), notice: `resume after this id not possible (${code}); streaming live` };
  }
  return {
    notice: undefined,
    source: {
      start(next, end) {
        send = next;
        for (const event of early.splice(0)) next(event);
        const timer = setInterval(() => {
          if (!sub.active) end();
        }, LIVENESS_CHECK_MS);
        timer.unref();
        return () => {
          clearInterval(timer);
          void release(mesh, sub, durable);
        };
      },
    },
  };
}

/**
 * The durable belonged to this one stream: once detached, the store forgets it, so
 * positions of streams long gone do not pile up. A store that cannot delete, or a
 * mesh already closing, leaves it; that costs a stored position, not correctness,
 * and the client that left has nobody to tell.
 */
async function release(mesh: Mesh, sub: Subscription, durable: string): Promise<void> {
  await sub.unsubscribe();
  await mesh.deleteDurable(durable).catch(() => undefined);
}

function live(mesh: Mesh, pattern: string): StreamSource {
  // observe() validates now (throws here for a closed mesh), before any response is sent.
  const events = mesh.observe(pattern);
  return {
    start(send, end) {
      const sub = events.subscribe({ next: send, complete: end, error: end });
      return () => sub.unsubscribe();
    },
  };
}
