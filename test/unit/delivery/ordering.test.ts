import { describe, expect, it } from 'vitest';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

/** An async handler that records order and how many runs overlap. */
function tracker(delay: (n: number) => number = () => 1) {
  const state = { running: 0, max: 0, done: [] as number[] };
  const handler = async (event: { data: unknown }) => {
    state.running++;
    state.max = Math.max(state.max, state.running);
    const n = event.data as number;
    await new Promise((resolve) => setTimeout(resolve, delay(n)));
    state.done.push(n);
    state.running--;
  };
  return { state, handler };
}

describe('delivery order and concurrency', () => {
  it('runs an async handler one event at a time, in publish order, by default', async () => {
    const m = mesh();
    const { state, handler } = tracker((n) => (n % 2 === 0 ? 5 : 0));
    m.subscribe('o.created', handler);
    for (let i = 0; i < 10; i++) m.emit('o.created', i);
    await until(() => state.done.length === 10);
    expect(state.max).toBe(1);
    expect(state.done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs up to `concurrency` handlers at once and never more', async () => {
    const m = mesh();
    const { state, handler } = tracker(() => 5);
    m.subscribe('o.created', handler, { concurrency: 3 });
    for (let i = 0; i < 12; i++) m.emit('o.created', i);
    await until(() => state.done.length === 12);
    expect(state.max).toBe(3);
  });

  it('keeps order per ordering key while running different keys in parallel', async () => {
    const m = mesh();
    const perKey = new Map<string, number[]>();
    const { state, handler } = tracker((n) => (n % 3) * 2);
    m.subscribe('o.created', async (event) => {
      await handler(event);
      const key = event.subject as string;
      perKey.set(key, [...(perKey.get(key) ?? []), event.data as number]);
    }, { concurrency: 4, orderingKey: 'subject' });
    for (let i = 0; i < 40; i++) m.emit('o.created', i, { subject: `k${i % 4}` });
    await until(() => state.done.length === 40);
    expect(state.max).toBeGreaterThan(1);
    expect(state.max).toBeLessThanOrEqual(4);
    for (const [key, seen] of perKey) {
      const k = Number(key.slice(1));
      expect(seen).toEqual(Array.from({ length: 10 }, (_, j) => j * 4 + k));
    }
  });

  it('isolates an ordering key function that throws: the event still runs, others still get it', async () => {
    const m = mesh();
    const errors: string[] = [];
    m.on('error', (e) => void errors.push(e.code));
    const keyed: unknown[] = [];
    const other: unknown[] = [];
    m.subscribe('o.created', async (e) => void keyed.push(e.data), { concurrency: 2, orderingKey: () => {
      throw new Error('bad key');
    } });
    m.subscribe('o.created', (e) => void other.push(e.data));
    m.emit('o.created', 1);
    await until(() => keyed.length === 1);
    expect(other).toEqual([1]);
    expect(errors).toEqual(['ERR_MESH_HANDLER_FAILED']);
  });

  it('accepts an ordering key function', async () => {
    const m = mesh();
    const order: number[] = [];
    m.subscribe('o.created', async (e) => {
      await new Promise((resolve) => setTimeout(resolve, (e.data as number) === 0 ? 10 : 0));
      order.push(e.data as number);
    }, { concurrency: 8, orderingKey: (e) => String((e.data as number) % 2) });
    for (let i = 0; i < 6; i++) m.emit('o.created', i);
    await until(() => order.length === 6);
    expect(order.filter((n) => n % 2 === 0)).toEqual([0, 2, 4]);
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(0));
  });

  it('queues an event a synchronous handler publishes to itself until the running call returns', () => {
    const m = mesh();
    const log: string[] = [];
    m.subscribe('loop', (e) => {
      const n = e.data as number;
      log.push(`start ${n}`);
      if (n < 2) m.emit('loop', n + 1);
      log.push(`end ${n}`);
    });
    m.emit('loop', 0);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('still delivers synchronously after an async handler settled', async () => {
    const m = mesh();
    const seen: number[] = [];
    m.subscribe('mixed', (e) => {
      seen.push(e.data as number);
      return (e.data as number) === 0 ? Promise.resolve() : undefined;
    });
    m.emit('mixed', 0);
    await until(() => seen.length === 1);
    await new Promise((resolve) => setImmediate(resolve));
    m.emit('mixed', 1);
    expect(seen).toEqual([0, 1]);
  });
});
