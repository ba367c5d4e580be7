import { parsePattern } from '../../src/index.js';

/**
 * A durable's pattern as PostgreSQL tests it on the `type` column: `exact` as
 * `type = exact`, `regex` as `'.' || type ~ regex` (POSIX ARE), neither for `#`
 * (every event). Kept on the durable's row, so the claim function and the backlog
 * select in SQL and a non-matching row's JSON is never sent to the client.
 */
export interface PgPattern {
  readonly exact: string | null;
  readonly regex: string | null;
}

/**
 * Maps a mesh pattern onto a test PostgreSQL runs. Levels are matched on the type
 * with a `.` put in front, so each level is `\.level`: a literal level is escaped,
 * `*` is exactly one level (`\.[^.]+`) and `#` zero or more (`(\.[^.]+)*`), which
 * is why `p.#` matches `p` itself and `#.x` matches `x`.
 */
export function toPgPattern(pattern: string): PgPattern {
  const parsed = parsePattern(pattern);
  if (parsed.exact) return { exact: parsed.text, regex: null };
  const levels = parsed.levels;
  if (levels.every((l) => l === '#')) return { exact: null, regex: null };
  const body = levels.map((l) => (l === '*' ? '\\.[^.]+' : l === '#' ? '(\\.[^.]+)*' : `\\.${escapeRegex(l)}`)).join('');
  return { exact: null, regex: `^${body}$` };
}

function escapeRegex(level: string): string {
  return level.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
