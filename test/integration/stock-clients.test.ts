import { delay, map } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { CE_PROPS, bodyJson, cloudEvent, userAgent, type Frame, type StockClient } from './stock-client.js';
import { isPush, sleep, stockFixture } from './stock-fixture.js';
import { NodeProcess } from './node-process.js';

// Stock EventMesh client sessions publishing and subscribing (PROTOCOL §8.1–§8.4, §8.7).
const { node, session, connect } = stockFixture();
const processes: NodeProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.close()));
});

describe('a stock EventMesh client publishing', () => {
  it('reaches an in-process subscriber, routed by subject, and is ACKed with its seq', async () => {
    const { mesh, port } = await node();
    const got: MeshEvent[] = [];
    mesh.subscribe('orders.created', (e) => void got.push(e));
    mesh.subscribe('cloudevents', (e) => void got.push(e)); // its type: not how it is routed
    const pub = await session(port, 'pub');
    const event = cloudEvent('orders.created', { id: 7 }, { ttl: '30000' });
    const ack = await pub.publish(event);
    expect(ack.header).toMatchObject({ cmd: 'ASYNC_MESSAGE_TO_SERVER_ACK', code: 0 });
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ id: event['id'], type: 'cloudevents', subject: 'orders.created', data: { id: 7 }, ttl: '30000', protocoltype: 'cloudevents', protocoldesc: 'tcp' });
    const broadcast = await pub.publish(cloudEvent('orders.created', 2), 'BROADCAST_MESSAGE_TO_SERVER');
    expect(broadcast.header).toMatchObject({ cmd: 'BROADCAST_MESSAGE_TO_SERVER_ACK', code: 0 });
    await until(() => got.length === 2);
    expect(got.map((e) => e.subject)).toEqual(['orders.created', 'orders.created']);
  });

  it('is routed by subject through a `use` chain too, while what its handlers publish routes by type', async () => {
    const { mesh, port } = await node();
    mesh.use((events$) => events$.pipe(map((e) => ({ ...e.toJSON(), checked: 'yes' }))));
    const got: MeshEvent[] = [];
    mesh.subscribe('audit.in', (e) => {
      got.push(e);
      mesh.emit('audit.out', 'nested', { subject: 'audit.in' });
    });
    mesh.subscribe('audit.out', (e) => void got.push(e));
    const pub = await session(port, 'pub');
    expect((await pub.publish(cloudEvent('audit.in', 'x'))).header.code).toBe(0);
    await until(() => got.length === 2);
    expect(got.map((e) => [e.type, e.subject, e['checked']])).toEqual([['cloudevents', 'audit.in', 'yes'], ['audit.out', 'audit.in', 'yes']]);
  });

  it('is routed by subject also when an asynchronous `use` chain passes the event on later', async () => {
    const { mesh, port } = await node();
    // The evmesh/nest startup gate holds events this way until the app's handlers are bound.
    mesh.use((events$) => events$.pipe(delay(5)));
    const got: MeshEvent[] = [];
    mesh.subscribe('audit.in', (e) => void got.push(e));
    const pub = await session(port, 'pub');
    expect((await pub.publish(cloudEvent('audit.in', 'late'))).header.code).toBe(0);
    await until(() => got.length === 1);
    expect(got.map((e) => [e.type, e.subject, e.data])).toEqual([['cloudevents', 'audit.in', 'late']]);
  });

  it('gets code 1 with the ERR_MESH_* code for an invalid event, and the session stays usable', async () => {
    const { mesh, port } = await node();
    const got: unknown[] = [];
    mesh.subscribe('ok', (e) => void got.push(e.data));
    const pub = await session(port, 'pub');
    const noSubject = cloudEvent('x', 1);
    delete noSubject['subject'];
    const cases: [Record<string, unknown> | string, string][] = [
      [noSubject, 'ERR_MESH_INVALID_EVENT'],
      [cloudEvent('a..b', 1), 'ERR_MESH_INVALID_TOPIC'],
      [{ ...cloudEvent('ok', 1), source: '' }, 'ERR_MESH_INVALID_EVENT'],
      ['{not json', 'ERR_MESH_INVALID_EVENT'],
    ];
    for (const [event, code] of cases) {
      const ack = await pub.call('ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER_ACK', CE_PROPS, typeof event === 'string' ? event : JSON.stringify(event));
      expect(ack.header.code).toBe(1);
      expect(ack.header.desc?.split(':')[0]).toBe(code);
    }
    expect((await pub.publish(cloudEvent('ok', 'fine'))).header.code).toBe(0);
    await until(() => got.length === 1);
    expect(got).toEqual(['fine']);
  });
});

