// evmesh/adapters/amqp: durable subscriptions on RabbitMQ (peer dependency `amqplib`).
import type { MeshStore } from '../../src/index.js';
import { AmqpStore } from './amqp-store.js';
import type { AmqpStoreOptions } from './options.js';

export type { AmqpStoreOptions } from './options.js';
export { bindingKey, routingKey, queueName, MAX_KEY_BYTES } from './patterns.js';

/**
 * A store on RabbitMQ. The `amqplib` package is loaded on the first `open()`.
 * @example createMesh({ store: amqpStore({ url: 'amqp://guest:guest@127.0.0.1:5672' }) })
 */
export function amqpStore(options: AmqpStoreOptions): MeshStore {
  return new AmqpStore(options);
}
