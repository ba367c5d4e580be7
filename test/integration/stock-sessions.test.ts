import { connect as connectSocket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { MeshError, MeshEvent } from '../../src/index.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { CE_PROPS, bodyJson, cloudEvent, userAgent, type Frame } from './stock-client.js';
import { sleep, stockFixture } from './stock-fixture.js';

// Stock EventMesh client sessions: request/reply, a peer node, lifecycle and bad input (PROTOCOL §8.5–§8.8).
const { node, session, connect, createMesh } = stockFixture();

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

  it('waits for a slow answer when the ttl is past the timer range, instead of timing out at once', async () => {
    const { mesh, port } = await node();
    mesh.subscribe('stock.slow', async () => {
      await sleep(50);
      return 'late';
    });
    const pub = await session(port, 'pub');
    const reply = await pub.publish(cloudEvent('stock.slow', 1, { ttl: '1000000000000' }), 'REQUEST_TO_SERVER');
    expect([reply.header.code, bodyJson(reply)['data']]).toEqual([0, 'late']);
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

  it('takes a late RESPONSE_TO_SERVER for a mesh request whose timeout is past the timer range', async () => {
    const { mesh, port } = await node();
    const responder = await session(port, 'sub', 'g', [['rr', 'CLUSTERING', 'SYNC']]);
    void (async () => {
      const asked = await responder.next((f) => f.header.cmd === 'REQUEST_TO_CLIENT');
      responder.ack(asked);
      await sleep(50);
      responder.send('RESPONSE_TO_SERVER', { properties: CE_PROPS, body: JSON.stringify({ ...bodyJson(asked), data: 'late' }) });
    })();
    const reply = await mesh.request('com.rr', 'q', { timeout: 1e12, attributes: { subject: 'rr' } });
    expect(reply.data).toBe('late');
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
    const { mesh, port } = await node({ stockClients: { sessionTimeout: 1000 } });
    const lively = await session(port, 'sub', 'g', [['hb.alive']]);
    const silent = await session(port, 'sub', 'g', [['hb.silent', 'CLUSTERING', 'SYNC']]);
    const hb = await lively.call('HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE');
    expect(hb.header).toMatchObject({ code: 0, desc: 'success' });
    const beat = setInterval(() => lively.send('HEARTBEAT_REQUEST'), 100);
    try {
      await silent.closed;
      await sleep(1200); // past another whole timeout
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
    const client = await connect(port);
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
    const client = await connect(port);
    const refused = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent('sub', 'subs')));
    expect(refused.header.code).toBe(1);
    await client.closed;
    expect(seen).toEqual([{ group: 'pubs', purpose: 'pub' }, { group: 'subs', purpose: 'sub' }]);
  });

  it('refuses a HELLO without a valid UserAgent with code 1 and closes', async () => {
    const { port, errors } = await node();
    const client = await connect(port);
    const refused = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('sub', 'g'), purpose: 'both' }));
    expect([refused.header.code, refused.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_WIRE_BAD_BODY']);
    await client.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
  });

  it('refuses a HELLO without evmeshnode on a peer link, closing it and withdrawing what it advertised', async () => {
    const { mesh, port, errors } = await node();
    const peer = await connect(port);
    const hello = await peer.call('HELLO_REQUEST', 'HELLO_RESPONSE', { evmeshnode: 'fake', evmeshproto: '1' }, JSON.stringify(userAgent('sub', 'evmesh')));
    expect(hello.header.code).toBe(0);
    const interest = { evmeshsub: 's1', evmeshnode: 'fake', evmeshpath: JSON.stringify(['fake']) };
    peer.send('SUBSCRIBE_REQUEST', { properties: interest, body: JSON.stringify({ topicList: [{ topic: 'ghost.#', mode: 'BROADCASTING', type: 'ASYNC' }] }) });
    await peer.call('HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE'); // frames are handled in order: the interest is in
    await expectRejectCode(mesh.request('ghost.x', 1, { timeout: 50 }), 'ERR_MESH_TIMEOUT'); // a responder beyond the link
    const again = await peer.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent('pub', 'g')));
    expect(again.header.code).toBe(1);
    await peer.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
    await expectRejectCode(mesh.request('ghost.x', 1, { timeout: 1000 }), 'ERR_MESH_NO_RESPONDER');
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
      const socket = connectSocket(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
    });
    expect(garbage).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY', 'ERR_MESH_WIRE_BAD_MAGIC']);
    expect((await good.publish(cloudEvent('still', 'alive'))).header.code).toBe(0);
    await until(() => got.length === 1);
  });
});
