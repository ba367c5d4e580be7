import { describe, expect, it } from 'vitest';
import { memoryStore, type ConsumerSpec, type MeshStore } from '../../../src/index.js';
import { expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

/** A memory store that claims replay and records the specs it is asked to consume. */
function replayingStore(): { store: MeshStore; specs: ConsumerSpec[] } {
  const inner = memoryStore();
  const specs: ConsumerSpec[] = [];
  const store: MeshStore = {
    name: 'replaying',
    capabilities: { ...inner.capabilities, replay: true },
    open: () => inner.open(),
    append: (e) => inner.append(e),
    consume: (spec, handler) => {
      specs.push(spec);
      return inner.consume(spec, handler);
    },
    close: () => inner.close(),
  };
  return { store, specs };
}

describe('subscribe with from (replay)', () => {
  it('passes the position to the store, a Date as epoch milliseconds', async () => {
    const { store, specs } = replayingStore();
    const m = mesh({ store });
    const at = new Date('2026-01-02T03:04:05Z');
    await m.subscribe('a.*', () => undefined, { durable: 'by-date', from: { time: at } }).ready;
    await m.subscribe('a.*', () => undefined, { durable: 'by-ms', from: { time: 5 } }).ready;
    await m.subscribe('a.*', () => undefined, { durable: 'by-id', from: { afterId: 'e-1' } }).ready;
    await m.subscribe('a.*', () => undefined, { durable: 'plain' }).ready;
    expect(specs.map((s) => [s.name, s.from])).toEqual([
      ['by-date', { time: at.getTime() }], ['by-ms', { time: 5 }], ['by-id', { afterId: 'e-1' }], ['plain', undefined],
    ]);
  });

  it('throws ERR_MESH_STORE_UNSUPPORTED on a store without replay, leaving nothing attached', async () => {
    const store = memoryStore();
    const m = mesh({ store });
    expectThrowCode(() => m.subscribe('a.*', () => undefined, { durable: 'd', from: { afterId: 'x' } }), 'ERR_MESH_STORE_UNSUPPORTED');
    // Nothing was registered: the store wants no events for that durable.
    expect(store.accepts?.('a.b')).toBe(false);
  });

  it.each([
    ['without durable', { from: { afterId: 'x' } }],
    ['an empty afterId', { durable: 'd', from: { afterId: '' } }],
    ['an invalid Date', { durable: 'd', from: { time: new Date('nope') } }],
    ['a time that is not a number', { durable: 'd', from: { time: '2026' } }],
    ['neither afterId nor time', { durable: 'd', from: { at: 1 } }],
    ['a non-object', { durable: 'd', from: 'latest' }],
  ])('throws ERR_MESH_INVALID_OPTIONS for from %s', (_name, options) => {
    const m = mesh({ store: replayingStore().store });
    expectThrowCode(() => m.subscribe('a.*', () => undefined, options as never), 'ERR_MESH_INVALID_OPTIONS');
  });
});
