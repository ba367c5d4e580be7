import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MeshError, MeshEvent } from '../../../src/index.js';
import { deferred, expectRejectCode, expectThrowCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();
/** One turn of the event loop: enough for anything already resolved to have run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise with a flag telling whether it settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const tracked = promise.finally(() => (settled = true));
  tracked.catch(() => undefined);
  return { promise: tracked, settled: () => settled };
}

/** A mesh whose errors are collected (a throw inside an 'error' listener would be swallowed). */
function meshWithErrors(options?: Parameters<typeof mesh>[0]): { m: ReturnType<typeof mesh>; errors: MeshError[] } {
  const m = mesh(options);
  const errors: MeshError[] = [];
  m.on('error', (e) => void errors.push(e));
  return { m, errors };
}

/** An async handler that takes one event at a time and holds each until `gate` opens. */
function gatedHandler(): { handler: (e: MeshEvent) => Promise<void>; seen: unknown[]; gate: ReturnType<typeof deferred<void>> } {
  const gate = deferred();
  const seen: unknown[] = [];
  const handler = async (e: MeshEvent): Promise<void> => {
    seen.push(e.data);
    await gate.promise;
  };
  return { handler, seen, gate };
}

const slow = (errors: MeshError[]): MeshError[] => errors.filter((e) => e.code === 'ERR_MESH_SLOW_CONSUMER');

describe('maxQueued: emit', () => {
  it('does not queue past maxQueued and reports ERR_MESH_SLOW_CONSUMER once per event, while other subscriptions get it', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('o.*', handler, { maxQueued: 2, name: 'billing' });
    const others: unknown[] = [];
    m.subscribe('o.*', (e) => void others.push(e.data));
    const sent = [1, 2, 3, 4, 5].map((n) => m.emit('o.created', n));
    // 1 runs, 2 and 3 wait, 4 and 5 find the queue full.
    expect(slow(errors).map((e) => [e.details?.['eventId'], e.details?.['subscription'], e.retryable])).toEqual([
      [sent[3]?.id, 'billing', true],
      [sent[4]?.id, 'billing', true],
    ]);
    expect(others).toEqual([1, 2, 3, 4, 5]);
    gate.resolve();
    await until(() => seen.length === 3);
    await tick();
    expect(seen).toEqual([1, 2, 3]);
    m.emit('o.created', 6);
    await until(() => seen.length === 4);
    expect(slow(errors)).toHaveLength(2);
  });

  it('holds at most 10,000 waiting events by default', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, gate } = gatedHandler();
    m.subscribe('flood', handler);
    for (let i = 0; i < 10_003; i++) m.emit('flood', i);
    // One running, 10,000 waiting, two refused.
    expect(slow(errors).map((e) => e.details?.['maxQueued'])).toEqual([10_000, 10_000]);
    gate.resolve();
  });

  it('counts the waiting events of every ordering lane together', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('k', handler, { concurrency: 2, orderingKey: 'subject', maxQueued: 2 });
    for (const subject of ['a', 'b', 'a', 'b', 'a']) m.emit('k', subject, { subject });
    // a and b run; the second a and b wait; the third a is refused.
    expect(slow(errors)).toHaveLength(1);
    gate.resolve();
    await until(() => seen.length === 4);
  });

  it('refuses a group member that is full, like any subscription', () => {
    const { m, errors } = meshWithErrors();
    const { handler, gate } = gatedHandler();
    m.subscribe('g', handler, { group: 'workers', maxQueued: 1 });
    for (let i = 0; i < 3; i++) m.emit('g', i);
    expect(slow(errors)).toHaveLength(1);
    gate.resolve();
  });

  it('checks for room before a pipe, and refuses what a pipe emits into a full queue', () => {
    const { m, errors } = meshWithErrors();
    const { handler, gate } = gatedHandler();
    m.subscribe('p', handler, { maxQueued: 1, pipe: (events$) => events$.pipe(map((e) => e)) });
    for (let i = 0; i < 3; i++) m.emit('p', i);
    expect(slow(errors)).toHaveLength(1);
    gate.resolve();
  });

  it('does not apply to durable subscriptions, which the store feeds a prefetch at a time', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    await m.subscribe('d', handler, { durable: 'd', maxQueued: 1 }).ready;
    for (let i = 0; i < 40; i++) await m.publish('d', i);
    m.emit('d', 40);
    gate.resolve();
    await until(() => seen.length === 41);
    expect(seen).toEqual(Array.from({ length: 41 }, (_, i) => i));
    expect(errors).toEqual([]);
  });

  it('validates maxQueued', () => {
    const m = mesh();
    for (const maxQueued of [0, -1, 1.5, Number.NaN, '10' as unknown as number]) {
      expectThrowCode(() => m.subscribe('v', () => undefined, { maxQueued }), 'ERR_MESH_INVALID_OPTIONS');
    }
    expect(m.subscribe('v', () => undefined, { maxQueued: Infinity }).active).toBe(true);
  });

  it('with maxQueued Infinity, queues without bound (the old behaviour, for a producer bounded otherwise)', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('u', handler, { maxQueued: Infinity });
    for (let i = 0; i < 10_010; i++) m.emit('u', i);
    gate.resolve();
    await until(() => seen.length === 10_010, 10_000);
    expect(errors).toEqual([]);
  });
});

