// PostgreSQL going away mid-stream, simulated by a TCP proxy between the store and the
// local server (test/support/tcp-proxy.ts) that is dropped and restored: the real
// server, shared with other tests, is never restarted.
import { describe, expect, it } from 'vitest';
import { createMesh, type MeshError } from '../../../src/index.js';
import { until } from '../../support/expect-code.js';
import { serviceAvailable } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { brokerAbsentCases, pingFollowsTheBroker, rejectsAPublishItCannotStore, releasesAtTheLastClose, reportsALostBroker } from '../support/broker-cases.js';
import { pgStores, pgUrlAt } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

describe.runIf(up)('postgresStore when PostgreSQL goes away mid-stream', () => {
  const fixture = pgStores();
  const viaProxy = (proxy: TcpProxy, options: Parameters<typeof fixture.store>[0] = {}) => fixture.store({ connectionString: pgUrlAt(proxy.url), ...options });

  it('goes on after an outage: publishes in flight are sent again and resolve, every resolved publish is delivered', async () => {
    const proxy = await TcpProxy.start(5432);
    const storeErrors: MeshError[] = [];
    const mesh = createMesh({ store: viaProxy(proxy, { pollInterval: 100, onError: (e) => void storeErrors.push(e) }) });
    mesh.on('error', () => undefined);
    const got = new Set<number>();
    const acknowledged: number[] = [];
    const failed: string[] = [];
    const publish = (i: number): Promise<void> => mesh.publish('fault.item', i).then(() => void acknowledged.push(i), (e: MeshError) => void failed.push(e.code));
    try {
      await mesh.subscribe('fault.*', (e) => void got.add(e.data as number), { durable: 'faults' }).ready;
      for (let i = 0; i < 20; i++) await publish(i);
      await until(() => got.size === 20, 10_000);
      const dialed = proxy.accepted;
      await proxy.down();
      // Issued while the server is unreachable: the appender retries them (idempotent by id).
      const during = Array.from({ length: 20 }, (_, k) => publish(20 + k));
      await new Promise((resolve) => setTimeout(resolve, 800));
      await proxy.up();
      await Promise.all(during);
      for (let i = 40; i < 60; i++) await publish(i);
      await until(() => acknowledged.every((i) => got.has(i)) && acknowledged.length + failed.length === 60, 20_000);
      expect(failed).toEqual([]);
      expect(acknowledged.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(proxy.accepted, 'the store dialled again through the proxy').toBeGreaterThan(dialed);
      expect(storeErrors.map((e) => e.code)).toContain('ERR_MESH_STORE_UNAVAILABLE');
    } finally {
      await mesh.close();
      await proxy.down();
    }
  }, 60_000);

  it('rejects a publish it could not store within connectTimeout (ERR_MESH_STORE_FAILED), never resolves it', async () => {
    const proxy = await TcpProxy.start(5432);
    const mesh = createMesh({ store: viaProxy(proxy, { connectTimeout: 300, onError: () => undefined }) });
    mesh.on('error', () => undefined);
    await rejectsAPublishItCannotStore(proxy, mesh);
  }, 60_000);

  it('reports a lost server to mesh.on(\'error\') with ERR_MESH_STORE_UNAVAILABLE, with no onError given', async () => {
    const proxy = await TcpProxy.start(5432);
    try {
      const errors = await reportsALostBroker(proxy, viaProxy(proxy));
      expect(errors[0]).toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE' });
    } finally {
      await proxy.down();
    }
  }, 60_000);

  it('keeps an instance two meshes share working after the first close, and releases its connections at the last', async () => {
    const proxy = await TcpProxy.start(5432);
    try {
      await releasesAtTheLastClose(proxy, viaProxy(proxy));
    } finally {
      await proxy.down();
    }
  }, 60_000);

  it('ping rejects with ERR_MESH_STORE_UNAVAILABLE and the backlog is unknown while the server is black-holed or cut off; both answer again once it is back', async () => {
    const proxy = await TcpProxy.start(5432);
    try {
      await pingFollowsTheBroker(proxy, viaProxy(proxy, { connectTimeout: 500, onError: () => undefined }));
    } finally {
      await proxy.down();
    }
  }, 60_000);

  brokerAbsentCases('PostgreSQL', (port, options) => fixture.store({ connectionString: pgUrlAt(`127.0.0.1:${port}`), ...options }));
});
