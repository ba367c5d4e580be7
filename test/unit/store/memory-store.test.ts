import { describe, expect, it } from 'vitest';
import { memoryStore, type Mesh, type MeshError, type MeshStore } from '../../../src/index.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const tracked = closedAfterEach();
const mesh = (store: MeshStore): Mesh => tracked({ store });

describe('memoryStore with durable subscriptions', () => {
  it('delivers to a durable subscription and resumes it where it stopped', async () => {
    const m = mesh(memoryStore());
    const got: unknown[] = [];
    const sub = m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'orders' });
    await sub.ready;
    await m.publish('o.created', 1);
    await until(() => got.length === 1);
    await sub.unsubscribe();
    await m.publish('o.created', 2);
    await m.publish('o.created', 3);
    expect(got).toEqual([1]);
    const again = m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'orders' });
    await again.ready;
    await until(() => got.length === 3);
    expect(got).toEqual([1, 2, 3]);
  });

  it('keeps nothing for a durable name before it first subscribes', async () => {
    const m = mesh(memoryStore());
    await m.publish('o.created', 'before');
    const got: unknown[] = [];
    await m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'late' }).ready;
    await m.publish('o.created', 'after');
    await until(() => got.length === 1);
    expect(got).toEqual(['after']);
  });

  it('is shared by meshes given the same store: events from each, work split across them', async () => {
    const store = memoryStore();
    const a = mesh(store);
    const b = mesh(store);
    const byNode = { a: 0, b: 0 };
    await a.subscribe('o.*', async () => void byNode.a++, { durable: 'billing', group: 'billing' }).ready;
    await b.subscribe('o.*', async () => void byNode.b++, { durable: 'billing', group: 'billing' }).ready;
    for (let i = 0; i < 20; i++) await (i % 2 === 0 ? a : b).publish('o.created', i);
    await until(() => byNode.a + byNode.b === 20);
    expect(byNode.a).toBeGreaterThan(0);
    expect(byNode.b).toBeGreaterThan(0);
  });

  it('acknowledges an event once its retries and dead-lettering are done, so it is not redelivered', async () => {
    const m = mesh(memoryStore());
    m.on('error', () => undefined);
    let runs = 0;
    const letters: unknown[] = [];
    m.subscribe('dlq', (e) => void letters.push(e.data));
    const sub = m.subscribe('o.*', () => {
      runs++;
      throw new Error('always');
    }, { durable: 'failing', retry: { attempts: 2, backoff: 0 }, deadLetter: 'dlq' });
    await sub.ready;
    await m.publish('o.created', 'x');
    await until(() => letters.length === 1);
    await sub.unsubscribe();
    const after: unknown[] = [];
    await m.subscribe('o.*', (e) => void after.push(e.data), { durable: 'failing' }).ready;
    await m.publish('o.created', 'marker');
    // The queue is ordered: once the marker arrives, a redelivery of "x" would have too.
    await until(() => after.length === 1);
    expect(after).toEqual(['marker']);
    expect(runs).toBe(2);
    expect(letters).toEqual(['x']);
  });

  it('refuses events past maxQueued instead of dropping accepted ones', async () => {
    const store = memoryStore({ maxQueued: 2 });
    const m = mesh(store);
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    const sub = m.subscribe('o.*', () => undefined, { durable: 'slow' });
    await sub.ready;
    await sub.unsubscribe();
    await m.publish('o.created', 1);
    await m.publish('o.created', 2);
    await expectRejectCode(m.publish('o.created', 3), 'ERR_MESH_STORE_FULL');
    m.emit('o.created', 4);
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe('ERR_MESH_STORE_FULL');
  });

  it('keeps an event whose handler was still running when close() gave up, for the next consumer', async () => {
    const store = memoryStore();
    const first = tracked({ store, closeTimeout: 20 });
    first.on('error', () => undefined);
    const sub = first.subscribe('o.*', () => new Promise(() => undefined), { durable: 'stuck' });
    await sub.ready;
    await first.publish('o.created', 'accepted');
    await first.close();
    const got: unknown[] = [];
    await mesh(store).subscribe('o.*', (e) => void got.push(e.data), { durable: 'stuck' }).ready;
    await until(() => got.length === 1);
    expect(got).toEqual(['accepted']);
  });

  it('stores events published right after a durable subscribe', async () => {
    const store = memoryStore();
    const m = mesh(store);
    await m.start();
    const got: unknown[] = [];
    m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'now' });
    m.emit('o.created', 1);
    await m.publish('o.created', 2);
    await until(() => got.length === 2);
    expect(got).toEqual([1, 2]);
  });

  it('keeps queued events in the store after unsubscribe, and redelivers them in order', async () => {
    const store = memoryStore();
    const m = mesh(store);
    const gate = deferred();
    const first: unknown[] = [];
    const sub = m.subscribe('o.*', async (e) => {
      first.push(e.data);
      await gate.promise;
    }, { durable: 'q' });
    await sub.ready;
    for (let i = 1; i <= 4; i++) await m.publish('o.created', i);
    await until(() => first.length === 1);
    await sub.unsubscribe();
    gate.resolve();
    const second: unknown[] = [];
    await mesh(store).subscribe('o.*', (e) => void second.push(e.data), { durable: 'q' }).ready;
    await until(() => second.length === 3);
    expect(first).toEqual([1]);
    expect(second).toEqual([2, 3, 4]);
  });

  it('drains only in-flight deliveries on close and leaves the backlog in the store', async () => {
    const store = memoryStore();
    const a = tracked({ store });
    let handled = 0;
    await a.subscribe('o.*', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      handled++;
    }, { durable: 'backlog' }).ready;
    for (let i = 0; i < 100; i++) a.emit('o.created', i);
    await a.close();
    expect(handled).toBeLessThan(100);
    let rest = 0;
    await mesh(store).subscribe('o.*', () => void rest++, { durable: 'backlog' }).ready;
    await until(() => handled + rest === 100);
  });

  it('stays responsive when a handler unsubscribes while its backlog is being handed over', async () => {
    const store = memoryStore();
    const a = mesh(store);
    await a.start();
    const first = a.subscribe('o.*', () => undefined, { durable: 'take-one' });
    await first.ready;
    await first.unsubscribe();
    const b = mesh(store);
    await b.start();
    for (let i = 0; i < 3; i++) await b.publish('o.created', i);
    const seen: unknown[] = [];
    const sub = b.subscribe('o.*', async (e) => {
      seen.push(e.data);
      await sub.unsubscribe();
    }, { durable: 'take-one' });
    // A spinning microtask queue would never let this timer fire.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([0]);
  });

  it('hands queued events of an unsubscribed durable to the next consumer at once', async () => {
    const store = memoryStore();
    const a = mesh(store);
    const gate = deferred();
    const sub = a.subscribe('o.*', () => gate.promise, { durable: 'shared' });
    await sub.ready;
    for (let i = 1; i <= 4; i++) await a.publish('o.created', i);
    await sub.unsubscribe();
    const got: unknown[] = [];
    await mesh(store).subscribe('o.*', (e) => void got.push(e.data), { durable: 'shared' }).ready;
    await until(() => got.length === 3);
    expect(got).toEqual([2, 3, 4]);
    gate.resolve();
  });

  it('gives back a delivery still retrying when its subscription ended and close() gave up', async () => {
    const store = memoryStore();
    const a = tracked({ store, closeTimeout: 20 });
    a.on('error', () => undefined);
    const sub = a.subscribe('o.*', () => {
      throw new Error('fail');
    }, { durable: 'retrying', retry: { attempts: 3, backoff: 60_000 } });
    await sub.ready;
    await a.publish('o.created', 'E1');
    await sub.unsubscribe();
    await a.close();
    const got: unknown[] = [];
    await mesh(store).subscribe('o.*', (e) => void got.push(e.data), { durable: 'retrying' }).ready;
    await until(() => got.length === 1);
    expect(got).toEqual(['E1']);
  });

  it('rejects a durable name reused with another pattern', async () => {
    const m = mesh(memoryStore());
    m.on('error', () => undefined);
    await m.subscribe('a.*', () => undefined, { durable: 'd' }).ready;
    await expectRejectCode(m.subscribe('b.*', () => undefined, { durable: 'd' }).ready, 'ERR_MESH_INVALID_OPTIONS');
  });
});
