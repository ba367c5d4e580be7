// evmesh/adapters/nats: durable subscriptions on NATS JetStream (peer dependency `nats`).
import type { MeshStore } from '../../src/index.js';
import { NatsStore } from './nats-store.js';
import type { NatsStoreOptions } from './options.js';

export type { NatsStoreOptions } from './options.js';
export { natsFilter, subjectOf, consumerName } from './patterns.js';
export type { NatsFilter } from './patterns.js';

/**
 * A store on NATS JetStream. The `nats` package is loaded on the first `open()`.
 * @example createMesh({ store: natsStore({ servers: 'nats://127.0.0.1:4222' }) })
 */
export function natsStore(options: NatsStoreOptions): MeshStore {
  return new NatsStore(options);
}
