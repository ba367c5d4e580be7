import type { EventFilter } from '../src/index.js';

/**
 * Whether `filter` refuses every event of type `type`, whatever its other attributes:
 * a conservative reading of the filter's shape (false when unsure), so a webhook sink
 * whose pattern matches its own dead-letter topic may still be made when its filter
 * keeps the dead letters out (the Subscriptions API adds `{ not: { exact: { type } } }`).
 */
export function excludesType(filter: EventFilter | undefined, type: string): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  if ('not' in filter) return onlyType(filter.not) === type;
  // An exact `type` other than this one refuses it, whatever else the object names.
  if ('exact' in filter) return typeof filter.exact['type'] === 'string' && filter.exact['type'] !== type;
  if ('all' in filter) return Array.isArray(filter.all) && filter.all.some((f) => excludesType(f, type));
  if ('any' in filter) return Array.isArray(filter.any) && filter.any.length > 0 && filter.any.every((f) => excludesType(f, type));
  return false;
}

/** The type of `{ exact: { type } }` naming nothing else, else undefined. */
function onlyType(filter: EventFilter): string | undefined {
  if (typeof filter !== 'object' || filter === null || !('exact' in filter)) return undefined;
  const names = Object.keys(filter.exact);
  return names.length === 1 && names[0] === 'type' ? filter.exact['type'] : undefined;
}
