import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Mesh, MeshError, MeshStore } from '../../../src/index.js';
import { amqpStore } from '../../../adapters/amqp/index.js';
import { serviceAvailable } from '../../support/services.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { TcpProxy, deadPort } from '../support/tcp-proxy.js';
import amqp from 'amqplib';
import { AMQP_URL, amqpStores } from './amqp-fixture.js';

const up = await serviceAvailable('rabbitmq');

describe.runIf(up)('amqpStore against a real RabbitMQ', () => {
  const fixture = amqpStores();
  const tracked = closedAfterEach();
  const mesh = (store: MeshStore): Mesh => tracked({ store });
  let proxy: TcpProxy | undefined;
  afterAll(() => proxy?.down());

  it('keeps the CloudEvent intact through the queue (attributes, extensions, binary data)', async () => {
    const m = mesh(fixture.store());
    const got = deferred<Record<string, unknown>>();
    await m.subscribe('ce.*', (e) => got.resolve(e.toJSON() as unknown as Record<string, unknown>), { durable: 'ce' }).ready;
    const sent = await m.publish({ type: 'ce.bin', source: '/t', subject: 's1', traceparent: 'tp', data_base64: Buffer.from([1, 2, 3]).toString('base64') });
    expect(await got.promise).toEqual(JSON.parse(JSON.stringify(sent)));
  });

  it('keeps nothing for a durable before its queue first exists (documented, as the memory store)', async () => {
    const m = mesh(fixture.store());
    await m.start();
    await m.publish('late.x', 'before');
    const got: unknown[] = [];
    await m.subscribe('late.*', (e) => void got.push(e.data), { durable: 'late' }).ready;
    await m.publish('late.x', 'after');
    await until(() => got.length === 1, 10_000);
    expect(got).toEqual(['after']);
  });

  it('refuses a topic or pattern longer than an AMQP key, without touching the broker', async () => {
    const m = mesh(fixture.store());
    m.on('error', () => undefined);
    await m.start();
    await expectRejectCode(m.publish(`long.${'x'.repeat(300)}`, 1), 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.subscribe(`long.${'x'.repeat(300)}`, () => undefined, { durable: 'long' }).ready, 'ERR_MESH_INVALID_PATTERN');
    // The connection is still good.
    const got: unknown[] = [];
    await m.subscribe('ok.*', (e) => void got.push(e.data), { durable: 'still-ok' }).ready;
    await m.publish('ok.x', 1);
    await until(() => got.length === 1, 10_000);
  });

  it('holds at most prefetch deliveries unacknowledged per consumer; the rest waits in the queue', async () => {
    const m = mesh(fixture.store());
    const hold = deferred();
    let done = 0;
    // concurrency 4 → the kernel asks for prefetch max(16, 8) = 16.
    await m.subscribe('pf.*', async () => {
      await hold.promise;
      done++;
    }, { durable: 'prefetch', concurrency: 4 }).ready;
    await Promise.all(Array.from({ length: 100 }, (_, i) => m.publish('pf.x', i)));
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const ready = async (): Promise<number> => (await ch.checkQueue(`${fixture.queuePrefix}prefetch`)).messageCount;
    try {
      let count = await ready();
      // The broker's count settles once the first 16 deliveries left the queue.
      for (let i = 0; i < 50 && count !== 84; i++) {
        await new Promise((r) => setTimeout(r, 50));
        count = await ready();
      }
      expect(count).toBe(84);
      hold.resolve();
      await until(() => done === 100, 15_000);
    } finally {
      await conn.close();
    }
  });

  it('refuses bad options at construction with ERR_MESH_INVALID_OPTIONS', () => {
    for (const bad of [{}, { url: '' }, { url: 'amqp://x', exchange: 'amq.topic' }, { url: 'amqp://x', publishTimeout: 0 }]) {
      expect(() => amqpStore(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_OPTIONS' }));
    }
  });

  it('reconnects across a broker outage, re-declares and re-consumes; every confirmed publish is delivered', async () => {
    proxy = await TcpProxy.start(5672);
    const url = `amqp://guest:guest@${proxy.url}`;
    const producer = tracked({ store: fixture.store({ url, reconnectDelay: 50 }) });
    const consumer = tracked({ store: fixture.store({ url, reconnectDelay: 50 }) });
    const got = new Set<number>();
    let deliveries = 0;
    await consumer.subscribe('x.*', (e) => {
      deliveries++;
      got.add(e.data as number);
    }, { durable: 'outage' }).ready;
    await producer.start();
    const acked: number[] = [];
    const failed: string[] = [];
    const publishRange = async (from: number, to: number): Promise<void> => {
      const window: Promise<void>[] = [];
      for (let i = from; i < to; i++) {
        window.push(producer.publish('x.e', i).then(() => void acked.push(i), (err: MeshError) => void failed.push(err.code)));
        if (window.length === 20) await Promise.all(window.splice(0));
      }
      await Promise.all(window);
    };
    await publishRange(0, 100);
    await until(() => got.size === 100, 10_000);
    const during = publishRange(100, 200);
    await proxy.down();
    expect(proxy.connections).toBe(0);
    await new Promise((r) => setTimeout(r, 800));
    await proxy.up();
    await until(() => (proxy?.connections ?? 0) === 2, 15_000);
    await during;
    await publishRange(200, 300);
    expect(failed).toEqual([]);
    expect(acked.length).toBe(300);
    await until(() => acked.every((i) => got.has(i)), 20_000);
    expect(got.size).toBe(300);
    // Resends after a lost confirm, and requeues of unacknowledged deliveries, may duplicate: at-least-once.
    expect(deliveries).toBeGreaterThanOrEqual(300);
  }, 60_000);
});

describe.runIf(up)('amqpStore when the broker is not there', () => {
  const tracked = closedAfterEach();
  const silent: Socket[] = [];
  let blackhole: Server | undefined;
  afterAll(async () => {
    for (const s of silent) s.destroy();
    await new Promise((r) => (blackhole ? blackhole.close(r) : r(undefined)));
  });

  it('fails start() with ERR_MESH_STORE_UNAVAILABLE when nothing listens', async () => {
    const m = tracked({ store: amqpStore({ url: `amqp://127.0.0.1:${await deadPort()}` }) });
    await expectRejectCode(m.start(), 'ERR_MESH_STORE_UNAVAILABLE');
  });

  it('fails start() with ERR_MESH_STORE_UNAVAILABLE within connectTimeout when the port accepts but never speaks AMQP', async () => {
    blackhole = createServer((s) => void silent.push(s));
    await new Promise<void>((r) => blackhole?.listen(0, '127.0.0.1', () => r()));
    const { port } = blackhole.address() as AddressInfo;
    const m = tracked({ store: amqpStore({ url: `amqp://127.0.0.1:${port}`, connectTimeout: 500 }) });
    await expectRejectCode(m.start(), 'ERR_MESH_STORE_UNAVAILABLE');
  }, 10_000);
});
