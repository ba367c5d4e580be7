import { afterAll, describe, expect, it } from 'vitest';
import type { MeshError } from '../../../src/index.js';
import { serviceAvailable } from '../../support/services.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { natsStores } from './nats-fixture.js';

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
    // Cut mid-stream: these publishes are in flight while the broker is unreachable.
    const during = publishRange(100, 200);
    await proxy.down();
    await new Promise((r) => setTimeout(r, 800));
    expect(proxy.connections).toBe(0);
    await proxy.up();
    // Both stores dial back in by themselves.
    await until(() => (proxy?.connections ?? 0) === 2, 10_000);
    await during;
    await publishRange(200, 300);

    expect(failed).toEqual([]);
    expect(acked.length).toBe(300);
    await until(() => acked.every((i) => got.has(i)), 20_000);
    expect(got.size).toBe(300);
    // Resends after a lost PubAck carried the same msgID: the stream holds each event once.
    const jsm = await (await fixture.admin()).jetstreamManager();
    expect((await jsm.streams.info(fixture.stream)).state.messages).toBe(300);
  }, 60_000);
});
