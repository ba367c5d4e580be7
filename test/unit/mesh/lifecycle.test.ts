import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMesh, memoryStore, type MeshError, type MeshStore } from '../../../src/index.js';
import { deferred, expectRejectCode, expectThrowCode, until } from '../../support/expect-code.js';

/** A memory store whose open() is the given function (a store that is down, or hangs). */
function memoryStoreOpening(open: () => Promise<void>): MeshStore {
  const base = memoryStore();
  return {
    name: 'test', capabilities: base.capabilities, open,
    append: (e) => base.append(e), consume: (spec, h) => base.consume(spec, h), close: () => base.close(),
  };
}

describe('start', () => {
  it('is idempotent', async () => {
    const m = createMesh();
    const first = m.start();
    expect(m.start()).toBe(first);
    await first;
    await m.close();
  });

  it('refuses malformed listen and peer addresses', () => {
    expectThrowCode(() => createMesh({ listen: { port: 70000 } }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => createMesh({ peers: ['http://127.0.0.1:10001'] }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => createMesh({ peers: ['tcp://127.0.0.1'] }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => createMesh({ heartbeatInterval: 1 }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('binds its listening port on start and releases it on close', async () => {
    const m = createMesh({ listen: { port: 0 } });
    await m.start();
    const port = m.address?.port as number;
    expect(port).toBeGreaterThan(0);
    await m.close();
    const again = createMesh({ listen: { port } });
    await again.start();
    expect(again.address?.port).toBe(port);
    await again.close();
  });

  it('rejects invalid options', () => {
    expectThrowCode(() => createMesh({ id: '' }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => createMesh({ matchCacheSize: -1 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => createMesh({ store: {} as never }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('rejects a listen port in use with ERR_MESH_LISTEN_FAILED, closes cleanly, and starts once the port is free', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    const given = createMesh({ listen: { port } });
    const failure = await given.start().then(() => undefined, (err: unknown) => err as MeshError);
    expect(failure).toMatchObject({ name: 'MeshError', code: 'ERR_MESH_LISTEN_FAILED', retryable: true, details: { host: '127.0.0.1', port } });
    expect(failure?.cause).toMatchObject({ code: 'EADDRINUSE' });
    await given.close(); // nothing half-open to hang on

    const retried = createMesh({ listen: { port } });
    await expectRejectCode(retried.start(), 'ERR_MESH_LISTEN_FAILED');
    await new Promise((resolve) => blocker.close(resolve));
    await retried.start();
    expect(retried.address?.port).toBe(port);
    await retried.close();
  });

  it('refuses a malformed waitForPeers without starting', async () => {
    const m = createMesh({ listen: { port: 0 } });
    for (const waitForPeers of [-1, 1.5, Number.NaN, '100', 2 ** 31]) {
      await expectRejectCode(m.start({ waitForPeers: waitForPeers as number }), 'ERR_MESH_INVALID_OPTIONS');
    }
    await expectRejectCode(m.start(7 as never), 'ERR_MESH_INVALID_OPTIONS');
    expect(m.address).toBeUndefined();
    await m.start({ waitForPeers: 0 }); // no configured peers: nothing to wait for
    await m.close();
  });
});

describe('close', () => {
  it('waits for in-flight async handlers before resolving', async () => {
    const m = createMesh();
    const gate = deferred();
    let finished = false;
    m.subscribe('slow', async () => {
      await gate.promise;
      finished = true;
    });
    m.emit('slow');
    m.emit('slow');
    const closing = m.close();
    setTimeout(() => gate.resolve(), 5);
    await closing;
    expect(finished).toBe(true);
  });

  it('gives up after closeTimeout and reports ERR_MESH_DRAIN_TIMEOUT', async () => {
    const m = createMesh({ closeTimeout: 20 });
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    m.subscribe('stuck', () => new Promise(() => undefined));
    m.emit('stuck');
    await m.close();
    expect(errors.map((e) => [e.code, e.details?.['pending']])).toEqual([['ERR_MESH_DRAIN_TIMEOUT', 1]]);
  });

  it('names the deliveries it gave up on: event ids, subscriptions, running or queued', async () => {
    const m = createMesh({ closeTimeout: 20 });
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    m.subscribe('stuck', () => new Promise(() => undefined), { name: 'billing' });
    m.subscribe('stuck', () => new Promise(() => undefined), { name: 'audit', concurrency: 2 });
    const [a, b] = [m.emit('stuck', 'a'), m.emit('stuck', 'b')];
    await m.close();
    const [timeout] = errors;
    expect(timeout?.code).toBe('ERR_MESH_DRAIN_TIMEOUT');
    expect(timeout?.details).toMatchObject({ pending: 4, eventIds: [a.id, b.id], omitted: 0, durable: 0 });
    const listed = (timeout?.details?.['deliveries'] as { eventId: string; subscription: string; state: string; durable: boolean }[])
      .map((d) => `${d.subscription} ${d.eventId === a.id ? 'a' : 'b'} ${d.state} ${String(d.durable)}`).sort();
    expect(listed).toEqual(['audit a running false', 'audit b running false', 'billing a running false', 'billing b queued false']);
  });

  it('lists at most 100 deliveries and says how many it left out', async () => {
    const m = createMesh({ closeTimeout: 20 });
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    m.subscribe('stuck', () => new Promise(() => undefined));
    for (let i = 0; i < 150; i++) m.emit('stuck', i);
    await m.close();
    expect(errors[0]?.details).toMatchObject({ pending: 150, omitted: 50 });
    expect(errors[0]?.details?.['deliveries']).toHaveLength(100);
    expect(errors[0]?.details?.['eventIds']).toHaveLength(100);
  });

  it('says which abandoned deliveries are durable: those stay in the store and are delivered again', async () => {
    const store = memoryStore();
    const m = createMesh({ store, closeTimeout: 20 });
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    await m.subscribe('jobs', () => new Promise(() => undefined), { durable: 'jobs' }).ready;
    m.subscribe('jobs', () => new Promise(() => undefined), { name: 'live' });
    const job = await m.publish('jobs', 'j1');
    await m.close();
    const timeout = errors.find((e) => e.code === 'ERR_MESH_DRAIN_TIMEOUT');
    expect(timeout?.details).toMatchObject({ pending: 2, eventIds: [job.id], durable: 1 });
    const deliveries = timeout?.details?.['deliveries'] as { subscription: string; durable: boolean }[];
    expect(deliveries.map((d) => [d.subscription, d.durable]).sort()).toEqual([['jobs', true], ['live', false]]);
    const again = createMesh({ store });
    const redelivered: string[] = [];
    again.subscribe('jobs', (e) => void redelivered.push(e.id), { durable: 'jobs' });
    await until(() => redelivered.length === 1);
    expect(redelivered).toEqual([job.id]);
    await again.close();
  });

  it('lists a publish still waiting for room in a full subscription, and rejects it with ERR_MESH_CLOSED', async () => {
    const m = createMesh({ closeTimeout: 20 });
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    m.subscribe('stuck', () => new Promise(() => undefined), { maxQueued: 1 });
    m.emit('stuck', 1);
    m.emit('stuck', 2);
    const waiting = m.publish('stuck', 3);
    await m.close();
    await expectRejectCode(waiting, 'ERR_MESH_CLOSED');
    const states = (errors[0]?.details?.['deliveries'] as { state: string }[]).map((d) => d.state);
    expect(states).toEqual(['running', 'queued', 'waiting']);
  });

  it('cancels retries still waiting when the deadline passes', async () => {
    const m = createMesh({ closeTimeout: 10 });
    m.on('error', () => undefined);
    let runs = 0;
    m.subscribe('x', () => {
      runs++;
      throw new Error('fail');
    }, { retry: { attempts: 3, backoff: 60_000 } });
    m.emit('x');
    await m.close();
    expect(runs).toBe(1);
  });

  it('rejects new work with ERR_MESH_CLOSED afterwards, synchronously where the API is synchronous', async () => {
    const m = createMesh();
    await m.close();
    expectThrowCode(() => m.emit('a'), 'ERR_MESH_CLOSED');
    expectThrowCode(() => m.subscribe('a', () => undefined), 'ERR_MESH_CLOSED');
    await expectRejectCode(m.publish('a'), 'ERR_MESH_CLOSED');
    await expectRejectCode(m.request('a'), 'ERR_MESH_CLOSED');
    await expectRejectCode(m.start(), 'ERR_MESH_CLOSED');
  });

  it('refuses publishes while it drains, and still lets handlers dead-letter', async () => {
    const m = createMesh();
    m.on('error', () => undefined);
    const letters: unknown[] = [];
    m.subscribe('dlq', (e) => void letters.push(e.data));
    const gate = deferred();
    m.subscribe('work', async () => {
      await gate.promise;
      throw new Error('late failure');
    }, { deadLetter: 'dlq' });
    m.emit('work', 'w');
    const closing = m.close();
    await expectRejectCode(m.publish('work'), 'ERR_MESH_CLOSED');
    gate.resolve();
    await closing;
    await until(() => letters.length === 1);
    expect(letters).toEqual(['w']);
  });

  it('leaves every subscription inactive', async () => {
    const m = createMesh();
    const plain = m.subscribe('a', () => undefined);
    const durable = m.subscribe('b', () => undefined, { durable: 'b' });
    await durable.ready;
    await m.close();
    expect([plain.active, durable.active]).toEqual([false, false]);
  });

  it('runs nothing queued or retried once close() gave up draining', async () => {
    const m = createMesh({ closeTimeout: 20 });
    m.on('error', () => undefined);
    const started: unknown[] = [];
    m.subscribe('x', (e) => {
      started.push(e.data);
      return new Promise(() => undefined);
    });
    m.emit('x', 1);
    m.emit('x', 2);
    await m.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(started).toEqual([1]);
  });

  it('keeps its deadline when the store never finishes opening', async () => {
    const store = memoryStoreOpening(() => new Promise(() => undefined));
    const m = createMesh({ store, closeTimeout: 30 });
    m.on('error', () => undefined);
    m.subscribe('a', () => undefined, { durable: 'a' });
    const closed = await Promise.race([m.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 2000))]);
    expect(closed).toBe('closed');
  });

  it('reports a dead letter that comes after close() gave up instead of delivering it', async () => {
    const m = createMesh({ closeTimeout: 20 });
    const errors: string[] = [];
    m.on('error', (e) => void errors.push(e.code));
    const letters: unknown[] = [];
    m.subscribe('dlq', (e) => void letters.push(e.data));
    const gate = deferred();
    m.subscribe('work', async () => {
      await gate.promise;
      throw new Error('late');
    }, { deadLetter: 'dlq' });
    m.emit('work', 1);
    await m.close();
    gate.resolve();
    await until(() => errors.includes('ERR_MESH_DEAD_LETTER_FAILED'));
    expect(letters).toEqual([]);
  });

  it('lets start() be retried after the store failed to open', async () => {
    let attempts = 0;
    const store = memoryStoreOpening(() => (++attempts === 1 ? Promise.reject(new Error('down')) : Promise.resolve()));
    const m = createMesh({ store });
    await expectRejectCode(m.start(), 'ERR_MESH_STORE_FAILED');
    await m.start();
    expect(attempts).toBe(2);
    await m.close();
  });

  it('is idempotent', async () => {
    const m = createMesh();
    const first = m.close();
    expect(m.close()).toBe(first);
    await first;
  });
});
