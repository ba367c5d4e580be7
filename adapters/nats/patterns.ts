import { parsePattern } from '../../src/index.js';

/**
 * The NATS side of one mesh pattern. `subjects` is what a consumer should filter on;
 * when `exact`, their union matches precisely the pattern's topics. `cover` is one
 * subject matching all of them (and possibly more): what a server with a single
 * `filter_subject` per consumer (nats-server < 2.10) is given, with the mesh pattern
 * checked again on the client whenever `cover` is not exact by itself.
 */
export interface NatsFilter {
  readonly subjects: readonly string[];
  readonly exact: boolean;
  readonly cover: string;
}

// `>` is a NATS wildcard when it stands alone as a token, and a legal mesh level;
// `%` is escaped too so the encoding stays reversible (injective).
const NEEDS_ESCAPE = /[%>]/;

/** One mesh level as a NATS subject token (never a wildcard). */
export function encodeToken(level: string): string {
  return NEEDS_ESCAPE.test(level) ? level.replace(/%/g, '%25').replace(/>/g, '%3E') : level;
}

/** The subject an event of this type is stored under. */
export function subjectOf(prefix: string, type: string): string {
  if (!NEEDS_ESCAPE.test(type)) return `${prefix}.${type}`;
  return `${prefix}.${type.split('.').map(encodeToken).join('.')}`;
}

/**
 * Maps a mesh pattern onto NATS subjects under `prefix`. `*` is `*` in both grammars.
 * Mesh `#` matches zero or more levels, NATS `>` one or more and only at the end, so:
 * a trailing run of wildcards with k >= 1 `*` and a `#` is "k or more levels", which
 * is k-1 `*` and a `>`; a trailing `#` alone is two subjects (`a.b` and `a.b.>`); a `#`
 * followed by more levels has no NATS form, so its cover is the levels before it and
 * `>`, and the pattern is matched on the client.
 */
export function natsFilter(prefix: string, pattern: string): NatsFilter {
  const levels = parsePattern(pattern).levels;
  const subject = (tokens: readonly string[]): string => [prefix, ...tokens].join('.');
  const first = levels.indexOf('#');
  if (first === -1) {
    const only = subject(levels.map(token));
    return { subjects: [only], exact: true, cover: only };
  }
  let start = first;
  while (start > 0 && levels[start - 1] === '*') start--;
  let end = first;
  while (end + 1 < levels.length && (levels[end + 1] === '*' || levels[end + 1] === '#')) end++;
  const head = levels.slice(0, start).map(token);
  const stars = levels.slice(start, end + 1).filter((l) => l === '*').length;
  const someStars = (n: number): string[] => new Array<string>(n).fill('*');
  if (end < levels.length - 1) {
    const cover = subject([...head, ...someStars(stars), '>']);
    return { subjects: [cover], exact: false, cover };
  }
  if (stars > 0) {
    const only = subject([...head, ...someStars(stars - 1), '>']);
    return { subjects: [only], exact: true, cover: only };
  }
  // A topic has at least one level, so a bare `#` is every subject under the prefix.
  if (head.length === 0) {
    const all = subject(['>']);
    return { subjects: [all], exact: true, cover: all };
  }
  return { subjects: [subject(head), subject([...head, '>'])], exact: true, cover: subject([...head.slice(0, -1), '>']) };
}

function token(level: string): string {
  return level === '*' ? '*' : encodeToken(level);
}

/**
 * A durable name as a JetStream consumer name, which may not hold `.`, `*`, `>`,
 * slashes, whitespace or control characters: everything outside `[A-Za-z0-9-]` is
 * written as its UTF-8 bytes, each `_` and two hex digits, so distinct durables stay distinct.
 */
export function consumerName(durable: string): string {
  if (/^[A-Za-z0-9-]+$/.test(durable)) return durable;
  let out = '';
  for (const ch of durable) {
    if (/[A-Za-z0-9-]/.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}
