// Redis going away mid-stream, simulated by a TCP proxy between the store and the
// local Redis (test/support/tcp-proxy.ts) that is dropped and restored: the real
// redis-server, shared with other tests, is never restarted.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../adapters/redis/index.js';
import { createMesh, type MeshError } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { serviceAvailable } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { pingFollowsTheBroker, rejectsAPublishItCannotStore, releasesAtTheLastClose, reportsALostBroker } from './support/broker-cases.js';

const up = await serviceAvailable('redis');
const stream = `evmesh-test:faults:${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  if (!up) return;
  const redis = new Redis('redis://127.0.0.1:6379');
  await redis.del(stream, `${stream}:durables`);
  await redis.quit();
});

describe.runIf(up)('redisStore when Redis goes away mid-stream', () => {
  it('reconnects, and every publish that resolved is delivered (none lost)', async () => {
    const proxy = new TcpProxy(6379);
    await proxy.up();
    const storeErrors: MeshError[] = [];
    const store = redisStore({ url: `redis://${proxy.url}`, stream, claimIdle: 1000, onError: (e) => void storeErrors.push(e) });
    const mesh = createMesh({ store });
    mesh.on('error', () => undefined);
    const got: number[] = [];
    try {
      await mesh.subscribe('fault.*', (e) => void got.push(e.data as number), { durable: 'faults' }).ready;
      const acknowledged: number[] = [];
      const publish = (i: number): Promise<void> => mesh.publish('fault.item', i).then(() => void acknowledged.push(i), () => undefined);
      for (let i = 0; i < 10; i++) await publish(i);
      await until(() => got.length >= 10, 10_000);

      const dialed = proxy.accepted;
      await proxy.down();
      // Issued while Redis is unreachable: they wait in ioredis' offline queue for the redial.
      const during = Array.from({ length: 10 }, (_, k) => publish(10 + k));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await proxy.up();
      await Promise.all(during);
      for (let i = 20; i < 30; i++) await publish(i);

      await until(() => acknowledged.every((i) => got.includes(i)), 20_000);
      const duplicates = got.length - new Set(got).size;
      console.log(`redis outage: ${acknowledged.length}/30 publishes acknowledged, ${new Set(got).size} distinct delivered, ${duplicates} duplicates`);
      // The queued publishes get through once the proxy is back: all 30 resolve.
      expect(acknowledged.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(proxy.accepted, 'the store redialed through the proxy').toBeGreaterThan(dialed);
      expect([...new Set(got)].sort((a, b) => a - b)).toEqual(acknowledged);
    } finally {
      await mesh.close();
      await proxy.down();
    }
  }, 60_000);

  it('rejects a publish it could not store before its retries ran out (ERR_MESH_STORE_FAILED), never resolves it', async () => {
    const proxy = new TcpProxy(6379);
    await proxy.up();
    const store = redisStore({ url: `redis://${proxy.url}`, stream, maxRetriesPerRequest: 1, onError: () => undefined });
    await rejectsAPublishItCannotStore(proxy, createMesh({ store }));
  }, 60_000);

  it('reports a consumer that lost Redis to mesh.on(\'error\') with ERR_MESH_STORE_UNAVAILABLE, with no onError given', async () => {
    const proxy = await TcpProxy.start(6379);
    try {
      const errors = await reportsALostBroker(proxy, redisStore({ url: `redis://${proxy.url}`, stream, maxRetriesPerRequest: 1 }));
      expect(errors[0]).toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE', details: { durable: 'lost' } });
    } finally {
      await proxy.down();
    }
  }, 60_000);

  it('keeps an instance two meshes share working after the first close, and releases its connections at the last', async () => {
    const proxy = await TcpProxy.start(6379);
    try {
      await releasesAtTheLastClose(proxy, redisStore({ url: `redis://${proxy.url}`, stream }));
    } finally {
      await proxy.down();
    }
  }, 60_000);

  it('ping rejects with ERR_MESH_STORE_UNAVAILABLE and the backlog is unknown while Redis is black-holed or cut off; both answer again once it is back', async () => {
    const proxy = await TcpProxy.start(6379);
    try {
      await pingFollowsTheBroker(proxy, redisStore({ url: `redis://${proxy.url}`, stream, connectTimeout: 500, onError: () => undefined }));
    } finally {
      await proxy.down();
    }
  }, 60_000);
});
