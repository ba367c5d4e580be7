import { afterAll, describe, expect, it } from 'vitest';
import type { MeshError } from '../../../src/index.js';
import { serviceAvailable } from '../../support/services.js';
import { closedAfterEach } from '../../support/meshes.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { pingFollowsTheBroker, publishAcrossAnOutage, releasesAtTheLastClose, reportsALostBroker } from '../support/broker-cases.js';
import { natsStores } from './nats-fixture.js';
import { capturedPino } from '../../support/pino-capture.js';
import { until } from '../../support/expect-code.js';

const up = await serviceAvailable('nats');

describe.runIf(up)('natsStore across a broker outage (the connection cut by a proxy, then restored)', () => {
  const fixture = natsStores();
  const tracked = closedAfterEach();
  let proxy: TcpProxy | undefined;
  afterAll(() => proxy?.down());

  it('reconnects publisher and consumer; every acknowledged publish is delivered', async () => {
    proxy = await TcpProxy.start(4222);
    const viaProxy = () => fixture.store({ servers: `nats://${proxy?.url}`, reconnectTimeWait: 100, attemptTimeout: 1000, deduplicate: true });
    const producer = tracked({ store: viaProxy() });
    const consumer = tracked({ store: viaProxy() });
    const errors: MeshError[] = [];
    producer.on('error', (e) => void errors.push(e));
    const got = new Set<number>();
    await consumer.subscribe('x.*', (e) => void got.add(e.data as number), { durable: 'outage' }).ready;
    await producer.start();
    await publishAcrossAnOutage(proxy, producer, got);
    // Resends after a lost PubAck carried the same msgID: the stream holds each event once.
    const jsm = await (await fixture.admin()).jetstreamManager();
    expect((await jsm.streams.info(fixture.stream)).state.messages).toBe(300);
  }, 60_000);

  it('reports the lost connection to mesh.on(\'error\') with ERR_MESH_STORE_UNAVAILABLE, with no onError given', async () => {
    const cut = await TcpProxy.start(4222);
    try {
      const errors = await reportsALostBroker(cut, fixture.store({ servers: `nats://${cut.url}`, reconnectTimeWait: 100 }));
      expect(errors[0]).toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE' });
    } finally {
      await cut.down();
    }
  }, 60_000);

  it('logs the loss at warn and the reconnect at info', async () => {
    const cut = await TcpProxy.start(4222);
    try {
      const { logger, lines } = capturedPino('info');
      const mesh = tracked({ logger, store: fixture.store({ servers: `nats://${cut.url}`, reconnectTimeWait: 100 }) });
      await mesh.start();
      await cut.down();
      await until(() => lines.some((l) => l['code'] === 'ERR_MESH_STORE_UNAVAILABLE'), 10_000);
      await cut.up();
      await until(() => lines.some((l) => l['msg'] === 'store reconnected'), 10_000);
      expect(lines.filter((l) => l['code'] === 'ERR_MESH_STORE_UNAVAILABLE' || l['msg'] === 'store reconnected')).toMatchObject([
        { level: 40, code: 'ERR_MESH_STORE_UNAVAILABLE' },
        { level: 30, msg: 'store reconnected', store: 'nats', server: cut.url },
      ]);
    } finally {
      await cut.down();
    }
  }, 60_000);

  it('keeps an instance two meshes share working after the first close, and releases its connection at the last', async () => {
    const through = await TcpProxy.start(4222);
    try {
      await releasesAtTheLastClose(through, fixture.store({ servers: `nats://${through.url}` }));
    } finally {
      await through.down();
    }
  }, 60_000);

  it('ping rejects with ERR_MESH_STORE_UNAVAILABLE and the backlog is unknown while NATS is black-holed or cut off; both answer again once it is back', async () => {
    const through = await TcpProxy.start(4222);
    try {
      await pingFollowsTheBroker(through, fixture.store({ servers: `nats://${through.url}`, connectTimeout: 500, reconnectTimeWait: 100, onError: () => undefined }));
    } finally {
      await through.down();
    }
  }, 60_000);
});
