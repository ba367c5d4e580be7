// Chaos: a durable consumer process is SIGKILLed mid-stream and started again (support/chaos-case.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { redisStore } from '../../adapters/redis/index.js';
import { createMesh } from '../../src/index.js';
import { serviceAvailable } from '../support/services.js';
import { consumerProcesses, killMidStream } from './support/chaos-case.js';

const up = await serviceAvailable('redis');
const url = 'redis://127.0.0.1:6379';
const stream = `evmesh-test:chaos:${randomBytes(5).toString('hex')}`;
const startConsumer = consumerProcesses(join(import.meta.dirname, 'fixtures', 'chaos-consumer.mts'), () => ['redis', url, stream, 'chaos', '1000']);

afterAll(async () => {
  if (!up) return;
  const redis = new Redis(url);
  await redis.del(stream, `${stream}:durables`);
  await redis.quit();
});

describe.runIf(up)('redisStore chaos: consumer process SIGKILLed mid-stream', () => {
  it('handles every published event at least once after the consumer restarts', async () => {
    const producer = createMesh({ store: redisStore({ url, stream }) });
    try {
      await killMidStream('redis', producer, startConsumer);
    } finally {
      await producer.close();
    }
  }, 180_000);
});
