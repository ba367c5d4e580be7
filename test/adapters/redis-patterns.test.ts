import { describe, expect, it } from 'vitest';
import { filterMatcher, toRedisFilter, type RedisFilter } from '../../adapters/redis/patterns.js';
import { patternMatcher } from '../../src/index.js';
import { expectThrowCode } from '../support/expect-code.js';

const TABLE: { pattern: string; filter: RedisFilter }[] = [
  { pattern: '#', filter: { kind: 'all' } },
  { pattern: 'a.b.c', filter: { kind: 'exact', type: 'a.b.c' } },
  { pattern: 'a.#', filter: { kind: 'prefix', prefix: 'a' } },
  { pattern: 'a.b.#', filter: { kind: 'prefix', prefix: 'a.b' } },
  { pattern: 'a.#.#', filter: { kind: 'prefix', prefix: 'a' } },
  { pattern: 'a.*', filter: { kind: 'levels', levels: ['a', '*'] } },
  { pattern: '*.#', filter: { kind: 'levels', levels: ['*', '#'] } },
  { pattern: 'a.#.z', filter: { kind: 'levels', levels: ['a', '#', 'z'] } },
  { pattern: '#.created', filter: { kind: 'levels', levels: ['#', 'created'] } },
];

const TYPES = ['a', 'a.b', 'a.b.c', 'a.bc', 'ab', 'ab.c', 'a.z', 'a.b.z', 'created', 'x.created', 'b'];

describe('toRedisFilter (mesh pattern -> test on the stream entry type field)', () => {
  it.each(TABLE)('maps $pattern', ({ pattern, filter }) => {
    expect(toRedisFilter(pattern)).toEqual(filter);
  });

  it.each(TABLE)('accepts exactly what the kernel matcher accepts for $pattern', ({ pattern }) => {
    const matches = filterMatcher(toRedisFilter(pattern));
    expect(TYPES.filter(matches)).toEqual(TYPES.filter(patternMatcher(pattern)));
  });

  it('rejects an invalid pattern with ERR_MESH_INVALID_PATTERN', () => {
    expectThrowCode(() => toRedisFilter('a.*x'), 'ERR_MESH_INVALID_PATTERN');
  });
});
