import { MeshError } from '../../errors.js';
import type { EventFilter } from '../../filter/dialects.js';
import { parsePattern } from '../../topic/pattern.js';

/** PROTOCOL §8.2: the attributes a stock subscription topic is matched against. */
const TOPIC_ATTRIBUTES = ['type', 'subject'] as const;

/**
 * PROTOCOL §8.2: a stock subscription topic as a declarative filter (data, so peers
 * evaluate it at the sender like any other). It matches an event whose `type` (the
 * topic of a mesh event) or `subject` (the topic of a stock client's event) matches
 * the topic: a plain topic exactly, `a.b.#` `a.b` and everything below. `#` matches
 * every event: no filter (undefined). Other wildcards have no filter form: refused.
 */
export function topicFilter(topic: string): EventFilter | undefined {
  const clauses = clausesOf(topic);
  return clauses === undefined ? undefined : { any: clauses };
}

/**
 * The filter of several topics of one session, matched by one mesh subscription: any
 * of them. Undefined (every event) when one of them is `#`.
 */
export function topicsFilter(topics: Iterable<string>): EventFilter | undefined {
  const clauses: EventFilter[] = [];
  for (const topic of topics) {
    const more = clausesOf(topic);
    if (more === undefined) return undefined;
    clauses.push(...more);
  }
  return { any: clauses };
}

/** The `any` clauses of one topic; undefined for `#`. Throws ERR_MESH_INVALID_PATTERN. */
function clausesOf(topic: string): EventFilter[] | undefined {
  const parsed = parsePattern(topic);
  if (parsed.exact) return TOPIC_ATTRIBUTES.map((a) => ({ exact: { [a]: parsed.text } }));
  const last = parsed.levels.length - 1;
  const stem = parsed.levels.slice(0, last);
  if (parsed.levels[last] !== '#' || stem.some((l) => l === '*' || l === '#')) {
    throw new MeshError('ERR_MESH_INVALID_PATTERN', `stock subscription topic ${JSON.stringify(topic)}: only a trailing "#" wildcard is supported`, {
      details: { pattern: topic },
    });
  }
  if (stem.length === 0) return undefined;
  const base = stem.join('.');
  return TOPIC_ATTRIBUTES.flatMap((a) => [{ exact: { [a]: base } }, { prefix: { [a]: `${base}.` } }]);
}
