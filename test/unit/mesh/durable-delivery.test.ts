import { describe, expect, it } from 'vitest';
import { MeshError, memoryStore, type Mesh, type MeshStore } from '../../../src/index.js';
import { deferred, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const tracked = closedAfterEach();
const mesh = (store: MeshStore, closeTimeout?: number): Mesh => tracked({ store, ...(closeTimeout === undefined ? {} : { closeTimeout }) });

/** A store delivery is acknowledged by the promise the kernel's handler returns. */
describe('durable delivery in the kernel', () => {
  it('keeps concurrency with handlers that return promises, acknowledging each once it settles', async () => {
    const store = memoryStore();
    const m = mesh(store);
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const sub = m.subscribe('o.*', (e) => {
      const i = e.data as number;
      started.push(i);
      // Odd events finish synchronously, even ones hold their slot until released.
      if (i % 2 === 1) return undefined;
      running++;
      peak = Math.max(peak, running);
      return gates[i]!.promise.then(() => void running--);
    }, { durable: 'mixed', concurrency: 2 });
    await sub.ready;
    for (let i = 0; i < 6; i++) await m.publish('o.x', i);
    await until(() => started.length >= 2);
    // 0 holds a slot, 1 ran at once, 2 holds the second slot: nothing more may start.
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    await until(() => started.length === 6);
    await until(() => running === 0);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    await sub.unsubscribe();
    const again: unknown[] = [];
    await m.subscribe('o.*', (e) => void again.push(e.data), { durable: 'mixed' }).ready;
    await m.publish('o.x', 'marker');
    await until(() => again.includes('marker'));
    expect(again).toEqual(['marker']);
  });

  it('acknowledges an event whose synchronous handler threw with no retry configured (reported, not redelivered)', async () => {
    const m = mesh(memoryStore());
    m.on('error', () => undefined);
    let runs = 0;
    const sub = m.subscribe('o.*', () => {
      runs++;
      throw new Error('always');
    }, { durable: 'thrower' });
    await sub.ready;
    await m.publish('o.x', 1);
    await until(() => runs === 1);
    await sub.unsubscribe();
    const again: unknown[] = [];
    await m.subscribe('o.*', (e) => void again.push(e.data), { durable: 'thrower' }).ready;
    await m.publish('o.x', 'marker');
    await until(() => again.includes('marker'));
    expect(again).toEqual(['marker']);
  });

  it('does not acknowledge a delivery still running when the mesh closes: the next mesh gets it again', async () => {
    const store = memoryStore();
    const first = mesh(store, 20);
    first.on('error', () => undefined);
    const hold = deferred<void>();
    const got: unknown[] = [];
    await first.subscribe('o.*', (e) => {
      got.push(e.data);
      return hold.promise;
    }, { durable: 'held' }).ready;
    await first.publish('o.x', 'a');
    await until(() => got.length === 1);
    await first.close();
    hold.resolve();
    const again: unknown[] = [];
    await mesh(store).subscribe('o.*', (e) => void again.push(e.data), { durable: 'held' }).ready;
    await until(() => again.length === 1);
    expect(again).toEqual(['a']);
  });

  it('holds publish and emit behind a durable still attaching, then stores them in publish order, and the durable gets them', async () => {
    const { store, appended, attaches } = slowAttach();
    const m = mesh(store);
    await m.start();
    const got: unknown[] = [];
    m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'late' });
    m.emit('o.a', 1);
    let stored = false;
    const published = m.publish('o.b', 2).then(() => void (stored = true));
    m.emit('o.c', 3);
    await new Promise(setImmediate);
    expect(appended).toEqual([]);
    expect(stored).toBe(false);
    attaches[0]!.resolve();
    await published;
    expect(appended).toEqual([1, 2, 3]);
    await until(() => got.length === 3);
    expect(got).toEqual([1, 2, 3]);
  });

  it('releases the appends it held when the attach fails, and reports the failure', async () => {
    const { store, appended, attaches } = slowAttach();
    const m = mesh(store);
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    await m.start();
    const got: unknown[] = [];
    const first = m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'first' });
    attaches[0]!.resolve();
    await first.ready;
    const failing = m.subscribe('o.*', () => undefined, { durable: 'failing' });
    const published = m.publish('o.x', 'held');
    await new Promise(setImmediate);
    expect(appended).toEqual([]);
    attaches[1]!.reject(new MeshError('ERR_MESH_STORE_UNAVAILABLE', 'no broker'));
    await published;
    await expect(failing.ready).rejects.toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE' });
    await until(() => got.length === 1);
    expect(got).toEqual(['held']);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_STORE_UNAVAILABLE']);
  });

  it('stores at once when no durable is attaching: the append is made inside publish', async () => {
    const { store, appended, attaches } = slowAttach();
    const m = mesh(store);
    await m.start();
    const sub = m.subscribe('o.*', () => undefined, { durable: 'ready' });
    attaches[0]!.resolve();
    await sub.ready;
    const published = m.publish('o.x', 1);
    m.emit('o.x', 2);
    expect(appended).toEqual([1, 2]);
    await published;
  });
});

/**
 * A memory store whose durables take as long to attach as the test says (a broker
 * creating a consumer group): each `consume` waits for its entry in `attaches`.
 */
function slowAttach(): { store: MeshStore; appended: unknown[]; attaches: ReturnType<typeof deferred<void>>[] } {
  const inner = memoryStore();
  const appended: unknown[] = [];
  const attaches: ReturnType<typeof deferred<void>>[] = [];
  const store: MeshStore = {
    name: 'slow-attach',
    capabilities: inner.capabilities,
    open: (context) => inner.open(context),
    accepts: (type) => inner.accepts?.(type) ?? true,
    append: (event) => {
      appended.push(event.data);
      return inner.append(event);
    },
    consume: async (spec, handler) => {
      const attach = deferred<void>();
      attaches.push(attach);
      await attach.promise;
      return inner.consume(spec, handler);
    },
    close: (context) => inner.close(context),
  };
  return { store, appended, attaches };
}
