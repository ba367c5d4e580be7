import { describe, expect, it } from 'vitest';
import { EventIds } from '../../../src/event/event-ids.js';

const take = (ids: EventIds, n: number): string[] => Array.from({ length: n }, () => ids.next());

describe('EventIds', () => {
  it('returns non-empty string ids', () => {
    const id = new EventIds().next();
    expect(typeof id).toBe('string');
    expect(id.length).toBeGreaterThan(0);
  });

  it('never repeats an id across 10,000 calls', () => {
    const ids = take(new EventIds(), 10_000);
    expect(new Set(ids).size).toBe(10_000);
  });

  it('gives two instances disjoint ids, even at the same sequence position', () => {
    const a = take(new EventIds(), 10_000);
    const b = take(new EventIds(), 10_000);
    const all = new Set([...a, ...b]);
    expect(all.size).toBe(20_000);
    expect(a[0]).not.toBe(b[0]);
  });

  it('uses only characters that need no escaping in URLs, headers or JSON', () => {
    for (const id of take(new EventIds(), 100)) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('writes each id as the same prefix followed by the next decimal number, across every thousand', () => {
    const ids = take(new EventIds(), 2_500);
    const prefix = ids[0]!.replace(/\d+$/, '');
    const numbers = ids.map((id) => {
      expect(id.startsWith(prefix)).toBe(true);
      return Number(id.slice(prefix.length));
    });
    numbers.forEach((n, i) => expect(n).toBe(numbers[0]! + i));
  });
});
