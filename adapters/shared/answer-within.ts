import { MeshError } from '../../src/index.js';

/**
 * `work`, or a rejection with `ERR_MESH_STORE_UNAVAILABLE` once `ms` passed without
 * an answer. A broker client waits for a reply on an open connection as long as the
 * connection looks alive: a TCP proxy or a firewall that swallows packets keeps it
 * so for minutes, and a health check or a metrics scrape must answer before that.
 * What `work` does later is ignored (the race holds a handler on it, so a late
 * rejection is not unhandled).
 */
export function answerWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MeshError('ERR_MESH_STORE_UNAVAILABLE', `${what}: no answer within ${ms} ms`, { details: { timeout: ms } })), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The adapters' `ping`: resolves when `probe` (a cheap round trip to the engine)
 * resolves within `ms`; otherwise rejects with `ERR_MESH_STORE_UNAVAILABLE`, whatever
 * the probe failed with (kept as `cause`).
 */
export async function pingWithin(probe: () => Promise<unknown>, ms: number, what: string): Promise<void> {
  try {
    await answerWithin(Promise.resolve().then(probe), ms, what);
  } catch (err) {
    if (err instanceof MeshError && err.code === 'ERR_MESH_STORE_UNAVAILABLE') throw err;
    throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
