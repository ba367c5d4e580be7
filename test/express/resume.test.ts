import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerSpec, Mesh, MeshEvent, MeshStore } from '../../src/index.js';
import { redisStore } from '../../adapters/redis/index.js';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { serviceAvailable } from '../support/services.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, streamServer } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'evmesh-sse-resume-'));
const redisUp = await serviceAvailable('redis');
const redisUrl = 'redis://127.0.0.1:6379';
const redisPrefix = `evmesh-test-sse:${randomBytes(5).toString('hex')}`;
const redisKeys: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (redisKeys.length === 0) return;
  const redis = new Redis(redisUrl);
  await redis.del(...redisKeys.flatMap((k) => [k, `${k}:durables`]));
  await redis.quit();
});
const createMesh = closedAfterEach();
let files = 0;

// Stores that keep events and can start a durable after an id: what a stream needs
// to resume from Last-Event-ID. Each gets its own file or Redis stream.
const STORES: [string, () => MeshStore][] = [
  ['sqlite', () => sqliteStore({ path: join(dir, `resume-${++files}.db`) })],
  ...(redisUp ? [['redis', () => {
    const stream = `${redisPrefix}:${++files}`;
    redisKeys.push(stream);
    return redisStore({ url: redisUrl, stream, onError: () => undefined });
  }] as [string, () => MeshStore]] : []),
];
const CASES = STORES.flatMap(([store, makeStore]) => EXPRESS_VERSIONS.map(([version, makeApp]) => [`${store} store, ${version}`, makeApp, makeStore] as const));

describe.each(CASES)('meshRouter stream resume (%s)', (_name, makeApp, makeStore) => {
  let mesh: Mesh;
  const server = streamServer(makeApp, () => mesh);
  const { start, reader, cleanups } = server;

  beforeEach(() => {
    mesh = createMesh({ store: makeStore() });
  });

  async function publishN(topic: string, n: number): Promise<MeshEvent[]> {
    const out: MeshEvent[] = [];
    for (let i = 0; i < n; i++) out.push(await mesh.publish(topic, { i }));
    return out;
  }

  it('replays what came after Last-Event-ID, then streams live, with no gap and no duplicate', async () => {
    const url = await start();
    const before = await publishN('com.shop.order.created', 4);
    await mesh.publish('com.other.thing', {});
    const r = await reader(`${url}/stream?pattern=com.shop.%23`, { 'last-event-id': (before[1] as MeshEvent).id });
    await r.until(() => r.messages().length === 2);
    expect(r.text.startsWith(': stream open\n\n')).toBe(true);
    const after = await publishN('com.shop.order.paid', 2);
    await r.until(() => r.messages().length === 4);
    expect(r.messages().map((m) => m.id)).toEqual([...before.slice(2), ...after].map((e) => e.id));
    expect(r.messages()[0]?.data).toMatchObject({ type: 'com.shop.order.created', data: { i: 2 } });
  });

  it('lets a real EventSource reconnect after the server dropped it and get what it missed', async () => {
    const url = await start({ reconnect: 50 });
    const es = new EventSource(`${url}/stream?pattern=com.shop.%23`);
    cleanups.push(() => es.close());
    const got: string[] = [];
    let opens = 0;
    es.onopen = () => opens++;
    es.onmessage = (m) => got.push(m.lastEventId);
    await until(() => server.served?.router.openStreams === 1, 10_000);
    const [first] = await publishN('com.shop.a', 1);
    await until(() => got.length === 1, 10_000);
    // The server side ends the stream; these are published while the client is away.
    server.served?.router.closeStreams();
    await until(() => server.served?.router.openStreams === 0, 10_000);
    const missed = await publishN('com.shop.b', 3);
    await until(() => opens === 2 && got.length === 4, 10_000);
    expect(got).toEqual([first, ...missed].map((e) => (e as MeshEvent).id));
    const [later] = await publishN('com.shop.c', 1);
    await until(() => got.length === 5, 10_000);
    expect(got[4]).toBe(later?.id);
  });

  it('streams live with a comment when the store does not hold the Last-Event-ID', async () => {
    const url = await start();
    const reported: unknown[] = [];
    mesh.on('error', (err) => reported.push(err));
    await publishN('com.shop.x', 1);
    const r = await reader(`${url}/stream?pattern=com.shop.x`, { 'last-event-id': 'never-published' });
    await r.until((text) => text.startsWith(': resume after this id not possible (ERR_MESH_INVALID_OPTIONS); streaming live\n\n'));
    await until(() => server.served?.router.openStreams === 1, 10_000);
    const [event] = await publishN('com.shop.x', 1);
    await r.until(() => r.messages().length === 1);
    expect(r.messages()[0]?.id).toBe(event?.id);
    // The refused durable is reported like any subscription whose store refused it.
    expect(reported).toEqual([expect.objectContaining({ code: 'ERR_MESH_INVALID_OPTIONS' })]);
  });

  it('takes the resume position from ?lastEventId= too, and drops its durable when the client leaves', async () => {
    const { store, consumed, deleted } = recording(makeStore());
    mesh = createMesh({ store });
    const url = await start();
    const [first, second] = await publishN('com.shop.stock.reserve', 2);
    const r = await reader(`${url}/stream?pattern=com.shop.stock.*&lastEventId=${encodeURIComponent((first as MeshEvent).id)}`);
    await r.until(() => r.messages().length === 1);
    expect(r.messages()[0]?.id).toBe(second?.id);
    r.close();
    await until(() => server.served?.router.openStreams === 0, 10_000);
    await expectRejectCode(mesh.request('com.shop.stock.reserve', {}, { timeout: 5_000 }), 'ERR_MESH_NO_RESPONDER');
    // The stream's own durable is deleted from the store, not left to pile up.
    expect(consumed).toHaveLength(1);
    await until(() => deleted.length === 1, 10_000);
    expect(deleted).toEqual(consumed);
  });
});

/** The real store, with the durable names it is asked to consume and delete written down. */
function recording(inner: MeshStore): { store: MeshStore; consumed: string[]; deleted: string[] } {
  const consumed: string[] = [];
  const deleted: string[] = [];
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (key === 'consume') consumed.push((args[0] as ConsumerSpec).name);
        if (key === 'deleteDurable') deleted.push(args[0] as string);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, consumed, deleted };
}
