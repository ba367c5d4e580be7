import { MeshError } from '../errors.js';
import type { ReplayFrom, SubscribeOptions } from '../delivery/subscription.js';
import type { MeshStore, StoreReplayFrom } from '../store/store.js';

/** Replay is a store capability: asked of a store without it, subscribe fails at once, not later in `ready`. */
export function checkFrom(options: SubscribeOptions | undefined, store: MeshStore): StoreReplayFrom | undefined {
  const from: ReplayFrom | undefined = options?.from;
  if (from === undefined) return undefined;
  if (options?.durable === undefined) throw invalid('from needs durable: only a durable subscription is fed by the store');
  if (typeof from !== 'object' || from === null) throw invalid('from must be { afterId } or { time }');
  let normalized: StoreReplayFrom;
  if ('afterId' in from) {
    if (typeof from.afterId !== 'string' || from.afterId.length === 0) throw invalid('from.afterId must be a non-empty event id');
    normalized = { afterId: from.afterId };
  } else if ('time' in from) {
    const time = from.time instanceof Date ? from.time.getTime() : from.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw invalid('from.time must be a valid Date or epoch milliseconds');
    normalized = { time };
  } else {
    throw invalid('from must be { afterId } or { time }');
  }
  if (!store.capabilities.replay) {
    throw new MeshError('ERR_MESH_STORE_UNSUPPORTED', `The ${store.name} store cannot replay: from is not available`, {
      details: { store: store.name, durable: options.durable },
    });
  }
  return normalized;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