describe('a stock EventMesh client subscribing', () => {
  it('pushes nothing before LISTEN, then mesh events whose subject matches, attributes kept', async () => {
    const { mesh, port } = await node();
    const sub = await connect(port);
    await sub.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent('sub', 'g')));
    const subscribed = await sub.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic: 'orders.created', mode: 'CLUSTERING', type: 'ASYNC' }] }));
    expect(subscribed.header.code).toBe(0);
    await mesh.publish('com.shop.order.created', 'before listen', { subject: 'orders.created' });
    await sleep(100);
    expect(sub.frames.filter(isPush)).toEqual([]);
    expect((await sub.call('LISTEN_REQUEST', 'LISTEN_RESPONSE')).header.code).toBe(0);
    const sent = await mesh.publish('com.shop.order.created', { id: 1 }, { subject: 'orders.created', region: 'eu', datacontenttype: 'application/json' });
    await mesh.publish('com.shop.order.created', 'other subject', { subject: 'orders.cancelled' });
    const push = await sub.next(isPush);
    expect(push.header).toMatchObject({ cmd: 'ASYNC_MESSAGE_TO_CLIENT', code: 0, seq: '1', properties: { protocoltype: 'cloudevents' } });
    expect(bodyJson(push)).toEqual({
      specversion: '1.0', id: sent.id, source: sent.source, type: 'com.shop.order.created', datacontenttype: 'application/json',
      subject: 'orders.created', time: sent.time, region: 'eu', protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp', data: { id: 1 },
    });
    sub.ack(push);
    await sleep(100);
    expect(sub.frames.filter(isPush)).toEqual([]);
  });

  it('pushes mesh events whose type or subject matches the topic, an event matching both once', async () => {
    const { mesh, port } = await node();
    const clustered = await session(port, 'sub', 'g', [['orders.created'], ['shop.#']]);
    const broadcast = await session(port, 'sub', 'g', [['orders.created', 'BROADCASTING']]);
    await mesh.publish('orders.created', 'by type');
    await mesh.publish('com.shop.order', 'by subject', { subject: 'orders.created' });
    await mesh.publish('orders.created', 'by both', { subject: 'orders.created' });
    await mesh.publish('shop.order.paid', 'by type under shop.#');
    await mesh.publish('orders.cancelled', 'by neither', { subject: 'orders.other' });
    await mesh.publish('orders.created', 'last');
    for (const [client, count] of [[clustered, 5], [broadcast, 4]] as const) {
      await until(() => client.frames.filter(isPush).some((p) => bodyJson(p)['data'] === 'last'));
      const data = client.frames.filter(isPush).map((p) => bodyJson(p)['data']);
      expect(data).toHaveLength(count);
      expect(data.filter((d) => d === 'by both')).toHaveLength(1);
      expect(data).not.toContain('by neither');
    }
    expect(clustered.frames.filter(isPush).map((p) => bodyJson(p)['data'])).toContain('by type under shop.#');
  });

  it('pushes an event published as an EventMeshMessage back as one, topic and body set; mesh events as CloudEvents', async () => {
    const { mesh, port } = await node();
    const sub = await session(port, 'sub', 'g', [['orders.emm']]);
    const pub = await session(port, 'pub');
    const message = { topic: 'orders.emm', properties: { ttl: '30000' }, headers: { datacontenttype: 'text/plain' }, body: 'hi' };
    const emm = { protocolversion: '1.0', protocoldesc: 'tcp', protocoltype: 'eventmeshmessage' };
    expect((await pub.call('ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER_ACK', emm, JSON.stringify(message))).header.code).toBe(0);
    // PROTOCOL §11.7: without protocoltype the body is an EventMeshMessage too.
    const bare = { topic: 'orders.emm', properties: {}, body: 'no protocoltype' };
    expect((await pub.call('ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER_ACK', {}, JSON.stringify(bare))).header.code).toBe(0);
    await mesh.publish('orders.emm', { from: 'mesh' });
    await until(() => sub.frames.filter(isPush).length === 3);
    const [first, second, third] = sub.frames.filter(isPush) as [Frame, Frame, Frame];
    expect(first.header).toMatchObject({ cmd: 'ASYNC_MESSAGE_TO_CLIENT', properties: { protocoltype: 'eventmeshmessage' } });
    expect(bodyJson(first)).toEqual({ ...message, properties: { ...emm, ttl: '30000' } });
    expect(second.header.properties).toEqual({ protocoltype: 'eventmeshmessage' });
    expect(bodyJson(second)).toMatchObject({ topic: 'orders.emm', body: 'no protocoltype', properties: { protocoltype: 'eventmeshmessage' } });
    expect(third.header.properties).toEqual({ protocoltype: 'cloudevents' });
    expect(bodyJson(third)).toMatchObject({ type: 'orders.emm', data: { from: 'mesh' } });
  });

  it('redelivers an un-ACKed push with the same seq until it is ACKed', async () => {
    const { mesh, port } = await node({ stockClients: { redeliverAfter: 100 } });
    const sub = await session(port, 'sub', 'g', [['t']]);
    await mesh.publish('e', 'acked', { subject: 't' });
    const first = await sub.next(isPush);
    sub.ack(first);
    await mesh.publish('e', 'not acked', { subject: 't' });
    const second = await sub.next(isPush);
    const again = await sub.next(isPush, 3000);
    expect(again.header.seq).toBe(second.header.seq);
    expect(bodyJson(again)['data']).toBe('not acked');
    sub.ack(again);
    await sleep(300); // copies already on the way when the ACK left
    const settled = sub.frames.filter(isPush).length;
    await sleep(400);
    expect(sub.frames.filter(isPush)).toHaveLength(settled);
    // The ACKed push never came back.
    expect(first.header.seq).not.toBe(second.header.seq);
    expect(sub.frames.filter(isPush).every((f) => f.header.seq === second.header.seq)).toBe(true);
  });

  it('keeps at most maxUnacked pushes in flight, queues the rest, and drops a client whose queue overflows', async () => {
    const { mesh, port, errors } = await node({ stockClients: { maxUnacked: 2, maxQueued: 3 } });
    const sub = await session(port, 'sub', 'g', [['q']]);
    for (let i = 0; i < 5; i++) await mesh.publish('q', i, { subject: 'q' });
    await until(() => sub.frames.filter(isPush).length === 2);
    await sleep(100);
    expect(sub.frames.filter(isPush).map((p) => bodyJson(p)['data'])).toEqual([0, 1]);
    sub.ack(sub.frames.filter(isPush)[0] as Frame);
    await until(() => sub.frames.filter(isPush).length === 3);
    expect(bodyJson(sub.frames.filter(isPush)[2] as Frame)['data']).toBe(2);
    for (let i = 5; i < 7; i++) await mesh.publish('q', i, { subject: 'q' });
    await sub.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BACKPRESSURE']);
  });

  it('spreads a CLUSTERING group over its sessions and in-process members, each event once', async () => {
    const { mesh, port } = await node();
    const a = await session(port, 'sub', 'workers', [['jobs']]);
    const b = await session(port, 'sub', 'workers', [['jobs']]);
    const local: unknown[] = [];
    mesh.subscribe('jobs', (e) => void local.push(e.data), { group: 'workers' });
    const ackAll = (c: StockClient, seen: unknown[]) => async () => {
      for (;;) {
        const p = await c.next(isPush, 60_000).catch(() => undefined);
        if (p === undefined) return;
        seen.push(bodyJson(p)['data']);
        c.ack(p);
      }
    };
    const seenA: unknown[] = [];
    const seenB: unknown[] = [];
    void ackAll(a, seenA)();
    void ackAll(b, seenB)();
    for (let i = 0; i < 30; i++) await mesh.publish('jobs', i, { subject: 'jobs' });
    await until(() => seenA.length + seenB.length + local.length === 30, 5000);
    await sleep(100);
    const all = [...seenA, ...seenB, ...local].sort((x, y) => (x as number) - (y as number));
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(seenA.length).toBeGreaterThan(0);
    expect(seenB.length).toBeGreaterThan(0);
    expect(local.length).toBeGreaterThan(0);
  });

  it('gives every BROADCASTING session each event', async () => {
    const { mesh, port } = await node();
    const a = await session(port, 'sub', 'g', [['news', 'BROADCASTING']]);
    const b = await session(port, 'sub', 'g', [['news', 'BROADCASTING']]);
    await mesh.publish('n', 'hello', { subject: 'news' });
    for (const c of [a, b]) {
      const push = await c.next(isPush);
      expect(push.header.cmd).toBe('BROADCAST_MESSAGE_TO_CLIENT');
      expect(bodyJson(push)['data']).toBe('hello');
    }
  });

  it('gets one event per push frame, in order, while an evmesh peer sends the node those events in batches (PROTOCOL §5.6)', async () => {
    const { mesh, port } = await node({ id: 'n' });
    mesh.subscribe('ask.n', () => 'ok');
    const client = await session(port, 'sub', 'g', [['o.created', 'BROADCASTING']]);
    const peer = await NodeProcess.start({ id: 'p', peers: [`tcp://127.0.0.1:${String(port)}`] });
    processes.push(peer);
    await peer.requestUntilAnswered('ask.n'); // the table exchange is done: p knows the client's interest
    const n = 300;
    peer.emitMany('o.created', n);
    for (let i = 0; i < n; i++) {
      const push = await client.next(isPush, 10_000);
      expect(push.header).toMatchObject({ cmd: 'BROADCAST_MESSAGE_TO_CLIENT', properties: { protocoltype: 'cloudevents' } });
      expect(push.header.properties['evmeshbatch']).toBeUndefined();
      expect(bodyJson(push)['data']).toBe(i);
      client.ack(push);
    }
    // The events did come over the peer link in batches: far fewer frames than events.
    expect(mesh.peers()[0]?.inbound?.frames).toBeLessThan(n / 10);
  }, 30_000);

  it('hands the un-ACKed pushes of a CLUSTERING session that goes away to another session of its group', async () => {
    const { mesh, port } = await node({ stockClients: { redeliverAfter: 60_000 } });
    const a = await session(port, 'sub', 'g', [['w']]);
    const b = await session(port, 'sub', 'g', [['w']]);
    for (let i = 0; i < 4; i++) await mesh.publish('w', i, { subject: 'w' });
    await until(() => a.frames.filter(isPush).length === 2 && b.frames.filter(isPush).length === 2);
    for (const p of b.frames.filter(isPush)) b.ack(p);
    const lost = a.frames.filter(isPush).map((p) => bodyJson(p)['data']);
    a.destroy();
    await until(() => b.frames.filter(isPush).length === 4, 5000);
    expect(b.frames.filter(isPush).slice(2).map((p) => bodyJson(p)['data'])).toEqual(lost);
  });

  it('matches a trailing "#" topic against the subject, and refuses other wildcards with code 1', async () => {
    const { mesh, port } = await node();
    const sub = await session(port, 'sub', 'g', [['shop.#']]);
    const star = await sub.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic: 'a.*', mode: 'CLUSTERING', type: 'ASYNC' }] }));
    expect(star.header.code).toBe(1);
    expect(star.header.desc?.split(':')[0]).toBe('ERR_MESH_INVALID_PATTERN');
    for (const subject of ['shop', 'shopping', 'shop.order.x']) await mesh.publish('t', subject, { subject });
    await until(() => sub.frames.filter(isPush).length === 2);
    expect(sub.frames.filter(isPush).map((p) => bodyJson(p)['data'])).toEqual(['shop', 'shop.order.x']);
  });
});

