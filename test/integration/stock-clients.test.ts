import { connect } from 'node:net';
import { map } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh, MeshError, MeshEvent, MeshOptions } from '../../src/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { CE_PROPS, StockClient, bodyJson, cloudEvent, userAgent, type Frame } from './stock-client.js';

const createMesh = closedAfterEach();
const clients: StockClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function node(options: MeshOptions = {}): Promise<{ mesh: Mesh; port: number; errors: MeshError[] }> {
  const mesh = createMesh({ listen: { port: 0 }, ...options });
  const errors: MeshError[] = [];
  mesh.on('error', (e) => void errors.push(e));
  await mesh.start();
  return { mesh, port: mesh.address?.port as number, errors };
}

async function session(...args: Parameters<typeof StockClient.session>): Promise<StockClient> {
  const client = await StockClient.session(...args);
  clients.push(client);
  return client;
}

const isPush = (f: Frame): boolean => f.header.cmd.endsWith('_TO_CLIENT') && f.header.cmd !== 'RESPONSE_TO_CLIENT';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
    const sub = await StockClient.connect(port);
    clients.push(sub);
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

describe('request/reply with a stock EventMesh client', () => {
  it('answers a REQUEST_TO_SERVER with RESPONSE_TO_CLIENT and its seq, or code 1 on NO_RESPONDER / TIMEOUT', async () => {
    const { mesh, port } = await node();
    mesh.subscribe('stock.reserve', (e) => ({ reserved: e.data }));
    mesh.subscribe('stock.silent', () => undefined);
    const pub = await session(port, 'pub');
    const ask = cloudEvent('stock.reserve', 'sku-1');
    const reply = await pub.publish(ask, 'REQUEST_TO_SERVER');
    expect(reply.header).toMatchObject({ cmd: 'RESPONSE_TO_CLIENT', code: 0, properties: { protocoltype: 'cloudevents' } });
    expect(bodyJson(reply)).toMatchObject({ inreplyto: ask['id'], data: { reserved: 'sku-1' } });
    const none = await pub.publish(cloudEvent('nobody.here', 1), 'REQUEST_TO_SERVER');
    expect([none.header.cmd, none.header.code, none.header.desc?.split(':')[0]]).toEqual(['RESPONSE_TO_CLIENT', 1, 'ERR_MESH_NO_RESPONDER']);
    const slow = await pub.publish(cloudEvent('stock.silent', 1, { ttl: '100' }), 'REQUEST_TO_SERVER');
    expect([slow.header.code, slow.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_TIMEOUT']);
  });

  it('serves a mesh request to a CLUSTERING+SYNC client as REQUEST_TO_CLIENT, answered by its RESPONSE_TO_SERVER', async () => {
    const { mesh, port } = await node();
    const responder = await session(port, 'sub', 'g', [['rr', 'CLUSTERING', 'SYNC']]);
    void (async () => {
      const asked = await responder.next((f) => f.header.cmd === 'REQUEST_TO_CLIENT');
      responder.ack(asked);
      // The SDK idiom: send the request event back, with the answer as data.
      responder.send('RESPONSE_TO_SERVER', { properties: CE_PROPS, body: JSON.stringify({ ...bodyJson(asked), data: { answer: 42 } }) });
    })();
    const reply = await mesh.request('com.rr', 'q', { timeout: 5000, attributes: { subject: 'rr' } });
    expect(reply.data).toEqual({ answer: 42 });
    await responder.call('UNSUBSCRIBE_REQUEST', 'UNSUBSCRIBE_RESPONSE');
    await expectRejectCode(mesh.request('com.rr', 'q', { attributes: { subject: 'rr' } }), 'ERR_MESH_NO_RESPONDER');
  });
});

describe('stock EventMesh client sessions and a peer node', () => {
  it("carry a client's events to a subscriber on a peer and the peer's events and requests to a client; withdrawn when it leaves", async () => {
    const a = await node();
    const b = createMesh({ peers: [`tcp://127.0.0.1:${a.port}`] });
    await b.start();
    const atB: MeshEvent[] = [];
    b.subscribe('orders.created', (e) => void atB.push(e));
    const pub = await session(a.port, 'pub');
    await until(() => a.mesh.peers().length === 1, 5000);
    // Interest propagates asynchronously: publish until the peer has it.
    await until(() => {
      if (atB.length === 0) void pub.publish(cloudEvent('orders.created', 'from client'));
      return atB.length > 0;
    }, 10_000);
    expect(atB[0]).toMatchObject({ type: 'cloudevents', subject: 'orders.created', data: 'from client' });

    const sub = await session(a.port, 'sub', 'g', [['billing.due', 'CLUSTERING', 'SYNC'], ['shipping.#', 'BROADCASTING']]);
    let shipped: Frame | undefined;
    void sub.next((f) => f.header.cmd === 'BROADCAST_MESSAGE_TO_CLIENT', 10_000).then((f) => (shipped = f), () => undefined);
    await until(() => {
      if (shipped === undefined) void b.publish('com.ship', 'from peer', { subject: 'shipping.sent' });
      return shipped !== undefined;
    }, 10_000);
    expect(bodyJson(shipped as Frame)).toMatchObject({ type: 'com.ship', subject: 'shipping.sent', data: 'from peer', source: b.source });
    void (async () => {
      for (;;) {
        const asked = await sub.next((f) => f.header.cmd === 'REQUEST_TO_CLIENT', 60_000).catch(() => undefined);
        if (asked === undefined) return;
        sub.ack(asked);
        sub.send('RESPONSE_TO_SERVER', { properties: CE_PROPS, body: JSON.stringify({ ...cloudEvent('billing.due', 'paid'), inreplyto: bodyJson(asked)['id'] }) });
      }
    })();
    let answer: unknown;
    await until(() => {
      void b.request('com.billing', 'invoice 1', { timeout: 500, attributes: { subject: 'billing.due' } }).then((r) => (answer = r.data), () => undefined);
      return answer !== undefined;
    }, 10_000);
    expect(answer).toBe('paid');
    sub.destroy();
    let code: string | undefined;
    await until(() => {
      void b.request('com.billing', 'x', { timeout: 500, attributes: { subject: 'billing.due' } }).catch((e: MeshError) => (code = e.code));
      return code === 'ERR_MESH_NO_RESPONDER';
    }, 10_000);
  });
});

describe('stock EventMesh session lifecycle', () => {
  it('answers heartbeats, keeps a heartbeating session and expires a silent one, removing its subscriptions', async () => {
    const { mesh, port } = await node({ stockClients: { sessionTimeout: 300 } });
    const lively = await session(port, 'sub', 'g', [['hb.alive']]);
    const silent = await session(port, 'sub', 'g', [['hb.silent', 'CLUSTERING', 'SYNC']]);
    const hb = await lively.call('HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE');
    expect(hb.header).toMatchObject({ code: 0, desc: 'success' });
    const beat = setInterval(() => lively.send('HEARTBEAT_REQUEST'), 50);
    try {
      await silent.closed;
      await sleep(400);
      expect(lively.isClosed).toBe(false);
    } finally {
      clearInterval(beat);
    }
    await expectRejectCode(mesh.request('x', 1, { attributes: { subject: 'hb.silent' } }), 'ERR_MESH_NO_RESPONDER');
  });

  it('answers CLIENT_GOODBYE and ends the session, and says SERVER_GOODBYE to every session on close', async () => {
    const { mesh, port } = await node();
    const leaving = await session(port, 'sub', 'g', [['bye', 'CLUSTERING', 'SYNC']]);
    const bye = await leaving.call('CLIENT_GOODBYE_REQUEST', 'CLIENT_GOODBYE_RESPONSE');
    expect(bye.header).toMatchObject({ code: 0, desc: 'success' });
    await leaving.closed;
    await expectRejectCode(mesh.request('x', 1, { attributes: { subject: 'bye' } }), 'ERR_MESH_NO_RESPONDER');
    const stayers = [await session(port, 'pub'), await session(port, 'sub', 'g', [['t']])];
    const goodbyes = stayers.map((c) => c.next((f) => f.header.cmd === 'SERVER_GOODBYE_REQUEST'));
    await mesh.close();
    for (const g of await Promise.all(goodbyes)) expect(g.header).toMatchObject({ code: 0, desc: 'graceful normal quit from eventmesh' });
    await Promise.all(stayers.map((c) => c.closed));
  });

  it('answers anything before HELLO with code 1 and keeps the connection for the HELLO', async () => {
    const { port } = await node();
    const client = await StockClient.connect(port);
    clients.push(client);
    const early = await client.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic: 't', mode: 'CLUSTERING', type: 'ASYNC' }] }));
    expect([early.header.code, early.header.desc]).toEqual([1, 'no session is found']);
    const ok = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent('pub', 'g')));
    expect(ok.header).toMatchObject({ code: 0, desc: 'success' });
    const listen = await client.call('LISTEN_REQUEST', 'LISTEN_RESPONSE');
    expect([listen.header.code, listen.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_INVALID_OPTIONS']);
  });

  it('asks verifyHello about clients, telling it their group and purpose', async () => {
    const seen: unknown[] = [];
    const { port } = await node({
      verifyHello: (hello) => {
        seen.push(hello.client);
        return hello.client?.purpose === 'pub';
      },
    });
    await session(port, 'pub', 'pubs');
    const client = await StockClient.connect(port);
    clients.push(client);
    const refused = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent('sub', 'subs')));
    expect(refused.header.code).toBe(1);
    await client.closed;
    expect(seen).toEqual([{ group: 'pubs', purpose: 'pub' }, { group: 'subs', purpose: 'sub' }]);
  });

  it('refuses a HELLO without a valid UserAgent with code 1 and closes', async () => {
    const { port, errors } = await node();
    const client = await StockClient.connect(port);
    clients.push(client);
    const refused = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('sub', 'g'), purpose: 'both' }));
    expect([refused.header.code, refused.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_WIRE_BAD_BODY']);
    await client.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
  });

  it('closes only the connection that sends garbage or a bad body; other sessions keep working', async () => {
    const { mesh, port, errors } = await node();
    const got: unknown[] = [];
    mesh.subscribe('still', (e) => void got.push(e.data));
    const good = await session(port, 'pub');
    const badBody = await session(port, 'sub');
    badBody.send('SUBSCRIBE_REQUEST', { body: JSON.stringify({ topicList: [{ topic: 't', mode: 'SOMETIMES', type: 'ASYNC' }] }) });
    await badBody.closed;
    const garbage = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
    });
    expect(garbage).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY', 'ERR_MESH_WIRE_BAD_MAGIC']);
    expect((await good.publish(cloudEvent('still', 'alive'))).header.code).toBe(0);
    await until(() => got.length === 1);
  });
});
