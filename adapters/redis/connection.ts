import type { Redis, RedisOptions } from 'ioredis';
import { MeshError } from '../../src/index.js';
import { loadDependency } from '../../src/internal.js';

export interface ConnectionPolicy {
  readonly url: string;
  readonly connectTimeout: number;
  readonly maxRetriesPerRequest: number;
}

type RedisClass = new (url: string, options: RedisOptions) => Redis;

/**
 * Opens one ioredis connection with the store's fault policy:
 * - the first connect is tried once, bounded by `connectTimeout`, with no retry
 *   (`retryStrategy` answers null until it succeeded), so a Redis that is down at
 *   start is `ERR_MESH_STORE_UNAVAILABLE` quickly, never a hang;
 * - once connected, a lost connection is redialed with a capped backoff, forever
 *   (a broker restart mid-stream is survived);
 * - `enableOfflineQueue` stays on, so commands issued during an outage wait for the
 *   redial rather than failing at once, and `maxRetriesPerRequest` bounds that wait:
 *   a publish whose XADD did not get through is rejected, never resolved, so no
 *   acknowledged publish can be lost. Commands in flight when the link dropped are
 *   sent again (ioredis `autoResendUnfulfilledCommands`): at worst an XADD is stored
 *   twice, which at-least-once allows.
 */
export async function connect(policy: ConnectionPolicy, role: string, pipelined = false): Promise<Redis> {
  const mod = await loadDependency<{ default?: RedisClass; Redis?: RedisClass }>('ioredis', 'redisStore');
  const Client = (mod.Redis ?? mod.default) as RedisClass;
  let connected = false;
  const client = new Client(policy.url, {
    lazyConnect: true,
    connectTimeout: policy.connectTimeout,
    maxRetriesPerRequest: policy.maxRetriesPerRequest,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => (connected ? Math.min(50 * times, 1000) : null),
    connectionName: `evmesh-${role}`,
    // The shared connection: a burst of publishes (one XADD each) and acks issued in
    // one tick go out in one write. Off for the blocking readers, where it buys nothing.
    enableAutoPipelining: pipelined,
  });
  // ioredis emits 'error' on every failed redial; the store reports failures
  // through the commands that fail, so an unhandled 'error' must not throw.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `redis: cannot connect to ${redact(policy.url)}`, { cause: err, details: { url: redact(policy.url) } });
  }
  connected = true;
  return client;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
