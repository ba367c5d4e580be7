import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { cloudEvent, userAgent, type StockClient } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

// createMesh({ limits }) against real sockets: pre-HELLO connections, connection, session and peer caps, publish rate.
const { node, session, connect } = stockFixture();

const refusals = (errors: MeshError[]): MeshError[] => errors.filter((e) => e.code === 'ERR_MESH_CONNECTION_REFUSED');

/** A stock client's HELLO with its own UserAgent fields; resolves with the answer. */
async function hello(client: StockClient, fields: Record<string, unknown> = {}, properties: Record<string, unknown> = {}): Promise<{ code: number; desc: string }> {
  const reply = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', properties, JSON.stringify({ ...userAgent('pub', 'g'), ...fields }));
  return { code: reply.header.code, desc: reply.header.desc ?? '' };
}

describe('limits.helloTimeout', () => {
  it('closes a connection that trickles frames but never completes a HELLO; admitted sessions stay', async () => {
    const { port, errors } = await node({ limits: { helloTimeout: 300 } });
    const admitted = await session(port, 'pub');
    const trickler = await connect(port);
    // A frame every 50 ms: every one is answered "no session", none is a HELLO.
    const timer = setInterval(() => trickler.send('HEARTBEAT_REQUEST'), 50);
    try {
      await until(() => trickler.isClosed, 5000);
    } finally {
      clearInterval(timer);
    }
    expect(trickler.frames.length).toBeGreaterThan(0);
    expect((await admitted.call('HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE')).header.code).toBe(0);
    await until(() => refusals(errors).length > 0, 5000);
    expect(refusals(errors).map((e) => e.details)).toEqual([{ refused: 1, reasons: { helloTimeout: 1 } }]);
  });

  it('is validated', async () => {
    await expect(node({ limits: { helloTimeout: 0 } })).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
    await expect(node({ limits: { maxOutboundBytes: 1024 } })).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
    await expect(node({ limits: { publishRate: { rate: 0, burst: 1 } } })).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });
});

describe('limits.maxConnections', () => {
  it('closes the sockets past the limit at once and reports the burst once, with its count', async () => {
    const { mesh, port, errors } = await node({ limits: { maxConnections: 3 } });
    const held = [await connect(port), await connect(port), await connect(port)];
    const extra = await Promise.all(Array.from({ length: 5 }, () => connect(port)));
    await until(() => extra.every((c) => c.isClosed), 5000);
    expect(held.map((c) => c.isClosed)).toEqual([false, false, false]);
    await until(() => refusals(errors).length > 0, 5000);
    // Whatever is still counted is reported by close(): one report for the whole burst.
    await mesh.close();
    expect(refusals(errors).map((e) => e.details)).toEqual([{ refused: 5, reasons: { maxConnections: 5 } }]);
  });
});

describe('limits.maxStockSessions', () => {
  it('refuses the HELLO of sessions past the limit with code 1 ERR_MESH_CONNECTION_REFUSED, reported once', async () => {
    const { mesh, port, errors } = await node({ limits: { maxStockSessions: 2 } });
    const admitted = [await session(port, 'pub'), await session(port, 'pub')];
    const late = await Promise.all([connect(port), connect(port), connect(port)]);
    const answers = await Promise.all(late.map((c) => hello(c)));
    expect(answers.map((a) => [a.code, a.desc.split(':')[0]])).toEqual(Array(3).fill([1, 'ERR_MESH_CONNECTION_REFUSED']));
    await until(() => late.every((c) => c.isClosed), 5000);
    // A session that ends makes room again (its goodbye is answered once it is gone, PROTOCOL §11.14).
    await admitted[0]?.call('CLIENT_GOODBYE_REQUEST', 'CLIENT_GOODBYE_RESPONSE');
    expect((await hello(await connect(port))).code).toBe(0);
    await mesh.close();
    expect(refusals(errors).map((e) => e.details)).toEqual([{ refused: 3, reasons: { maxStockSessions: 3 } }]);
  });
});

describe('limits.maxPeers', () => {
  it('refuses the HELLO of peers past the limit with code 1 ERR_MESH_CONNECTION_REFUSED, reported once', async () => {
    const { mesh, port, errors } = await node({ id: 'hub', limits: { maxPeers: 1 } });
    const peerHello = (node: string) => ({ evmeshnode: node, evmeshproto: '1' });
    const first = await connect(port);
    expect((await hello(first, { subsystem: 'p1' }, peerHello('p1'))).code).toBe(0);
    const late = [await connect(port), await connect(port)];
    const answers = await Promise.all(late.map((c, i) => hello(c, { subsystem: `p${String(i + 2)}` }, peerHello(`p${String(i + 2)}`))));
    expect(answers.map((a) => [a.code, a.desc.split(':')[0]])).toEqual(Array(2).fill([1, 'ERR_MESH_CONNECTION_REFUSED']));
    await until(() => late.every((c) => c.isClosed), 5000);
    expect(first.isClosed).toBe(false);
    await mesh.close();
    expect(refusals(errors).map((e) => e.details)).toEqual([{ refused: 2, reasons: { maxPeers: 2 } }]);
  });
});

describe('limits.publishRate', () => {
  it('answers a stock client over its identity\'s rate with code 1 ERR_MESH_RATE_LIMITED; the session stays, other identities go on', async () => {
    const { mesh, port } = await node({ limits: { publishRate: { rate: 0.01, burst: 3 } } });
    const got: unknown[] = [];
    mesh.subscribe('rate.t', (e) => void got.push(e.data));
    const alice = await connect(port);
    expect((await hello(alice, { username: 'alice' })).code).toBe(0);
    const codes: [number, string | undefined][] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await alice.publish(cloudEvent('rate.t', i));
      codes.push([ack.header.code, ack.header.desc?.split(':')[0]]);
    }
    expect(codes).toEqual([[0, 'success'], [0, 'success'], [0, 'success'], [1, 'ERR_MESH_RATE_LIMITED'], [1, 'ERR_MESH_RATE_LIMITED']]);
    const asked = await alice.publish(cloudEvent('rate.t', 'q'), 'REQUEST_TO_SERVER');
    expect([asked.header.code, asked.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_RATE_LIMITED']);
    expect(alice.isClosed).toBe(false);
    // Another session of the same identity shares its bucket; another identity has its own.
    const alice2 = await connect(port);
    expect((await hello(alice2, { username: 'alice' })).code).toBe(0);
    expect((await alice2.publish(cloudEvent('rate.t', 'a2'))).header.code).toBe(1);
    const bob = await connect(port);
    expect((await hello(bob, { username: 'bob' })).code).toBe(0);
    expect((await bob.publish(cloudEvent('rate.t', 'b'))).header.code).toBe(0);
    await until(() => got.length === 4);
    expect(got).toEqual([0, 1, 2, 'b']);
  });
});
