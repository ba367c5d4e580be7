import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../adapters/redis/index.js';
import { storeConformance } from '../../src/testing/index.js';
import { expectThrowCode, until } from '../support/expect-code.js';
import { serviceAvailable } from '../support/services.js';

const up = await serviceAvailable('redis');
const stream = `evmesh-test:${randomBytes(5).toString('hex')}`;
const url = 'redis://127.0.0.1:6379';

afterAll(async () => {
  if (!up) return;
  const redis = new Redis(url);
  await redis.del(stream, `${stream}:durables`);
  await redis.quit();
});

describe.runIf(up)('redisStore', () => {
  // claimIdle short, so the at-least-once test sees a stopped consumer's delivery taken over quickly.
  storeConformance({ describe, it }, 'redis', () => redisStore({ url, stream, claimIdle: 1000, onError: () => undefined }), {
    unreachable: () => redisStore({ url: 'redis://127.0.0.1:1', connectTimeout: 500 }),
  });

  it.each([
    ['a url that is not redis://', { url: 'http://x' }],
    ['an empty stream', { stream: '' }],
    ['a claimIdle below 10 ms', { claimIdle: 1 }],
    ['a fractional connectTimeout', { connectTimeout: 1.5 }],
    ['a maxLength of 0', { maxLength: 0 }],
  ])('throws ERR_MESH_INVALID_OPTIONS for %s', (_name, options) => {
    expectThrowCode(() => redisStore(options as never), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('rejects a publish whose event cannot be serialized with ERR_MESH_STORE_FAILED; the mesh goes on', async () => {
    const { createMesh } = await import('../../src/index.js');
    const mesh = createMesh({ store: redisStore({ url, stream: `${stream}:bigint` }) });
    try {
      await expect(mesh.publish('com.x.big', { n: 10n })).rejects.toMatchObject({ code: 'ERR_MESH_STORE_FAILED' });
      await expect(mesh.publish('com.x.ok', { n: 1 })).resolves.toMatchObject({ type: 'com.x.ok' });
    } finally {
      await mesh.close();
      const redis = new Redis(url);
      await redis.del(`${stream}:bigint`);
      await redis.quit();
    }
  });

  it('trims the stream to about maxLength entries when it is set, and keeps every entry when it is not', async () => {
    const { createMesh } = await import('../../src/index.js');
    const redis = new Redis(url);
    const trimmed = `${stream}:trimmed`;
    const whole = `${stream}:whole`;
    const a = createMesh({ store: redisStore({ url, stream: trimmed, maxLength: 10 }) });
    const b = createMesh({ store: redisStore({ url, stream: whole }) });
    try {
      for (let i = 0; i < 500; i++) await Promise.all([a.publish('t.x', i), b.publish('t.x', i)]);
      // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), never below 10.
      const kept = await redis.xlen(trimmed);
      expect(kept).toBeGreaterThanOrEqual(10);
      expect(kept).toBeLessThan(500);
      expect(await redis.xlen(whole)).toBe(500);
    } finally {
      await a.close();
      await b.close();
      await redis.del(trimmed, whole);
      await redis.quit();
    }
  });

  it('removes a stopped consumer from the group when it holds nothing, keeping one that still holds deliveries', async () => {
    const key = `${stream}:consumers`;
    const { createMesh } = await import('../../src/index.js');
    const redis = new Redis(url);
    const consumers = async (): Promise<number> => ((await redis.call('XINFO', 'CONSUMERS', key, 'g')) as unknown[]).length;
    const mesh = createMesh({ store: redisStore({ url, stream: key, onError: () => undefined }), closeTimeout: 100 });
    mesh.on('error', () => undefined);
    try {
      let handled = 0;
      const clean = mesh.subscribe('c.*', () => void handled++, { durable: 'g' });
      await clean.ready;
      await mesh.publish('c.one', 1);
      await until(() => handled === 1, 10_000);
      expect(await consumers()).toBe(1);
      await clean.unsubscribe();
      expect(await consumers()).toBe(0);
      let started = false;
      await mesh.subscribe('c.*', () => {
        started = true;
        return new Promise(() => undefined);
      }, { durable: 'g' }).ready;
      await mesh.publish('c.two', 2);
      await until(() => started, 10_000);
      await mesh.close();
      // Its delivery stays pending under its name, for another member to claim.
      expect(await consumers()).toBe(1);
    } finally {
      await mesh.close();
      await redis.del(key, `${key}:durables`);
      await redis.quit();
    }
  });

  it('stores each event as plain fields: i (id), t (type), e (structured-mode JSON)', async () => {
    const key = `${stream}:fields`;
    const store = redisStore({ url, stream: key });
    await store.open();
    const redis = new Redis(url);
    try {
      const { createMesh } = await import('../../src/index.js');
      const mesh = createMesh({ store });
      const event = await mesh.publish('com.x.created', { n: 1 }, { subject: 's' });
      await mesh.close();
      const [[, fields]] = (await redis.xrange(key, '-', '+')) as [string, string[]][];
      expect(fields.slice(0, 4)).toEqual(['i', event.id, 't', 'com.x.created']);
      expect(JSON.parse(fields[5] as string)).toMatchObject({ specversion: '1.0', id: event.id, type: 'com.x.created', subject: 's', data: { n: 1 } });
    } finally {
      await store.close();
      await redis.del(key);
      await redis.quit();
    }
  });

  it('counts a backlog Redis gives no lag for (a group placed mid-stream) entry by entry, past one XRANGE page, and every type in the stream', async () => {
    const key = `${stream}:lagless`;
    const store = redisStore({ url, stream: key });
    const redis = new Redis(url);
    await store.open();
    try {
      const ids: string[] = [];
      const pipeline = redis.pipeline();
      for (let i = 0; i < 1205; i++) pipeline.xadd(key, '*', 'i', `e${i}`, 't', i % 2 === 0 ? 'a.x' : 'b.x', 'e', '{}');
      for (const [err, id] of (await pipeline.exec()) ?? []) if (err === null) ids.push(id as string);
      // What a replay from an event id does: the group starts after an entry in the middle.
      await redis.xgroup('CREATE', key, 'mid', ids[2] as string);
      const groups = (await redis.call('XINFO', 'GROUPS', key)) as unknown[][];
      const mid = groups.find((g) => g[1] === 'mid') as unknown[];
      expect(mid[mid.indexOf('lag') + 1], 'Redis itself cannot tell this lag').toBeNull();
      expect(await store.backlog?.('mid')).toBe(1202);
      expect(await store.backlog?.('unknown')).toBeUndefined();
    } finally {
      await store.close();
      await redis.del(key);
      await redis.quit();
    }
  });
});
