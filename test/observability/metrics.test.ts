import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { hooksOf } from '../../src/mesh/mesh.js';
import { deferred, expectRejectCode, expectThrowCode, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { sample, series } from './prom.js';

const tracked = closedAfterEach();

describe('Prometheus metrics (a real prom-client registry)', () => {
  it('counts publishes, deliveries by outcome, handler durations, requests and errors exactly', async () => {
    const registry = new Registry();
    const mesh = tracked({ id: 'm', metrics: { registry }, closeTimeout: 50 });
    const errors: MeshError[] = [];
    mesh.on('error', (e) => void errors.push(e));
    await mesh.start();
    mesh.subscribe('shop.order.*', () => undefined, { name: 'orders' });
    let calls = 0;
    // Fails every first attempt: 2 events → 2 retried, 2 ok.
    mesh.subscribe('shop.flaky', () => {
      if (calls++ % 2 === 0) throw new Error('once');
    }, { name: 'flaky', retry: { attempts: 2, backoff: 1 } });
    mesh.subscribe('shop.bad', () => {
      throw new Error('always');
    }, { name: 'bad', retry: { attempts: 1 }, deadLetter: 'shop.dlq' });
    mesh.subscribe('shop.worse', () => {
      throw new Error('always');
    }, { name: 'worse', retry: { attempts: 1 } });
    mesh.subscribe('shop.ask', () => 'yes', { name: 'ask' });
    mesh.subscribe('shop.ask.fail', () => {
      throw new Error('no');
    }, { name: 'askfail', retry: { attempts: 1 } });
    mesh.subscribe('shop.ask.slow', () => new Promise(() => undefined), { name: 'slow' });

    for (let i = 0; i < 5; i++) mesh.emit('shop.order.created', { i });
    mesh.emit('shop.flaky', 1);
    mesh.emit('shop.flaky', 2);
    mesh.emit('shop.bad', 1);
    mesh.emit('shop.worse', 1);
    await mesh.request('shop.ask');
    await expectRejectCode(mesh.request('shop.ask.fail'), 'ERR_MESH_HANDLER_FAILED');
    await expectRejectCode(mesh.request('shop.ask.slow', undefined, { timeout: 20 }), 'ERR_MESH_TIMEOUT');
    await expectRejectCode(mesh.request('shop.nobody'), 'ERR_MESH_NO_RESPONDER');
    await until(async () => (await sample(registry, 'evmesh_deliveries_total', { subscription: 'flaky', outcome: 'ok' })) === 2);

    // 5 + 2 + 1 + 1 + 3 requests + 1 dead letter (a publish too); the refused request is never published.
    expect(await sample(registry, 'evmesh_events_published_total')).toBe(13);
    expect(await series(registry, 'evmesh_deliveries_total')).toEqual({
      'outcome=ok,subscription=orders': 5,
      'outcome=retried,subscription=flaky': 2,
      'outcome=ok,subscription=flaky': 2,
      'outcome=dead_lettered,subscription=bad': 1,
      'outcome=failed,subscription=worse': 1,
      'outcome=ok,subscription=ask': 1,
      'outcome=failed,subscription=askfail': 1,
    });
    expect(await series(registry, 'evmesh_requests_total')).toEqual({ 'outcome=ok': 1, 'outcome=failed': 1, 'outcome=timeout': 1, 'outcome=no_responder': 1 });
    const text = await registry.metrics();
    expect(text).toMatch(/evmesh_handler_duration_seconds_count\{subscription="orders"\} 5/);
    expect(text).toMatch(/evmesh_handler_duration_seconds_count\{subscription="flaky"\} 4/);
    expect(await sample(registry, 'evmesh_errors_total', { code: 'ERR_MESH_HANDLER_FAILED' })).toBe(errors.filter((e) => e.code === 'ERR_MESH_HANDLER_FAILED').length);
    expect(await sample(registry, 'evmesh_errors_total', { code: 'ERR_MESH_HANDLER_FAILED' })).toBe(5);
  });

  it('samples queue depth and in-flight handlers per subscription at scrape time', async () => {
    const registry = new Registry();
    const mesh = tracked({ metrics: { registry } });
    await mesh.start();
    const gate = deferred();
    mesh.subscribe('work.item', () => gate.promise, { name: 'worker', concurrency: 2 });
    for (let i = 0; i < 7; i++) mesh.emit('work.item', i);
    expect(await sample(registry, 'evmesh_subscription_in_flight', { subscription: 'worker' })).toBe(2);
    expect(await sample(registry, 'evmesh_subscription_queued', { subscription: 'worker' })).toBe(5);
    gate.resolve();
    await until(async () => (await sample(registry, 'evmesh_deliveries_total', { subscription: 'worker', outcome: 'ok' })) === 7);
    expect(await sample(registry, 'evmesh_subscription_queued', { subscription: 'worker' })).toBe(0);
    expect(await sample(registry, 'evmesh_subscription_in_flight', { subscription: 'worker' })).toBe(0);
  });

  it('a subscription that ended leaves no series behind in the gauges', async () => {
    const registry = new Registry();
    const mesh = tracked({ metrics: { registry } });
    await mesh.start();
    const sub = mesh.subscribe('a.b', () => undefined, { name: 'gone' });
    expect(await series(registry, 'evmesh_subscription_queued')).toEqual({ 'subscription=gone': 0 });
    await sub.unsubscribe();
    expect(await series(registry, 'evmesh_subscription_queued')).toEqual({});
  });

  it('links over real TCP: peers, per-peer bytes and frames both ways, heartbeat round trip, link changes', async () => {
    const registry = new Registry();
    const b = tracked({ id: 'b', listen: { port: 0 }, heartbeatInterval: 20 });
    await b.start();
    const a = tracked({ id: 'a', peers: [`tcp://127.0.0.1:${String(b.address?.port)}`], heartbeatInterval: 20, metrics: { registry } });
    b.subscribe('x.y', () => undefined);
    await a.start({ waitForPeers: 5000 });
    a.emit('x.y', 'hello');
    expect(await sample(registry, 'evmesh_peers')).toBe(1);
    expect(await sample(registry, 'evmesh_peer_up', { peer: 'b' })).toBe(1);
    expect(await sample(registry, 'evmesh_peer_interest', { peer: 'b' })).toBe(1);
    await until(async () => (await sample(registry, 'evmesh_peer_rtt_seconds', { peer: 'b' })) > 0);
    for (const direction of ['in', 'out']) {
      expect(await sample(registry, 'evmesh_peer_frames_total', { peer: 'b', direction })).toBeGreaterThan(2);
      expect(await sample(registry, 'evmesh_peer_bytes_total', { peer: 'b', direction })).toBeGreaterThan(100);
    }
    expect(await sample(registry, 'evmesh_link_changes_total', { kind: 'peer', change: 'up' })).toBe(1);
    await b.close();
    await until(async () => (await sample(registry, 'evmesh_peers')) === 0);
    // A configured peer keeps its series while down, at 0, so an alert can fire on it.
    expect(await series(registry, 'evmesh_peer_up')).toEqual({ [`peer=b`]: 0 });
    expect(await sample(registry, 'evmesh_link_changes_total', { kind: 'peer', change: 'down' })).toBe(1);
  });

  it('counts refusals: an ACL refusal of a peer advertisement', async () => {
    const registry = new Registry();
    const a = tracked({ id: 'a', listen: { port: 0 }, metrics: { registry }, acl: { b: { subscribe: ['public.#'] } } });
    a.on('error', () => undefined);
    await a.start();
    const b = tracked({ id: 'b', peers: [`tcp://127.0.0.1:${String(a.address?.port)}`] });
    b.subscribe('secret.x', () => undefined);
    await b.start({ waitForPeers: 5000 });
    await until(async () => (await sample(registry, 'evmesh_refusals_total', { reason: 'aclSubscribe' })) === 1);
  });

  it('the event type is a label only when asked for', async () => {
    const registry = new Registry();
    const mesh = tracked({ metrics: { registry, typeLabel: true } });
    await mesh.start();
    mesh.emit('a.b', 1);
    mesh.emit('a.b', 2);
    mesh.emit('a.c', 3);
    expect(await series(registry, 'evmesh_events_published_total')).toEqual({ 'type=a.b': 2, 'type=a.c': 1 });
  });

  it('what is counted before start() (prom-client still loading) is not lost', async () => {
    const registry = new Registry();
    const mesh = tracked({ metrics: { registry } });
    mesh.subscribe('early.bird', () => undefined);
    mesh.emit('early.bird', 1);
    mesh.emit('early.bird', 2);
    await mesh.start();
    expect(await sample(registry, 'evmesh_events_published_total')).toBe(2);
    expect(await sample(registry, 'evmesh_deliveries_total', { subscription: 'early.bird', outcome: 'ok' })).toBe(2);
  });

  it('one registry holds one mesh per prefix: a second mesh is refused unless it has its own prefix', () => {
    const registry = new Registry();
    tracked({ metrics: { registry } });
    expectThrowCode(() => tracked({ metrics: { registry } }), 'ERR_MESH_INVALID_OPTIONS');
    expect(() => tracked({ metrics: { registry, prefix: 'second_' } })).not.toThrow();
  });

  it('a closed mesh takes its metrics out of the registry, so a new mesh can register there', async () => {
    const registry = new Registry();
    const first = tracked({ metrics: { registry } });
    await first.start();
    first.emit('a.b', 1);
    expect(await sample(registry, 'evmesh_events_published_total')).toBe(1);
    await first.close();
    expect(registry.getSingleMetric('evmesh_events_published_total')).toBeUndefined();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    const second = tracked({ metrics: { registry } });
    await second.start();
    expect(await sample(registry, 'evmesh_events_published_total')).toBe(0);
  });

  it('bad metrics options throw at createMesh', () => {
    expectThrowCode(() => tracked({ metrics: {} as never }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => tracked({ metrics: { registry: new Registry(), prefix: '1x' } }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => tracked({ metrics: { registry: new Registry(), buckets: [1, 0.5] } }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('without metrics no hook is attached and subscriptions keep the fast path', () => {
    const mesh = tracked();
    const hooks = hooksOf(mesh);
    expect([hooks.onPublish, hooks.onSettle, hooks.onRequestDone, hooks.onReport]).toEqual([undefined, undefined, undefined, undefined]);
    const withMetrics = tracked({ metrics: { registry: new Registry() } });
    expect(hooksOf(withMetrics).onSettle).toHaveLength(1);
  });
});
