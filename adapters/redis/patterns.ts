import { parsePattern } from '../../src/index.js';
import { matchLevels } from '../../src/internal.js';

/**
 * How a durable decides on one stream entry from its `t` (type) field alone, before
 * the body is parsed. Redis Streams have no server-side filter (XREADGROUP returns
 * every entry of the stream to the group), so the mesh pattern maps onto the
 * cheapest client-side test:
 * - `#` → `all`: every entry;
 * - no wildcard → `exact`: `t === type`;
 * - `p.#` → `prefix`: `t === p` or `t` starts with `p.` (`#` also matches zero levels);
 * - anything else → `levels`: the kernel's level matcher on `t`.
 */
export type RedisFilter =
  | { readonly kind: 'all' }
  | { readonly kind: 'exact'; readonly type: string }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'levels'; readonly levels: readonly string[] };

export function toRedisFilter(pattern: string): RedisFilter {
  const parsed = parsePattern(pattern);
  if (parsed.exact) return { kind: 'exact', type: parsed.text };
  const levels = parsed.levels;
  if (levels.length === 1 && levels[0] === '#') return { kind: 'all' };
  const last = levels.length - 1;
  const literalHead = levels.slice(0, last).every((l) => l !== '*' && l !== '#');
  if (levels[last] === '#' && literalHead) return { kind: 'prefix', prefix: levels.slice(0, last).join('.') };
  return { kind: 'levels', levels };
}

/** The test a filter stands for, as a function of the entry's type. */
export function filterMatcher(filter: RedisFilter): (type: string) => boolean {
  switch (filter.kind) {
    case 'all':
      return () => true;
    case 'exact':
      return (type) => type === filter.type;
    case 'prefix': {
      const dotted = `${filter.prefix}.`;
      return (type) => type === filter.prefix || type.startsWith(dotted);
    }
    case 'levels':
      return (type) => matchLevels(filter.levels, type.split('.'));
  }
}
