import { describe, expect, it } from 'vitest';
import { toPgPattern, type PgPattern } from '../../../adapters/postgres/patterns.js';
import { patternMatcher } from '../../../src/index.js';
import { expectThrowCode } from '../../support/expect-code.js';

const TABLE: { pattern: string; sql: PgPattern }[] = [
  { pattern: '#', sql: { exact: null, regex: null } },
  { pattern: 'a.b.c', sql: { exact: 'a.b.c', regex: null } },
  { pattern: 'a.#', sql: { exact: null, regex: '^\\.a(\\.[^.]+)*$' } },
  { pattern: 'a.*', sql: { exact: null, regex: '^\\.a\\.[^.]+$' } },
  { pattern: '*.#', sql: { exact: null, regex: '^\\.[^.]+(\\.[^.]+)*$' } },
  { pattern: 'a.#.z', sql: { exact: null, regex: '^\\.a(\\.[^.]+)*\\.z$' } },
  { pattern: '#.created', sql: { exact: null, regex: '^(\\.[^.]+)*\\.created$' } },
  { pattern: 'a-b.*', sql: { exact: null, regex: '^\\.a-b\\.[^.]+$' } },
];

const TYPES = ['a', 'a.b', 'a.b.c', 'a.bc', 'ab', 'ab.c', 'a.z', 'a.b.z', 'created', 'x.created', 'b', 'a-b.x', 'aXb.x'];

/** What PostgreSQL's `'.' || type ~ regex` does, for the regexes toPgPattern writes (POSIX ARE agrees with JS on these). */
function pgMatches(p: PgPattern): (type: string) => boolean {
  const re = p.regex === null ? undefined : new RegExp(p.regex);
  return (type) => (p.exact === null || type === p.exact) && (re === undefined || re.test(`.${type}`));
}

describe('toPgPattern (mesh pattern -> test on the type column)', () => {
  it.each(TABLE)('maps $pattern', ({ pattern, sql }) => {
    expect(toPgPattern(pattern)).toEqual(sql);
  });

  it.each(TABLE)('accepts exactly what the kernel matcher accepts for $pattern', ({ pattern }) => {
    expect(TYPES.filter(pgMatches(toPgPattern(pattern)))).toEqual(TYPES.filter(patternMatcher(pattern)));
  });

  it('rejects an invalid pattern with ERR_MESH_INVALID_PATTERN', () => {
    expectThrowCode(() => toPgPattern('a.*x'), 'ERR_MESH_INVALID_PATTERN');
  });
});
