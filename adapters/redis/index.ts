import type { MeshStore } from '../../src/index.js';
import { OptionChecks } from '../shared/option-checks.js';
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
  const check = new OptionChecks('redisStore');
  const o = check.object(options);
  return new RedisStore({
    url: check.string('url', o.url, 'redis://127.0.0.1:6379', (u) => /^rediss?:\/\//.test(u), 'redis://… or rediss://…'),
    stream: check.string('stream', o.stream, 'evmesh:events', undefined, 'a non-empty key'),
    onError: check.callback('onError', o.onError),
    claimIdle: check.integer('claimIdle', o.claimIdle, 30_000, 10),
    connectTimeout: check.integer('connectTimeout', o.connectTimeout, 2000, 1),
    maxRetriesPerRequest: check.integer('maxRetriesPerRequest', o.maxRetriesPerRequest, 20, 0),
    maxLength: check.optionalInteger('maxLength', o.maxLength, 1),
  });
}
