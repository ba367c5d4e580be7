import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { createMesh, type Mesh, type MeshError, type MeshStore } from '../../../src/index.js';
import { kernelOf } from '../../../src/mesh/mesh.js';
import { closedAfterEach } from '../../support/meshes.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
import { deadPort, type TcpProxy } from '../../support/tcp-proxy.js';

// Cases the broker-backed stores (Redis, NATS, RabbitMQ) share beyond the conformance suite.

/** A durable keeps nothing published before it first exists, as in the memory store. */
export async function keepsNothingBeforeTheDurable(m: Mesh): Promise<void> {
  await m.start();
  await m.publish('late.x', 'before');
  const got: unknown[] = [];
  await m.subscribe('late.*', (e) => void got.push(e.data), { durable: 'late' }).ready;
  await m.publish('late.x', 'after');
  await until(() => got.length === 1, 10_000);
  expect(got).toEqual(['after']);
}

/** Attributes, extensions and binary data come back out of the broker as they went in. */
export async function keepsTheCloudEventIntact(m: Mesh): Promise<void> {
  const got = deferred<Record<string, unknown>>();
  await m.subscribe('ce.*', (e) => got.resolve(e.toJSON() as unknown as Record<string, unknown>), { durable: 'ce' }).ready;
  const sent = await m.publish({ type: 'ce.bin', source: '/t', subject: 's1', traceparent: 'tp', data_base64: Buffer.from([1, 2, 3]).toString('base64') });
  expect(await got.promise).toEqual(JSON.parse(JSON.stringify(sent)));
}

/**
 * Publishes 100 events to durable `prefetch`, whose handler (concurrency 4, so the
 * kernel asks the store for prefetch max(16, 8) = 16) holds every delivery until
 * `releaseAll`, which then waits for all 100 to be handled.
 */
export async function holdAHundred(m: Mesh): Promise<{ releaseAll(): Promise<void> }> {
  const hold = deferred();
  let done = 0;
  await m.subscribe('pf.*', async () => {
    await hold.promise;
    done++;
  }, { durable: 'prefetch', concurrency: 4 }).ready;
  await Promise.all(Array.from({ length: 100 }, (_, i) => m.publish('pf.x', i)));
  return {
    releaseAll: async () => {
      hold.resolve();
      await until(() => done === 100, 15_000);
    },
  };
}

/**
 * Registers, in the caller's describe, the two ways a broker is not there: nothing
 * listens on its port, or the port accepts and never speaks `protocol`.
 */
export function brokerAbsentCases(protocol: string, storeAt: (port: number, options: { connectTimeout?: number }) => MeshStore): void {
  const tracked = closedAfterEach();
  const silent: Socket[] = [];
  let blackhole: Server | undefined;
  afterAll(async () => {
    for (const s of silent) s.destroy();
    await new Promise((r) => (blackhole ? blackhole.close(r) : r(undefined)));
  });

  it('fails start() with ERR_MESH_STORE_UNAVAILABLE when nothing listens', async () => {
    const m = tracked({ store: storeAt(await deadPort(), {}) });
    await expectRejectCode(m.start(), 'ERR_MESH_STORE_UNAVAILABLE');
  });

  it(`fails start() with ERR_MESH_STORE_UNAVAILABLE within connectTimeout when the port accepts but never speaks ${protocol}`, async () => {
    blackhole = createServer((s) => void silent.push(s));
    await new Promise<void>((r) => blackhole?.listen(0, '127.0.0.1', () => r()));
    const { port } = blackhole.address() as AddressInfo;
    const m = tracked({ store: storeAt(port, { connectTimeout: 500 }) });
    await expectRejectCode(m.start(), 'ERR_MESH_STORE_UNAVAILABLE');
  }, 10_000);
}

/**
 * The outage run against both brokers: 100 publishes delivered, 100 more in flight
 * while `proxy` cuts every connection for 800 ms, 100 after producer and consumer
 * (the only two connections through it) dialled back in. Every publish resolves and
 * reaches `got`; what a broker may duplicate is left to the caller to check.
 */
export async function publishAcrossAnOutage(proxy: TcpProxy, producer: Mesh, got: ReadonlySet<number>): Promise<void> {
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
  await until(() => proxy.connections === 2, 15_000);
  await during;
  await publishRange(200, 300);

  expect(failed).toEqual([]);
  expect(acked.length).toBe(300);
  await until(() => acked.every((i) => got.has(i)), 20_000);
  expect(got.size).toBe(300);
}

/**
 * Two meshes on one store instance whose connections all go through `proxy`: the
 * first close leaves the store working for the other mesh (a durable attached there
 * gets an event published after it), the last close releases every connection.
 */
