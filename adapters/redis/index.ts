import { MeshError, type MeshStore } from '../../src/index.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

export type { RedisStoreOptions } from './redis-store.js';
export { toRedisFilter, filterMatcher } from './patterns.js';
export type { RedisFilter } from './patterns.js';

/**
 * A durable store on Redis Streams (ioredis): one stream of events, a consumer
 * group per durable (shared by every mesh on the same Redis), XACK once the
 * handler is done, a dead consumer's deliveries claimed after `claimIdle`.
 * `ioredis` is an optional peer dependency, loaded when a mesh opens the store.
 * @example createMesh({ store: redisStore({ url: 'redis://127.0.0.1:6379' }) })
 */
export function redisStore(options: RedisStoreOptions = {}): MeshStore {
  if (typeof options !== 'object' || options === null) throw invalid('redisStore options must be an object');
  const url = options.url ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw invalid('redisStore url must be redis://… or rediss://…');
  const stream = options.stream ?? 'evmesh:events';
  if (typeof stream !== 'string' || stream.length === 0) throw invalid('redisStore stream must be a non-empty key');
  const onError = options.onError ?? ((error: MeshError) => console.error(`[evmesh] redis store: ${error.message}`));
  if (typeof onError !== 'function') throw invalid('redisStore onError must be a function');
  return new RedisStore({
    url, stream, onError,
    claimIdle: int(options.claimIdle ?? 30_000, 'claimIdle', 10),
    connectTimeout: int(options.connectTimeout ?? 2000, 'connectTimeout', 1),
    maxRetriesPerRequest: int(options.maxRetriesPerRequest ?? 20, 'maxRetriesPerRequest', 0),
    maxLength: options.maxLength === undefined ? undefined : int(options.maxLength, 'maxLength', 1),
  });
}

function int(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(`redisStore ${name} must be an integer >= ${min}`);
  return value;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
