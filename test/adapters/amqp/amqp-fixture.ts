import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import amqp from 'amqplib';
import { amqpStore, queueName, type AmqpStoreOptions } from '../../../adapters/amqp/index.js';
import type { MeshStore } from '../../../src/index.js';

export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Stores on an exchange and queue prefix of their own (the broker is shared with
 * other runs). Every durable consumed is recorded, so its queue and the exchange
 * are deleted after the file.
 */
export function amqpStores(): { store(options?: Partial<AmqpStoreOptions>): MeshStore; exchange: string; queuePrefix: string } {
  const tag = randomBytes(5).toString('hex');
  const exchange = `evmesh-test-${tag}`;
  const queuePrefix = `evmesh-test-${tag}.`;
  const durables = new Set<string>();
  afterAll(async () => {
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    for (const d of durables) await ch.deleteQueue(queueName(queuePrefix, d));
    await ch.deleteExchange(exchange);
    await conn.close();
  });
  return {
    exchange,
    queuePrefix,
    store: (options) => {
      const store = amqpStore({ url: AMQP_URL, exchange, queuePrefix, ...options });
      const consume = store.consume.bind(store);
      // Own property over the prototype method: records the durable, then delegates.
      return Object.assign(store, {
        consume: (spec: Parameters<MeshStore['consume']>[0], handler: Parameters<MeshStore['consume']>[1]) => {
          durables.add(spec.name);
          return consume(spec, handler);
        },
      });
    },
  };
}
