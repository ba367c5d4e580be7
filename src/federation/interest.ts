/**
 * The vocabulary of interest routing (PROTOCOL.md §4): what one subscription looks
 * like to the federation, what travels between nodes, and what the interest table
 * hands back to the caller that owns the sockets.
 */

/** One subscription (or group membership) of some node, as the federation sees it. */
export interface InterestEntry {
  /** The node that owns the subscription. */
  readonly node: string;
  /** Subscription id, unique on its node. */
  readonly sub: string;
  readonly pattern: string;
  readonly group?: string;
  /** The declarative filter: JSON data, so the origin of an event can evaluate it. */
  readonly filter?: unknown;
}

/** An entry on the wire: `path` lists the node ids it crossed, owner first; hops = path.length. */
export interface Advertisement extends InterestEntry {
  readonly path: readonly string[];
}

/** Names one subscription of one node. */
export interface SubRef {
  readonly node: string;
  readonly sub: string;
}

/** Something the caller must put on the wire (SUBSCRIBE_REQUEST / UNSUBSCRIBE_REQUEST). */
export type OutboundAction =
  | { readonly kind: 'advertise'; readonly link: string; readonly adv: Advertisement }
  | {
      readonly kind: 'withdraw';
      readonly link: string;
      readonly node: string;
      readonly sub: string;
      /** The path that was advertised on this link and is now taken back (§4.5 carries it). */
      readonly path: readonly string[];
    };

/** The best known route to one remote subscription. */
export interface RemoteEntry {
  readonly entry: InterestEntry;
  /** The link the best advertisement came in on: the next hop towards the owner. */
  readonly link: string;
  /** The neighbour at the other end of `link`. */
  readonly peer: string;
  readonly hops: number;
  /** As received: owner first, `peer` last. */
  readonly path: readonly string[];
}

/**
 * What one call changed. `send` goes on the wire in order. `added` and `removed` keep
 * the caller's proxy subscriptions in sync: `added` is an upsert keyed by (node, sub),
 * so an entry whose pattern, group or filter changed shows up there again; a mere
 * change of route (link, hops) is not reported, since forwarding asks `nextHop` anyway.
 * An entry in `added` is the table's own record (an Advertisement, with its `path`),
 * shared so a proxy need not copy it: read it, never mutate it.
 */
export interface InterestChanges {
  readonly send: readonly OutboundAction[];
  readonly added: readonly InterestEntry[];
  readonly removed: readonly SubRef[];
}

/** Code-unit order: unlike localeCompare it is the same on every machine, which tie-breaks need. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The entry part of an advertisement (or entry), without `path` or any stray field. */
export function entryOf(source: InterestEntry): InterestEntry {
  const entry: { node: string; sub: string; pattern: string; group?: string; filter?: unknown } = {
    node: source.node,
    sub: source.sub,
    pattern: source.pattern,
  };
  if (source.group !== undefined) entry.group = source.group;
  if (source.filter !== undefined) entry.filter = source.filter;
  return entry;
}

/** The entry part of `source` with `path`: one object, built without an intermediate copy. */
export function withPath(source: InterestEntry, path: readonly string[]): Advertisement {
  const adv: { node: string; sub: string; pattern: string; group?: string; filter?: unknown; path: readonly string[] } = {
    node: source.node,
    sub: source.sub,
    pattern: source.pattern,
    path,
  };
  if (source.group !== undefined) adv.group = source.group;
  if (source.filter !== undefined) adv.filter = source.filter;
  return adv;
}

/** Same subscription content. Filters are compared as JSON values, since each decode makes new objects. */
export function sameEntry(a: InterestEntry, b: InterestEntry): boolean {
  return a.node === b.node && a.sub === b.sub && a.pattern === b.pattern && a.group === b.group && sameJson(a.filter, b.filter);
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => sameJson(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  return keys.every((key) => Object.hasOwn(rb, key) && sameJson(ra[key], rb[key]));
}
