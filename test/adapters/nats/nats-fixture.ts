import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { natsStore, type NatsStoreOptions } from '../../../adapters/nats/index.js';
import type { MeshStore } from '../../../src/index.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Stores on a stream and subject prefix of their own (other engineers' runs share the
 * server), deleted after the file. `servers` may point at a proxy instead.
 */
export function natsStores(): { store(options?: Partial<NatsStoreOptions>): MeshStore; stream: string; prefix: string; admin(): Promise<NatsConnection> } {
  const tag = randomBytes(5).toString('hex');
  const stream = `EVMESH_T_${tag}`;
  const prefix = `evt${tag}`;
  let admin: NatsConnection | undefined;
  afterAll(async () => {
    const nc = admin ?? (await connect({ servers: NATS_URL }));
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });
  return {
    stream,
    prefix,
    store: (options) => natsStore({ servers: NATS_URL, stream, subjectPrefix: prefix, ...options }),
    admin: async () => (admin ??= await connect({ servers: NATS_URL })),
  };
}