describe('maxQueued: publish', () => {
  it('waits for room instead of dropping, in publish order, and nothing is reported', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('o.*', handler, { maxQueued: 1 });
    await m.publish('o.created', 1); // runs
    await m.publish('o.created', 2); // waits in the queue
    const waiting = [3, 4].map((n) => watched(m.publish('o.created', n)));
    await tick();
    expect(waiting.map((w) => w.settled())).toEqual([false, false]);
    gate.resolve();
    await Promise.all(waiting.map((w) => w.promise));
    await until(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(errors).toEqual([]);
  });

  it('resolves once every full subscription took the event, and delivers at once to those with room', async () => {
    const { m } = meshWithErrors();
    const first = gatedHandler();
    const second = gatedHandler();
    const free: unknown[] = [];
    m.subscribe('o.x', first.handler, { maxQueued: 1 });
    m.subscribe('o.x', second.handler, { maxQueued: 1 });
    m.subscribe('o.x', (e) => void free.push(e.data));
    m.emit('o.x', 1);
    m.emit('o.x', 2);
    const third = watched(m.publish('o.x', 3));
    expect(free).toEqual([1, 2, 3]);
    first.gate.resolve();
    await until(() => first.seen.length === 3);
    await tick();
    expect(third.settled()).toBe(false);
    second.gate.resolve();
    await third.promise;
    await until(() => second.seen.length === 3);
  });

  it('goes ahead of a later emit, which is refused while publishes wait', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('q', handler, { maxQueued: 1 });
    m.emit('q', 1);
    m.emit('q', 2);
    const waiting = m.publish('q', 3);
    const refused = m.emit('q', 4);
    expect(slow(errors).map((e) => e.details?.['eventId'])).toEqual([refused.id]);
    gate.resolve();
    await waiting;
    await until(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('waits through a pipe too: the event enters the pipe when it has its place', async () => {
    const { m, errors } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('p', handler, { maxQueued: 1, pipe: (events$) => events$.pipe(map((e) => e)) });
    m.emit('p', 1);
    m.emit('p', 2);
    const waiting = watched(m.publish('p', 3));
    await tick();
    expect(waiting.settled()).toBe(false);
    gate.resolve();
    await waiting.promise;
    await until(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });

  it('waits for a full group member', async () => {
    const { m } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('g', handler, { group: 'workers', maxQueued: 1 });
    m.emit('g', 1);
    m.emit('g', 2);
    const waiting = watched(m.publish('g', 3));
    await tick();
    expect(waiting.settled()).toBe(false);
    gate.resolve();
    await waiting.promise;
    await until(() => seen.length === 3);
  });

  it('resolves a waiting publish when the full subscription unsubscribes', async () => {
    const { m } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    const sub = m.subscribe('q', handler, { maxQueued: 1 });
    m.emit('q', 1);
    m.emit('q', 2);
    const waiting = watched(m.publish('q', 3));
    await tick();
    expect(waiting.settled()).toBe(false);
    await sub.unsubscribe();
    await waiting.promise;
    gate.resolve();
    expect(seen).toEqual([1]);
  });

  it('resolves a waiting publish when close() drains the queue in time', async () => {
    const { m } = meshWithErrors();
    const { handler, seen, gate } = gatedHandler();
    m.subscribe('q', handler, { maxQueued: 1 });
    m.emit('q', 1);
    m.emit('q', 2);
    const waiting = watched(m.publish('q', 3));
    const closing = m.close();
    await tick();
    expect(waiting.settled()).toBe(false);
    gate.resolve();
    await waiting.promise;
    await closing;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects a waiting publish with ERR_MESH_CLOSED when close() gives up draining', async () => {
    const { m } = meshWithErrors({ closeTimeout: 20 });
    const { handler } = gatedHandler();
    m.subscribe('q', handler, { maxQueued: 1 });
    m.emit('q', 1);
    m.emit('q', 2);
    const waiting = m.publish('q', 3);
    await m.close();
    await expectRejectCode(waiting, 'ERR_MESH_CLOSED');
  });
});

describe('maxQueued: request', () => {
  it('fails a request to a full responder at once, with ERR_MESH_SLOW_CONSUMER as the remote code', async () => {
    const { m, errors } = meshWithErrors();
    const gate = deferred();
    m.subscribe('ask', async () => {
      await gate.promise;
      return 'late';
    }, { maxQueued: 1, name: 'responder' });
    m.emit('ask', 1);
    m.emit('ask', 2);
    const rejected = m.request('ask', 3, { timeout: 30_000 });
    await expect(rejected).rejects.toMatchObject({
      code: 'ERR_MESH_HANDLER_FAILED', details: { subscription: 'responder', remote: { code: 'ERR_MESH_SLOW_CONSUMER' } },
    });
    expect(slow(errors)).toHaveLength(1);
    gate.resolve();
  });
});
