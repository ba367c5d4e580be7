import { afterAll, describe, expect, it } from 'vitest';
import type { Mesh, MeshStore } from '../../../src/index.js';
import { amqpStore } from '../../../adapters/amqp/index.js';
import { serviceAvailable } from '../../support/services.js';
import { expectRejectCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import {
  brokerAbsentCases, holdAHundred, keepsNothingBeforeTheDurable, keepsTheCloudEventIntact, pingFollowsTheBroker, publishAcrossAnOutage, releasesAtTheLastClose,
  reportsALostBroker,
} from '../support/broker-cases.js';
import amqp from 'amqplib';
import { AMQP_URL, amqpStores } from './amqp-fixture.js';

const up = await serviceAvailable('rabbitmq');

describe.runIf(up)('amqpStore against a real RabbitMQ', () => {
  const fixture = amqpStores();
  const tracked = closedAfterEach();
  const mesh = (store: MeshStore): Mesh => tracked({ store });
  let proxy: TcpProxy | undefined;
  afterAll(() => proxy?.down());

  it('keeps the CloudEvent intact through the queue (attributes, extensions, binary data)', () => keepsTheCloudEventIntact(mesh(fixture.store())));

  it('keeps nothing for a durable before its queue first exists (documented, as the memory store)', () => keepsNothingBeforeTheDurable(mesh(fixture.store())));

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
    const held = await holdAHundred(mesh(fixture.store()));
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const ready = async (): Promise<number> => (await ch.checkQueue(`${fixture.queuePrefix}prefetch`)).messageCount;
    try {
      let count = -1;
      // The broker's count settles once the first 16 deliveries left the queue.
      await until(async () => (count = await ready()) === 84, 2500, 50).catch(() => undefined);
      expect(count).toBe(84);
      await held.releaseAll();
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
    await publishAcrossAnOutage(proxy, producer, got);
    // Resends after a lost confirm, and requeues of unacknowledged deliveries, may duplicate: at-least-once.
    expect(deliveries).toBeGreaterThanOrEqual(300);
  }, 60_000);
});

describe.runIf(up)('amqpStore background failures and a shared instance', () => {
  const fixture = amqpStores();

  it('reports the lost connection to mesh.on(\'error\') with ERR_MESH_STORE_UNAVAILABLE, with no onError given', async () => {
    const cut = await TcpProxy.start(5672);
    try {
      const errors = await reportsALostBroker(cut, fixture.store({ url: `amqp://guest:guest@${cut.url}`, reconnectDelay: 50 }));
      expect(errors[0]).toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE' });
    } finally {
      await cut.down();
    }
  }, 60_000);

  it('keeps an instance two meshes share working after the first close, and releases its connection at the last', async () => {
    const through = await TcpProxy.start(5672);
    try {
      await releasesAtTheLastClose(through, fixture.store({ url: `amqp://guest:guest@${through.url}` }));
    } finally {
      await through.down();
    }
  }, 60_000);

  it('ping rejects with ERR_MESH_STORE_UNAVAILABLE and the backlog is unknown while RabbitMQ is black-holed or cut off; both answer again once it is back', async () => {
    const through = await TcpProxy.start(5672);
    try {
      // No heartbeat: amqplib would take a black-holed connection for dead after three
      // missed ones (30 s by default); ping must not wait for that.
      const store = fixture.store({ url: `amqp://guest:guest@${through.url}`, connectTimeout: 500, reconnectDelay: 50, heartbeat: 0, onError: () => undefined });
      await pingFollowsTheBroker(through, store);
    } finally {
      await through.down();
    }
  }, 60_000);
});

describe.runIf(up)('amqpStore when the broker is not there', () => {
  brokerAbsentCases('AMQP', (port, options) => amqpStore({ url: `amqp://127.0.0.1:${port}`, ...options }));
});
