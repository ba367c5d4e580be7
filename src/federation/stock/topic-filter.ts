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
  const parsed = parsePattern(topic);
  if (parsed.exact) return { any: TOPIC_ATTRIBUTES.map((a) => ({ exact: { [a]: parsed.text } })) };
  const last = parsed.levels.length - 1;
  const stem = parsed.levels.slice(0, last);
  if (parsed.levels[last] !== '#' || stem.some((l) => l === '*' || l === '#')) {
    throw new MeshError('ERR_MESH_INVALID_PATTERN', `stock subscription topic ${JSON.stringify(topic)}: only a trailing "#" wildcard is supported`, {
      details: { pattern: topic },
    });
  }
  if (stem.length === 0) return undefined;
  const base = stem.join('.');
  return { any: TOPIC_ATTRIBUTES.flatMap((a) => [{ exact: { [a]: base } }, { prefix: { [a]: `${base}.` } }]) };
}
