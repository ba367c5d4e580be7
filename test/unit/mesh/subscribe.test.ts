import { describe, expect, it } from 'vitest';
import { type DeliveryContext, type Mesh, type MeshErrorCode } from '../../../src/index.js';
import { expectThrowCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

function received(m: Mesh, pattern: string): string[] {
  const got: string[] = [];
  m.subscribe(pattern, (e) => void got.push(e.type));
  return got;
}

describe.each([
  ['with the match cache', 10_000],
  ['without the match cache', 0],
])('routing %s', (_name, matchCacheSize) => {
  it('delivers by exact topic, `*` (one level) and `#` (zero or more levels)', () => {
    const m = mesh({ matchCacheSize });
    const exact = received(m, 'com.shop.order.created');
    const one = received(m, 'com.shop.*.created');
    const some = received(m, 'com.shop.#');
    for (const t of ['com.shop', 'com.shop.order.created', 'com.shop.stock.created', 'com.shop.order.created.v2', 'com.other']) m.emit(t);
    expect(exact).toEqual(['com.shop.order.created']);
    expect(one).toEqual(['com.shop.order.created', 'com.shop.stock.created']);
    expect(some).toEqual(['com.shop', 'com.shop.order.created', 'com.shop.stock.created', 'com.shop.order.created.v2']);
  });

  it('sees subscriptions made after a topic was already routed, and stops after unsubscribe', async () => {
    const m = mesh({ matchCacheSize });
    m.emit('a.b.c');
    const late = received(m, 'a.*.c');
    const lateExact = received(m, 'a.b.c');
    m.emit('a.b.c');
    expect(late).toEqual(['a.b.c']);
    expect(lateExact).toEqual(['a.b.c']);
    const count = { n: 0 };
    const sub = m.subscribe('a.#', () => void count.n++);
    m.emit('a.b.c');
    await sub.unsubscribe();
    m.emit('a.b.c');
    expect(count.n).toBe(1);
    expect(sub.active).toBe(false);
  });
});

describe('subscribe', () => {
  it('tells the handler the matching pattern, the attempt and the group', () => {
    const m = mesh();
    const contexts: DeliveryContext[] = [];
    const sub = m.subscribe('com.*.order', (_e, ctx) => void contexts.push(ctx), { group: 'billing' });
    m.emit('com.shop.order');
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ pattern: 'com.*.order', attempt: 1, group: 'billing', subscription: sub });
  });

  it('applies a declarative filter before the handler', () => {
    const m = mesh();
    const got: unknown[] = [];
    m.subscribe('o.*', (e) => void got.push(e.data), { filter: { any: [{ prefix: { subject: 'eu-' } }, { exact: { tenant: 'acme' } }] } });
    m.emit('o.created', 1, { subject: 'eu-1' });
    m.emit('o.created', 2, { subject: 'us-1' });
    m.emit('o.created', 3, { subject: 'us-2', tenant: 'acme' });
    expect(got).toEqual([1, 3]);
  });

  it('lets a handler unsubscribe itself and others during a delivery without skipping anyone', async () => {
    const m = mesh();
    const got: string[] = [];
    const first = m.subscribe('x', () => {
      got.push('first');
      void first.unsubscribe();
    });
    m.subscribe('x', () => void got.push('second'));
    m.emit('x');
    m.emit('x');
    expect(got).toEqual(['first', 'second', 'second']);
  });

  it('lets an async handler await its own unsubscribe, and starts nothing queued after it', async () => {
    const m = mesh();
    const seen: unknown[] = [];
    const sub = m.subscribe('once', async (e) => {
      seen.push(e.data);
      await sub.unsubscribe();
    });
    m.emit('once', 1);
    m.emit('once', 2);
    await until(() => !sub.active);
    await m.close();
    expect(seen).toEqual([1]);
  });

  it('keeps delivering to other subscribers when one throws', () => {
    const m = mesh({ logger: { error: () => undefined } });
    const got: string[] = [];
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    m.subscribe('x', () => void got.push('ok'));
    expect(() => m.emit('x')).not.toThrow();
    expect(got).toEqual(['ok']);
  });

  const noop = (): void => undefined;
  it.each<[string, string, unknown, unknown, string]>([
    ['an invalid pattern', 'a..b', noop, undefined, 'ERR_MESH_INVALID_PATTERN'],
    ['a wildcard inside a level', 'a.b*', noop, undefined, 'ERR_MESH_INVALID_PATTERN'],
    ['a handler that is not a function', 'a', 'nope', undefined, 'ERR_MESH_INVALID_OPTIONS'],
    ['concurrency 0', 'a', noop, { concurrency: 0 }, 'ERR_MESH_INVALID_OPTIONS'],
    ['an empty group', 'a', noop, { group: '' }, 'ERR_MESH_INVALID_OPTIONS'],
    ['an empty orderingKey', 'a', noop, { concurrency: 2, orderingKey: '' }, 'ERR_MESH_INVALID_OPTIONS'],
    ['a malformed filter', 'a', noop, { filter: { exact: {} } }, 'ERR_MESH_INVALID_FILTER'],
    ['a CESQL filter that does not parse', 'a', noop, { filter: { sql: "type = 'a" } }, 'ERR_MESH_INVALID_FILTER'],
    ['an invalid dead-letter topic', 'a', noop, { deadLetter: 'dlq.#' }, 'ERR_MESH_INVALID_TOPIC'],
    ['retry attempts 0', 'a', noop, { retry: { attempts: 0 } }, 'ERR_MESH_INVALID_OPTIONS'],
  ])('throws synchronously for %s', (_name, pattern, handler, options, code) => {
    const m = mesh();
    expectThrowCode(() => m.subscribe(pattern, handler as never, options as never), code as MeshErrorCode);
  });

  it('leaves nothing behind when it throws', () => {
    const m = mesh();
    expectThrowCode(() => m.subscribe('a.b', () => undefined, { filter: { nope: 1 } as never }), 'ERR_MESH_INVALID_FILTER');
    return expect(m.request('a.b')).rejects.toMatchObject({ code: 'ERR_MESH_NO_RESPONDER' });
  });
});
