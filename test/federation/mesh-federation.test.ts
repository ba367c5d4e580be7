import { afterEach, describe, expect, it } from 'vitest';
import { type Mesh, type MeshError } from '../../src/index.js';
import { memoryLinkPair } from '../../src/federation/memory-link.js';
import { kernelOf } from '../../src/mesh/mesh.js';
import { linkInMemory } from '../../src/testing/index.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { remoteNodes } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';

const tracked = closedAfterEach();

// What any node of nodes() reported. A throw inside an 'error' listener is swallowed by
// the mesh, so the errors are collected and every test ends by checking there were none.
const reported: string[] = [];
afterEach(() => {
  expect(reported.splice(0)).toEqual([]);
});

function nodes(...ids: string[]): Mesh[] {
  return ids.map((id) => {
    const m = tracked({ id });
    m.on('error', (e: MeshError) => void reported.push(`${id}: ${e.code} ${e.message}`));
    return m;
  });
}

/** Until every node has learnt the interest of every other node in `topic`. */
const everyoneKnows = (meshes: readonly Mesh[], topic: string): Promise<void> =>
  until(() => meshes.every((m) => remoteNodes(m, topic).length === meshes.length - 1));

/** Every node counts what it receives on `o.*`, per (receiver, event data). */
function listenAll(meshes: Mesh[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of meshes) {
    m.subscribe('o.*', (e) => {
      const key = `${m.id}<-${String(e.data)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    });
  }
  return seen;
}

describe.each([
  ['a line of 3', ['a', 'b', 'c'], [[0, 1], [1, 2]]],
  ['a ring of 3', ['a', 'b', 'c'], [[0, 1], [1, 2], [2, 0]]],
  ['a full mesh of 4', ['a', 'b', 'c', 'd'], [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]],
] as const)('federation over %s', (_name, ids, edges) => {
  it('delivers every event to every subscriber on every node exactly once', async () => {
    const meshes = nodes(...ids);
    for (const [x, y] of edges) linkInMemory(meshes[x] as Mesh, meshes[y] as Mesh);
    const seen = listenAll(meshes);
    await everyoneKnows(meshes, 'o.created');
    for (const m of meshes) m.emit('o.created', m.id);
    await until(() => seen.size === ids.length * ids.length);
    const expected = new Map<string, number>();
    for (const receiver of ids) for (const sender of ids) expected.set(`${receiver}<-${sender}`, 1);
    expect(seen).toEqual(expected);
  });

  it('gives each event to exactly one member of a group spread over the nodes', async () => {
    const meshes = nodes(...ids);
    for (const [x, y] of edges) linkInMemory(meshes[x] as Mesh, meshes[y] as Mesh);
    const byNode = new Map<string, number>();
    for (const m of meshes.slice(1)) m.subscribe('o.*', () => void byNode.set(m.id, (byNode.get(m.id) ?? 0) + 1), { group: 'billing' });
    await until(() => remoteNodes(meshes[0] as Mesh, 'o.created').length === ids.length - 1);
    for (let i = 0; i < 30; i++) (meshes[0] as Mesh).emit('o.created', i);
    const total = (): number => [...byNode.values()].reduce((x, y) => x + y, 0);
    await until(() => total() === 30);
    expect(total()).toBe(30);
    expect(byNode.size).toBe(ids.length - 1);
  });
});

describe('federation', () => {
  it('puts remote members of a group in the same rotation: events both sides accept are shared evenly', async () => {
    const [a, b] = nodes('a', 'b') as [Mesh, Mesh];
    linkInMemory(a, b);
    const counts = new Map<string, number>();
    const count = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
    a.subscribe('o.*', (e) => count(`a ${String(e.subject)}`), { group: 'g' });
    b.subscribe('o.*', (e) => count(`b ${String(e.subject)}`), { group: 'g', filter: { exact: { subject: 'eu' } } });
    await until(() => remoteNodes(a, 'o.created').includes('b'));
    for (let i = 0; i < 1000; i++) a.emit('o.created', i, { subject: i % 2 === 0 ? 'eu' : 'us' });
    await until(() => [...counts.values()].reduce((x, y) => x + y, 0) === 1000);
    expect(counts.get('a us')).toBe(500);
    for (const key of ['a eu', 'b eu']) {
      expect(counts.get(key)).toBeGreaterThanOrEqual(225);
      expect(counts.get(key)).toBeLessThanOrEqual(275);
    }
  });

  it('answers a request across two hops, and says NO_RESPONDER at once when nobody anywhere matches', async () => {
    const [a, b, c] = nodes('a', 'b', 'c') as [Mesh, Mesh, Mesh];
    linkInMemory(a, b);
    linkInMemory(b, c);
    c.subscribe('stock.reserve', (e) => ({ reserved: e.data }));
    await until(() => remoteNodes(a, 'stock.reserve').includes('c'));
    const reply = await a.request('stock.reserve', 'sku-1', { timeout: 2000 });
    expect(reply).toMatchObject({ type: 'stock.reserve.reply', data: { reserved: 'sku-1' } });
    expect(reply.source).toBe(c.source);
    await expectRejectCode(a.request('nobody.home', 1, { timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
  });

  it.each([
    ['exact', { exact: { subject: 'eu' } }],
    ['sql', { sql: "subject = 'eu' AND source LIKE '/%'" }],
  ] as const)('never sends an event that no remote filter accepts (%s dialect)', async (_dialect, filter) => {
    const [a, b] = nodes('a', 'b') as [Mesh, Mesh];
    const [toB, toA] = memoryLinkPair();
    const sent: WireFrame[] = [];
    const send = toB.send.bind(toB);
    toB.send = (frame) => {
      sent.push(frame);
      send(frame);
    };
    kernelOf(b).federate().attach(toA, false);
    kernelOf(a).federate().attach(toB, true);
    const got: unknown[] = [];
    b.subscribe('o.*', (e) => void got.push(e.data), { filter });
    await until(() => remoteNodes(a, 'o.created').includes('b'));
    a.emit('o.created', 'us', { subject: 'us' });
    a.emit('o.created', 'eu', { subject: 'eu' });
    await until(() => got.length > 0);
    expect(got).toEqual(['eu']);
    expect(sent.filter((f) => f.header.cmd === 'ASYNC_MESSAGE_TO_SERVER')).toHaveLength(1);
  });

  it('withdraws interest when the remote subscriber unsubscribes or the link goes down', async () => {
    const [a, b, c] = nodes('a', 'b', 'c') as [Mesh, Mesh, Mesh];
    const ab = linkInMemory(a, b);
    linkInMemory(a, c);
    const sub = b.subscribe('q', () => 'from b');
    c.subscribe('r', () => 'from c');
    await until(() => remoteNodes(a, 'q').includes('b') && remoteNodes(a, 'r').includes('c'));
    expect((await a.request('q')).data).toBe('from b');
    await sub.unsubscribe();
    await until(() => remoteNodes(a, 'q').length === 0);
    await expectRejectCode(a.request('q', 1, { timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
    b.subscribe('q', () => 'from b again');
    await until(() => remoteNodes(a, 'q').includes('b'));
    expect((await a.request('q')).data).toBe('from b again');
    ab.close();
    await until(() => remoteNodes(a, 'q').length === 0);
    await expectRejectCode(a.request('q', 1, { timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
    expect((await a.request('r')).data).toBe('from c');
  });

  it('learns subscriptions made before the link came up', async () => {
    const [a, b] = nodes('a', 'b') as [Mesh, Mesh];
    const got: unknown[] = [];
    b.subscribe('o.#', (e) => void got.push(e.data));
    linkInMemory(a, b);
    await until(() => remoteNodes(a, 'o.created.v2').includes('b'));
    a.emit('o.created.v2', 7);
    await until(() => got.length === 1);
    expect(got).toEqual([7]);
  });

  it('routes around a dead link in a ring', async () => {
    const [a, b, c] = nodes('a', 'b', 'c') as [Mesh, Mesh, Mesh];
    const ab = linkInMemory(a, b);
    linkInMemory(b, c);
    linkInMemory(c, a);
    const got: unknown[] = [];
    b.subscribe('o.*', (e) => void got.push(e.data));
    await until(() => remoteNodes(a, 'o.created').includes('b'));
    ab.close();
    // The link is gone on a's side and b's interest is known again, now by way of c.
    await until(() => a.peers().map((p) => p.node).join() === 'c' && remoteNodes(a, 'o.created').includes('b'));
    a.emit('o.created', 'via c');
    await until(() => got.length === 1);
    expect(got).toEqual(['via c']);
  });

  it("signals 'peer:up' only once the peer's table is in, so an event emitted right then reaches it", async () => {
    const [a, b] = nodes('a', 'b') as [Mesh, Mesh];
    const got: unknown[] = [];
    b.subscribe('o.*', (e) => void got.push(e.data));
    const up: string[] = [];
    const down: string[] = [];
    // Synchronously inside the signal: before LISTEN existed this ran ahead of b's table.
    a.on('peer:up', (peer) => {
      up.push(peer.node);
      a.emit('o.created', 'at peer:up');
    });
    a.on('peer:down', (peer) => void down.push(peer.node));
    const link = linkInMemory(a, b);
    await until(() => got.length === 1);
    expect(got).toEqual(['at peer:up']);
    expect(up).toEqual(['b']);
    link.close();
    await until(() => down.length === 1);
    expect(down).toEqual(['b']);
  });

  it.each([
    ['a bad pattern', { topicList: [{ topic: 'o..x', mode: 'BROADCASTING', type: 'ASYNC' }] }, {}, 'ERR_MESH_INVALID_PATTERN'],
    ['a bad filter', { topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] }, { evmeshfilter: '{"nope":1}' }, 'ERR_MESH_INVALID_FILTER'],
    ['a filter in a dialect it does not know', { topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] }, { evmeshfilter: '{"jsonpath":"$.a"}' }, 'ERR_MESH_INVALID_FILTER'],
    ['a CESQL filter that does not parse', { topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] }, { evmeshfilter: '{"sql":"subject ="}' }, 'ERR_MESH_INVALID_FILTER'],
    ['a CESQL filter calling an unknown function', { topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] }, { evmeshfilter: '{"sql":"NOPE(subject)"}' }, 'ERR_MESH_INVALID_FILTER'],
    ['a filter that is not JSON', { topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] }, { evmeshfilter: '{' }, 'ERR_MESH_WIRE_BAD_BODY'],
  ] as const)('closes the link of a peer that advertises %s, reporting its code (PROTOCOL §4.1)', async (_name, subscription, extra, code) => {
    const a = tracked({ id: 'a' });
    const errors: MeshError[] = [];
    a.on('error', (e) => void errors.push(e));
    const [peer, toA] = memoryLinkPair();
    let closed = false;
    peer.onClose = () => void (closed = true);
    kernelOf(a).federate().attach(toA, false);
    const frame = (cmd: WireFrame['header']['cmd'], seq: string, properties: Record<string, string>, body?: unknown): WireFrame => ({
      header: { cmd, code: 0, seq, properties }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    peer.send(frame('HELLO_REQUEST', '1', { evmeshnode: 'x', evmeshproto: '1' }));
    peer.send(frame('SUBSCRIBE_REQUEST', '2', { evmeshsub: 's1', evmeshnode: 'x', evmeshpath: '["x"]', ...extra }, subscription));
    await until(() => closed);
    expect(errors.map((e) => e.code)).toEqual([code]);
  });
});
