import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MATCH_FUNCTION, toSqlPattern } from '../../adapters/sqlite/patterns.js';
import { patternMatcher } from '../../src/index.js';
import { expectThrowCode } from '../support/expect-code.js';

const TABLE: { pattern: string; sql: string; params: (string | number)[] }[] = [
  { pattern: 'a.b.c', sql: 'type = ?', params: ['a.b.c'] },
  { pattern: '#', sql: '1', params: [] },
  { pattern: 'a.#', sql: '(type = ? OR (type > ? AND type < ?))', params: ['a', 'a.', 'a/'] },
  { pattern: 'a.b.#', sql: '(type = ? OR (type > ? AND type < ?))', params: ['a.b', 'a.b.', 'a.b/'] },
  { pattern: 'a.#.#', sql: '(type = ? OR (type > ? AND type < ?))', params: ['a', 'a.', 'a/'] },
  { pattern: 'a.*', sql: `(type > ? AND type < ? AND ${MATCH_FUNCTION}(?, type))`, params: ['a.', 'a/', 'a.*'] },
  { pattern: 'a.#.z', sql: `(type > ? AND type < ? AND ${MATCH_FUNCTION}(?, type))`, params: ['a.', 'a/', 'a.#.z'] },
  { pattern: '*.created', sql: `${MATCH_FUNCTION}(?, type)`, params: ['*.created'] },
  { pattern: '#.created', sql: `${MATCH_FUNCTION}(?, type)`, params: ['#.created'] },
];

const TYPES = ['a', 'a.b', 'a.b.c', 'a.bc', 'ab', 'ab.c', 'a.z', 'a.b.z', 'a.b.c.z', 'created', 'x.created', 'x.y.created', 'b', 'a-b.c'];

describe('toSqlPattern (mesh pattern -> SQLite condition on type)', () => {
  it.each(TABLE)('maps $pattern', ({ pattern, sql, params }) => {
    expect(toSqlPattern(pattern)).toEqual({ sql, params });
  });

  it.each(TABLE)('selects in SQLite exactly what the kernel matcher accepts for $pattern', ({ pattern }) => {
    const db = new Database(':memory:');
    db.function(MATCH_FUNCTION, { deterministic: true }, (p: unknown, t: unknown) => (patternMatcher(p as string)(t as string) ? 1 : 0));
    db.exec('CREATE TABLE e (type TEXT)');
    const insert = db.prepare('INSERT INTO e VALUES (?)');
    for (const t of TYPES) insert.run(t);
    const { sql, params } = toSqlPattern(pattern);
    const selected = db.prepare(`SELECT type FROM e WHERE ${sql} ORDER BY type`).pluck().all(...params);
    db.close();
    expect(selected).toEqual(TYPES.filter(patternMatcher(pattern)).sort());
  });

  it('rejects an invalid pattern with ERR_MESH_INVALID_PATTERN', () => {
    expectThrowCode(() => toSqlPattern('a..b'), 'ERR_MESH_INVALID_PATTERN');
  });
});
