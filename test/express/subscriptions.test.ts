import { afterEach, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem } from './harness.js';
import { serveApi, sink, subscribe, type ServedApi, type Sink } from './subscriptions-support.js';

const createMesh = closedAfterEach();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function track<T extends ServedApi | Sink>(thing: Promise<T>): Promise<T> {
  const t = await thing;
  open.push(t);
  return t;
}

describe.each(EXPRESS_VERSIONS)('subscriptionsApi on %s', (_name, makeApp) => {
  it('creates, lists, reads and deletes subscriptions', async () => {
    const mesh = createMesh();
    const { url } = await track(serveApi(makeApp, mesh));
    const target = await track(sink());
    const created = await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['shop.order.created'], id: 'ignored', config: { note: 'kept' } });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toEqual({ id: expect.any(String), sink: target.url, protocol: 'HTTP', types: ['shop.order.created'], config: { note: 'kept' } });
    expect(body['id']).not.toBe('ignored');
    expect(created.headers.get('location')).toBe(`/subscriptions/${String(body['id'])}`);
    const list = await fetch(url);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([body]);
    const one = await fetch(`${url}/${String(body['id'])}`);
    expect(await one.json()).toEqual(body);
    const deleted = await fetch(`${url}/${String(body['id'])}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual(body);
    await expectProblem(await fetch(`${url}/${String(body['id'])}`), 404, 'ERR_MESH_SUBSCRIPTION_NOT_FOUND');
    await expectProblem(await fetch(`${url}/${String(body['id'])}`, { method: 'DELETE' }), 404, 'ERR_MESH_SUBSCRIPTION_NOT_FOUND');
    expect(await (await fetch(url)).json()).toEqual([]);
    const options = await fetch(url, { method: 'OPTIONS' });
    expect(options.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    const put = await expectProblem(await fetch(`${url}/x`, { method: 'PUT' }), 405, 'ERR_MESH_METHOD_NOT_ALLOWED');
    expect(put['code']).toBe('ERR_MESH_METHOD_NOT_ALLOWED');
  });

  it('delivers exactly the events its types, source and filters match, in binary mode with its headers', async () => {
    const mesh = createMesh({ source: '/shop' });
    const { url } = await track(serveApi(makeApp, mesh));
    const target = await track(sink());
    const res = await subscribe(url, {
      sink: target.url, protocol: 'HTTP', types: ['shop.order.created', 'shop.order.paid'], source: '/shop',
      filters: [{ prefix: { subject: 'vip-' } }],
      protocolsettings: { headers: { authorization: 'Bearer s3cret', 'x-tenant': 'acme' }, method: 'PUT' },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { protocolsettings: { headers: Record<string, string> } };
    // Credentials are write-only: named, not shown.
    expect(created.protocolsettings.headers).toEqual({ authorization: '***', 'x-tenant': 'acme' });
    const wanted: string[] = [];
    wanted.push((await mesh.publish('shop.order.created', { n: 1 }, { subject: 'vip-1' })).id);
    await mesh.publish('shop.order.created', { n: 2 }, { subject: 'plain-2' });   // filter
    await mesh.publish('shop.order.shipped', { n: 3 }, { subject: 'vip-3' });   // type (same pattern level)
    await mesh.publish('shop.order.paid', { n: 4 }, { subject: 'vip-4', source: '/elsewhere' });   // source
    await mesh.publish('shop.order.created.late', { n: 5 }, { subject: 'vip-5' });   // type (deeper)
    wanted.push((await mesh.publish('shop.order.paid', { n: 6 }, { subject: 'vip-6' })).id);
    // One durable consumer delivers in publish order: once the last arrived, nothing else will.
    await until(() => target.hits.length >= 2, 5000);
    expect(target.hits.map((h) => h.event.id)).toEqual(wanted);
    for (const hit of target.hits) {
      expect(hit.method).toBe('PUT');
      expect(hit.headers['ce-id']).toBe(hit.event.id);
      expect(hit.headers.authorization).toBe('Bearer s3cret');
      expect(hit.headers['x-tenant']).toBe('acme');
      expect(hit.event.source).toBe('/shop');
    }
    expect(target.hits[1]?.event.data).toEqual({ n: 6 });
  });

  it('retries a sink that answers 500, then delivers', async () => {
    const mesh = createMesh();
    const { url } = await track(serveApi(makeApp, mesh, { retry: { attempts: 3, backoff: 5 } }));
    mesh.on('error', () => undefined);
    const target = await track(sink([500, 204]));
    expect((await subscribe(url, { sink: target.url, protocol: 'HTTP' })).status).toBe(201);
    const event = await mesh.publish('shop.retry', { n: 1 });
    await until(() => target.hits.length === 1, 5000);
    expect(target.answered).toEqual([500, 204]);
    expect(target.hits[0]?.event.id).toBe(event.id);
  });

  it('dead-letters after the last attempt, and no subscription of the router gets the dead letter', async () => {
    const mesh = createMesh();
    const { url } = await track(serveApi(makeApp, mesh, { retry: { attempts: 2, backoff: 5 }, deadLetter: 'subs.dlq' }));
    const failing = await track(sink([500]));
    const healthy = await track(sink());
    mesh.on('error', () => undefined);
    const dead: MeshEvent[] = [];
    mesh.subscribe('subs.dlq', (e) => {
      dead.push(e);
    });
    expect((await subscribe(url, { sink: failing.url, protocol: 'HTTP', types: ['shop.doomed'] })).status).toBe(201);
    // Every type: its pattern takes subs.dlq too, which the router keeps out.
    expect((await subscribe(url, { sink: healthy.url, protocol: 'HTTP' })).status).toBe(201);
    const event = await mesh.publish('shop.doomed', { n: 1 });
    await until(() => dead.length === 1, 5000);
    expect(failing.answered).toEqual([500, 500]);
    expect(dead[0]).toMatchObject({ originalid: event.id, deliveryattempts: 2, lasterrorcode: 'ERR_MESH_WEBHOOK_FAILED' });
    await mesh.publish('shop.after', {});
    await until(() => healthy.hits.length === 2, 5000);
    expect(healthy.hits.map((h) => h.event.type)).toEqual(['shop.doomed', 'shop.after']);
  });

  it('stops deliveries on DELETE and deletes the durable', async () => {
    const mesh = createMesh();
    const { url } = await track(serveApi(makeApp, mesh));
    const target = await track(sink());
    const first = (await (await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['shop.tick'] })).json()) as { id: string };
    await mesh.publish('shop.tick', { n: 1 });
    await until(() => target.hits.length === 1, 5000);
    expect(mesh.inspect().durables.map((d) => d.name)).toContain(`subscription:${first.id}`);
    expect((await fetch(`${url}/${first.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(mesh.inspect().durables.map((d) => d.name)).not.toContain(`subscription:${first.id}`);
    await mesh.publish('shop.tick', { n: 2 });
    // A second subscription to the same sink shows when deliveries resume; the deleted one sent nothing meanwhile.
    expect((await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['shop.tock'] })).status).toBe(201);
    await mesh.publish('shop.tock', { n: 3 });
    await until(() => target.hits.length === 2, 5000);
    expect(target.hits.map((h) => h.event.data)).toEqual([{ n: 1 }, { n: 3 }]);
  });
});
