import { describe, expect, it } from 'vitest';
import { memoryStore, type MeshStore } from '../../src/index.js';
import { deferred, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { kernelOf } from '../../src/mesh/mesh.js';

const tracked = closedAfterEach();

describe('mesh.inspect()', () => {
  it('lists subscriptions with their settings, queues and counters', async () => {
    const mesh = tracked({ id: 'n1' });
    mesh.on('error', () => undefined);
    await mesh.start();
    const gate = deferred();
    mesh.subscribe('a.*', () => undefined, { name: 'fast', group: 'g' });
    mesh.subscribe('b.slow', () => gate.promise, { concurrency: 2 });
    let n = 0;
    mesh.subscribe('c.bad', () => {
      if (n++ < 3) throw new Error('no');
    }, { name: 'bad', retry: { attempts: 2, backoff: 1 }, deadLetter: 'c.dlq' });
    for (let i = 0; i < 3; i++) mesh.emit('a.x', i);
    for (let i = 0; i < 5; i++) mesh.emit('b.slow', i);
    mesh.emit('c.bad', 1); // fails twice: retried, then dead-lettered
    mesh.emit('c.bad', 2); // fails once, then succeeds
    await until(() => mesh.inspect().subscriptions.find((s) => s.name === 'bad')?.delivered === 1);
    const byName = Object.fromEntries(mesh.inspect().subscriptions.map((s) => [s.name, s]));
    expect(byName['fast']).toEqual({
      name: 'fast', pattern: 'a.*', group: 'g', durable: undefined, concurrency: 1,
      inFlight: 0, queued: 0, delivered: 3, retried: 0, failed: 0, deadLettered: 0,
    });
    expect(byName['b.slow']).toMatchObject({ concurrency: 2, inFlight: 2, queued: 3, delivered: 0 });
    expect(byName['bad']).toMatchObject({ delivered: 1, retried: 2, failed: 1, deadLettered: 1 });
    gate.resolve();
    await until(() => mesh.inspect().subscriptions.find((s) => s.name === 'b.slow')?.delivered === 5);
  });

  it('is plain JSON: what JSON.stringify keeps is the whole snapshot', async () => {
    const mesh = tracked({ id: 'n2', listen: { port: 0 } });
    await mesh.start();
    mesh.subscribe('a.b', () => undefined, { durable: 'keep' });
    const snapshot = mesh.inspect();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(JSON.parse(JSON.stringify(snapshot, (_k, v: unknown) => v)));
    expect(snapshot).toMatchObject({
      id: 'n2', state: 'started', address: { host: '127.0.0.1', port: mesh.address?.port },
      store: { name: 'memory', open: true }, requests: { open: 0, served: 0 },
      durables: [{ name: 'keep', patterns: ['a.b'], consumers: 1, backlog: undefined }],
      refusals: { maxConnections: 0, maxPeers: 0, maxStockSessions: 0, helloTimeout: 0, aclPublish: 0, aclSubscribe: 0, rateLimited: 0 },
    });
    expect(typeof snapshot.startedAt).toBe('string');
    expect(snapshot.uptimeSeconds).toBeGreaterThanOrEqual(0);
    // Nothing in it is a live object: changing it changes nothing in the mesh.
    expect(Object.getPrototypeOf(snapshot.subscriptions[0])).toBe(Object.prototype);
  });

  it('lists linked peers with interest, traffic and heartbeat round trip, and configured peers that are down', async () => {
    const b = tracked({ id: 'b', listen: { port: 0 }, heartbeatInterval: 20 });
    await b.start();
    b.subscribe('x.one', () => undefined);
    b.subscribe('x.two', () => undefined);
    const a = tracked({ id: 'a', heartbeatInterval: 20, peers: [`tcp://127.0.0.1:${String(b.address?.port)}`, 'tcp://127.0.0.1:1'] });
    a.on('error', () => undefined);
    await a.start();
    await until(() => a.inspect().peers.some((p) => p.node === 'b' && p.state === 'linked' && p.rttMs !== undefined));
    const [linked, down] = [a.inspect().peers.find((p) => p.node === 'b'), a.inspect().peers.find((p) => p.address === 'tcp://127.0.0.1:1')];
    expect(linked).toMatchObject({ dialed: true, address: `tcp://127.0.0.1:${String(b.address?.port)}`, interest: { learned: 2, routed: 2 } });
    expect(linked?.in?.frames).toBeGreaterThan(0);
    expect(linked?.out?.bytes).toBeGreaterThan(0);
    expect(down?.state).not.toBe('linked');
    expect(down?.node).toBe('');
  });

  it('counts open requests and ACL refusals', async () => {
    const a = tracked({ id: 'a', listen: { port: 0 }, acl: { b: { subscribe: ['public.#'] } }, closeTimeout: 50 });
    a.on('error', () => undefined);
    await a.start();
    a.subscribe('q.slow', () => new Promise(() => undefined));
    const asked = a.request('q.slow', undefined, { timeout: 5000 }).catch((err: unknown) => err);
    expect(a.inspect().requests.open).toBe(1);
    const b = tracked({ id: 'b', peers: [`tcp://127.0.0.1:${String(a.address?.port)}`] });
    b.subscribe('secret.y', () => undefined);
    await b.start({ waitForPeers: 5000 });
    await until(() => a.inspect().refusals.aclSubscribe === 1);
    await a.close();
    expect(await asked).toMatchObject({ code: 'ERR_MESH_CLOSED' });
    expect(a.inspect().requests.open).toBe(0);
  });
});

describe('mesh.backlog()', () => {
  it('reads what the store says, and inspect() shows the last reading', async () => {
    let backlog: number | undefined = 7;
    const store: MeshStore = Object.assign(memoryStore(), { backlog: (name: string) => Promise.resolve(name === 'work' ? backlog : undefined) });
    const mesh = tracked({ store });
    await mesh.start();
    mesh.subscribe('w.*', () => undefined, { durable: 'work' });
    expect(mesh.inspect().durables[0]?.backlog).toBeUndefined();
    expect((await mesh.backlog()).map((d) => [d.name, d.backlog])).toEqual([['work', 7]]);
    expect(mesh.inspect().durables[0]?.backlog).toBe(7);
    backlog = 0;
    await mesh.backlog();
    expect(mesh.inspect().durables[0]?.backlog).toBe(0);
  });

  it('a store that does not answer in time leaves the last reading in place', async () => {
    let answer: () => Promise<number | undefined> = () => Promise.resolve(3);
    const store: MeshStore = Object.assign(memoryStore(), { backlog: () => answer() });
    const mesh = tracked({ store });
    await mesh.start();
    mesh.subscribe('w.*', () => undefined, { durable: 'work' });
    await mesh.backlog();
    const first = mesh.inspect().durables[0]?.backlogAt;
    answer = () => new Promise(() => undefined);
    expect((await kernelOf(mesh).observability.backlog(20)).map((d) => [d.backlog, d.backlogAt])).toEqual([[3, first]]);
  });

  it('a store that fails or cannot tell gives undefined, never a rejection', async () => {
    const store: MeshStore = Object.assign(memoryStore(), { backlog: () => Promise.reject(new Error('gone')) });
    const mesh = tracked({ store });
    await mesh.start();
    mesh.subscribe('w.*', () => undefined, { durable: 'work' });
    expect((await mesh.backlog()).map((d) => d.backlog)).toEqual([undefined]);
  });
});

describe('mesh.health()', () => {
  it('is not ok before start and after close, with the reason', async () => {
    const mesh = tracked({ id: 'h' });
    expect(await mesh.health()).toMatchObject({ ok: false, reasons: ['started: mesh is idle'] });
    await mesh.start();
    expect(await mesh.health()).toEqual({ ok: true, id: 'h', checks: { started: { ok: true } }, reasons: [] });
    await mesh.close();
    expect(await mesh.health({ store: true })).toMatchObject({ ok: false, reasons: ['started: mesh is closed', 'store: store not open'] });
    expect(mesh.inspect().store.open).toBe(false);
  });

  it('with peers: ok only while the required peers are linked', async () => {
    const b = tracked({ id: 'b', listen: { port: 0 } });
    await b.start();
    const url = `tcp://127.0.0.1:${String(b.address?.port)}`;
    const a = tracked({ id: 'a', peers: [url] });
    a.on('error', () => undefined);
    await a.start({ waitForPeers: 5000 });
    expect((await a.health({ peers: true })).ok).toBe(true);
    expect((await a.health({ peers: ['b'] })).ok).toBe(true);
    expect(await a.health({ peers: ['c'] })).toMatchObject({ ok: false, checks: { peers: { missing: ['c'] } } });
    await b.close();
    await until(async () => !(await a.health({ peers: true })).ok);
    expect((await a.health({ peers: true })).reasons).toEqual([`peers: not linked: ${url}`]);
  });

  it('with store: asks the store to answer now, bounded by the timeout', async () => {
    let ping: () => Promise<void> = () => Promise.resolve();
    const store: MeshStore = Object.assign(memoryStore(), { ping: () => ping() });
    const mesh = tracked({ store });
    await mesh.start();
    expect((await mesh.health({ store: true })).ok).toBe(true);
    ping = () => Promise.reject(new Error('connection refused'));
    expect(await mesh.health({ store: true })).toMatchObject({ ok: false, checks: { store: { ok: false, reason: 'connection refused' } } });
    ping = () => new Promise(() => undefined);
    expect((await mesh.health({ store: true, timeout: 20 })).reasons).toEqual(['store: no answer from the store within 20 ms']);
  });
});
