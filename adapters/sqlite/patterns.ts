import { parsePattern } from '../../src/index.js';

/** A SQL condition on the `type` column and its parameters, in order. */
export interface SqlPattern {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

/** Name of the SQL function the store registers for what SQL cannot say: `*` is one level. */
export const MATCH_FUNCTION = 'evmesh_match';

/**
 * Maps a mesh pattern to a SQL condition on `type`. SQLite's LIKE and GLOB have no
 * "a run of characters other than `.`", so `*` (exactly one level) and an inner `#`
 * cannot be written in them; the literal levels before the first wildcard become an
 * index-friendly range (`'.'` + 1 is `'/'`, so `p.` ≤ type < `p/` is "starts with
 * `p.`") and the rest is left to `evmesh_match(pattern, type)`, the kernel's own
 * matcher registered into SQLite. Exact patterns and `prefix.#` need no function.
 * Either way non-matching rows are dropped inside the query, before their JSON body
 * is read.
 */
export function toSqlPattern(pattern: string): SqlPattern {
  const parsed = parsePattern(pattern);
  if (parsed.exact) return { sql: 'type = ?', params: [parsed.text] };
  const levels = parsed.levels;
  const first = levels.findIndex((l) => l === '*' || l === '#');
  const prefix = levels.slice(0, first).join('.');
  const rest = levels.slice(first);
  if (rest.length === 1 && rest[0] === '#') {
    // `#` also matches zero levels: `p.#` matches `p` itself.
    return prefix === '' ? { sql: '1', params: [] } : { sql: '(type = ? OR (type > ? AND type < ?))', params: [prefix, `${prefix}.`, `${prefix}/`] };
  }
  const match = `${MATCH_FUNCTION}(?, type)`;
  if (prefix === '') return { sql: match, params: [parsed.text] };
  // At least one level follows the prefix here, so `type = prefix` never matches.
  return { sql: `(type > ? AND type < ? AND ${match})`, params: [`${prefix}.`, `${prefix}/`, parsed.text] };
}
