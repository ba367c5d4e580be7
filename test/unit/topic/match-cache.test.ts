import { describe, expect, it } from 'vitest';
import { MatchCache } from '../../../src/topic/match-cache.js';

function filled(capacity: number, topics: readonly string[]): MatchCache<string> {
  const cache = new MatchCache<string>(capacity);
  for (const t of topics) cache.set(t, `route:${t}`);
  return cache;
}

describe('MatchCache', () => {
  it('returns what was stored under a topic and undefined for an unknown topic', () => {
    const cache = filled(4, ['a.b', 'a.c']);
    expect(cache.get('a.b')).toBe('route:a.b');
    expect(cache.get('a.c')).toBe('route:a.c');
    expect(cache.get('a.d')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('exposes the capacity it was built with', () => {
    expect(new MatchCache<number>(128).capacity).toBe(128);
  });

  it('never holds more entries than its capacity', () => {
    const cache = filled(3, Array.from({ length: 50 }, (_, i) => `t${i}`));
    expect(cache.size).toBe(3);
  });

  it('evicts the oldest inserted topic first when full', () => {
    const cache = filled(3, ['t1', 't2', 't3', 't4']);
    expect(cache.get('t1')).toBeUndefined();
    expect(['t2', 't3', 't4'].map((t) => cache.get(t))).toEqual(['route:t2', 'route:t3', 'route:t4']);
  });

  it('evicts in insertion order even when an old entry was read (FIFO, not LRU)', () => {
    const cache = filled(2, ['t1', 't2']);
    expect(cache.get('t1')).toBe('route:t1');
    cache.set('t3', 'route:t3');
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toBe('route:t2');
    expect(cache.get('t3')).toBe('route:t3');
  });

  it('keeps only the newest entry with capacity 1', () => {
    const cache = filled(1, ['t1', 't2']);
    expect(cache.size).toBe(1);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toBe('route:t2');
  });

  it.each([0, -1])('stores nothing with capacity %i', (capacity) => {
    const cache = filled(capacity, ['t1', 't2']);
    expect(cache.size).toBe(0);
    expect(cache.get('t1')).toBeUndefined();
  });

  it('replaces the value of a topic that is set again', () => {
    const cache = new MatchCache<string>(4);
    cache.set('t', 'old');
    cache.set('t', 'new');
    expect(cache.get('t')).toBe('new');
    expect(cache.size).toBe(1);
  });

  it('does not evict anything when a full cache sets a topic it already holds', () => {
    const cache = new MatchCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('b', 3);
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([1, 3, 2]);
  });

  it('deletes one topic, leaving the others', () => {
    const cache = filled(4, ['t1', 't2']);
    cache.delete('t1');
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toBe('route:t2');
    expect(cache.size).toBe(1);
  });

  it('ignores deleting a topic it does not hold', () => {
    const cache = filled(4, ['t1']);
    cache.delete('nope');
    expect(cache.size).toBe(1);
  });

  it('frees room for a new topic after a delete, without evicting', () => {
    const cache = filled(2, ['t1', 't2']);
    cache.delete('t2');
    cache.set('t3', 'route:t3');
    expect(cache.get('t1')).toBe('route:t1');
    expect(cache.get('t3')).toBe('route:t3');
  });

  it('clears every entry and can be filled again', () => {
    const cache = filled(4, ['t1', 't2', 't3']);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('t1')).toBeUndefined();
    cache.set('t4', 'route:t4');
    expect(cache.get('t4')).toBe('route:t4');
  });

  it('clears an empty cache without error', () => {
    const cache = new MatchCache<string>(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