/** With the broker gone, a publish the store cannot accept rejects with ERR_MESH_STORE_FAILED (and never resolves). */
export async function rejectsAPublishItCannotStore(proxy: TcpProxy, mesh: Mesh): Promise<void> {
  try {
    await mesh.start();
    await mesh.publish('fault.ok', 1);
    await proxy.down();
    await expect(mesh.publish('fault.lost', 2)).rejects.toMatchObject({ code: 'ERR_MESH_STORE_FAILED' });
  } finally {
    await proxy.up();
    await mesh.close();
    await proxy.down();
  }
}

export async function releasesAtTheLastClose(proxy: TcpProxy, store: MeshStore): Promise<void> {
  const a = createMesh({ store });
  const b = createMesh({ store });
  try {
    await a.start();
    const got: unknown[] = [];
    await b.subscribe('rc.*', (e) => void got.push(e.data), { durable: 'refcount' }).ready;
    await a.close();
    await b.publish('rc.x', 'after the first close');
    await until(() => got.length === 1, 10_000);
    expect(proxy.connections).toBeGreaterThan(0);
    await b.close();
    await until(() => proxy.connections === 0, 10_000);
  } finally {
    await a.close();
    await b.close();
  }
}

/**
 * A mesh whose store reaches the broker through `proxy`, with no `onError` option and
 * a durable attached: cutting the proxy is a background failure (no call to reject),
 * which must reach `mesh.on('error')` with an ERR_MESH_STORE_* code. Resolves with
 * what the mesh got; the proxy is up again and the mesh closed by then.
 */
export async function reportsALostBroker(proxy: TcpProxy, store: MeshStore): Promise<MeshError[]> {
  const mesh = createMesh({ store });
  // A throw inside an 'error' listener is swallowed: collect, assert outside.
  const errors: MeshError[] = [];
  mesh.on('error', (e) => void errors.push(e));
  let cut = false;
  try {
    await mesh.subscribe('lost.*', () => undefined, { durable: 'lost' }).ready;
    expect(errors).toEqual([]);
    cut = true;
    await proxy.down();
    await until(() => errors.length > 0, 15_000);
  } finally {
    // Back up before closing, so the store closes against a broker, not into an outage.
    if (cut) await proxy.up();
    await mesh.close();
  }
  return errors;
}

/**
 * `ping` of a store whose connections all go through `proxy`, asked directly and
 * through its mesh: resolves while the broker is there; rejects with
 * ERR_MESH_STORE_UNAVAILABLE, never hangs, when the proxy black-holes the open
 * connections and when it cuts them; resolves again once the store dialled back in.
 * The mesh's backlogs meanwhile: a figure, then undefined (never a hang, never a
 * rejection), then a figure again.
 */
export async function pingFollowsTheBroker(proxy: TcpProxy, store: MeshStore): Promise<void> {
  const mesh = createMesh({ store });
  mesh.on('error', () => undefined);
  const ping = (): Promise<void> => (store.ping as NonNullable<MeshStore['ping']>).call(store);
  const answers = (): Promise<boolean> => ping().then(() => true, () => false);
  const durables = kernelOf(mesh).durables;
  const storeHealth = async (): Promise<boolean | undefined> => (await mesh.health({ store: true, timeout: 5000 })).checks.store?.ok;
  let cut = false;
  try {
    await mesh.start();
    await mesh.subscribe('health.*', () => undefined, { durable: 'health' }).ready;
    await ping();
    await durables.ping();
    expect(await mesh.health({ store: true })).toMatchObject({ ok: true, checks: { store: { ok: true } } });
    expect(await durables.backlogs()).toEqual([{ name: 'health', backlog: 0 }]);
    cut = true;
    proxy.stall();
    await expectRejectCode(ping(), 'ERR_MESH_STORE_UNAVAILABLE');
    expect(await durables.backlogs()).toEqual([{ name: 'health', backlog: undefined }]);
    await proxy.down();
    await expectRejectCode(ping(), 'ERR_MESH_STORE_UNAVAILABLE');
    await expectRejectCode(durables.ping(), 'ERR_MESH_STORE_UNAVAILABLE');
    // What /health answers (503 with the reason) while the broker is away, and again once it is back.
    const down = await mesh.health({ store: true, timeout: 5000 });
    expect(down).toMatchObject({ ok: false, checks: { started: { ok: true }, store: { ok: false } } });
    expect(down.reasons[0]).toMatch(/^store: /);
    expect(await durables.backlogs()).toEqual([{ name: 'health', backlog: undefined }]);
    await proxy.up();
    cut = false;
    await until(answers, 15_000);
    await durables.ping();
    await until(async () => (await storeHealth()) === true, 15_000);
    await until(async () => (await durables.backlogs())[0]?.backlog === 0, 15_000);
  } finally {
    if (cut) await proxy.up();
    await mesh.close();
  }
}
