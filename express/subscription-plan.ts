import { patternMatcher, type EventFilter } from '../src/index.js';
import type { SubscriptionRecord } from './subscription-record.js';

/** How a subscription is served by the mesh: one pattern and one declarative filter. */
export interface SubscriptionPlan {
  readonly pattern: string;
  readonly filter: EventFilter | undefined;
}

/**
 * Maps a subscription onto one mesh subscription. Several `types` become the narrowest
 * pattern covering them all (same depth: `*` where they differ; else their common
 * leading levels and `#`) plus an `any` of exact types: one durable consumer per
 * subscription keeps its events in publish order and costs the store one consumer,
 * while the pattern keeps the store and the peers from carrying events no type wants.
 * `source` is an exact filter (§3.2.1); the spec's `filters` all apply (an `all`). A
 * pattern that would take the router's dead-letter topic excludes it, so a failing
 * sink never receives its own (or another sink's) dead letters back.
 */
export function planOf(record: Pick<SubscriptionRecord, 'types' | 'source' | 'filters'>, deadLetter: string | undefined): SubscriptionPlan {
  const types = record.types === undefined ? undefined : [...new Set(record.types)];
  const pattern = types === undefined ? '#' : coveringPattern(types);
  const parts: EventFilter[] = [];
  if (types !== undefined && pattern !== types[0]) {
    const exact = types.map((type): EventFilter => ({ exact: { type } }));
    parts.push(exact.length === 1 ? (exact[0] as EventFilter) : { any: exact });
  }
  if (record.source !== undefined) parts.push({ exact: { source: record.source } });
  parts.push(...(record.filters ?? []));
  if (deadLetter !== undefined && patternMatcher(pattern)(deadLetter)) parts.push({ not: { exact: { type: deadLetter } } });
  return { pattern, filter: parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { all: parts } };
}

/** The narrowest mesh pattern that matches every one of `types` (valid topics, at least one). */
export function coveringPattern(types: readonly string[]): string {
  const split = types.map((t) => t.split('.'));
  const first = split[0] as string[];
  if (split.every((levels) => levels.length === first.length)) {
    return first.map((level, i) => (split.every((levels) => levels[i] === level) ? level : '*')).join('.');
  }
  const common: string[] = [];
  for (let i = 0; split.every((levels) => i < levels.length && levels[i] === first[i]); i++) common.push(first[i] as string);
  return [...common, '#'].join('.');
}
