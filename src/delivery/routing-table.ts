import { MatchCache } from '../topic/match-cache.js';
import { parsePattern, type ParsedPattern } from '../topic/pattern.js';
import { assertTopic } from '../topic/topic.js';
import { TopicTrie } from '../topic/trie.js';
import { GroupCursor, groupRoute, type GroupRoute } from './group.js';
import type { MeshSubscription } from './subscription.js';

/**
 * Everything one topic is delivered to: local subscribers, per group its matching
 * members (local or remote), and the subscriptions standing for remote ones.
 */
export interface Route {
  readonly subs: readonly MeshSubscription[];
  readonly groups: readonly GroupRoute[] | undefined;
  /** Proxies of remote subscriptions without a group: collected as destinations, never run. */
  readonly remote: readonly MeshSubscription[] | undefined;
}

const NONE: readonly MeshSubscription[] = Object.freeze([]);

export const EMPTY_ROUTE: Route = Object.freeze({ subs: NONE, groups: undefined, remote: undefined });

/**
 * Live subscriptions by pattern. Exact patterns sit in a Map, wildcard patterns in
 * the trie, and finished routes in a bounded cache: a cached topic costs one Map
 * lookup, whatever the number of subscriptions. Any change to the subscriptions a
 * cached route may contain invalidates it.
 */
export class RoutingTable {
  private readonly exact = new Map<string, MeshSubscription[]>();
  private readonly trie = new TopicTrie<MeshSubscription>();
  private readonly cache: MatchCache<Route>;
  /** Per group: its members and their turns, kept here so rotation survives route rebuilds (a cache miss, or no cache). */
  private readonly cursors = new Map<string, GroupCursor>();
  private readonly scratch: MeshSubscription[] = [];
  /** Live subscriptions with a group, and remote ones; while both are 0, building a route skips the partition. */
  private grouped = 0;
  private remotes = 0;

  // The last route handed out. Events come in bursts of one type, and a string
  // compare is far cheaper than a Map lookup (~7 ns, as much as a whole
  // eventemitter3 emit). Invalidated with the cache; off when the cache is.
  private lastTopic: string | undefined = undefined;
  private lastRoute: Route = EMPTY_ROUTE;

  constructor(cacheSize: number) {
    this.cache = new MatchCache(cacheSize);
  }

  add(sub: MeshSubscription, parsed: ParsedPattern): void {
    const group = sub.group;
    if (group !== undefined) {
      this.grouped++;
      this.cursor(group).join(sub);
    }
    if (sub.remote !== undefined) this.remotes++;
    if (parsed.exact) {
      const list = this.exact.get(parsed.text);
      if (list === undefined) this.exact.set(parsed.text, [sub]);
      else list.push(sub);
      this.invalidate(parsed.text);
    } else {
      this.trie.add(parsed.levels, sub);
      this.invalidate(undefined);
    }
  }

  remove(sub: MeshSubscription): void {
    // The match buffer must not keep a removed subscription (and what it holds) alive.
    this.scratch.length = 0;
    const parsed = parsePattern(sub.pattern);
    if (parsed.exact) {
      const list = this.exact.get(parsed.text);
      const at = list === undefined ? -1 : list.indexOf(sub);
      if (list === undefined || at < 0) return;
      list.splice(at, 1);
      if (list.length === 0) this.exact.delete(parsed.text);
      this.invalidate(parsed.text);
    } else if (this.trie.remove(parsed.levels, sub)) {
      this.invalidate(undefined);
    } else {
      return;
    }
    const group = sub.group;
    if (group !== undefined) {
      this.grouped--;
      // A group nobody is in any more is forgotten (stock clients bring their own group names).
      if (this.cursors.get(group)?.leave(sub) === true) this.cursors.delete(group);
    }
    if (sub.remote !== undefined) this.remotes--;
  }

  /** Every live subscription in the table. */
  *subscriptions(): Generator<MeshSubscription> {
    for (const list of this.exact.values()) yield* list;
    yield* this.trie.values();
  }

  /** The route for a topic; throws `ERR_MESH_INVALID_TOPIC` for a bad one (only cached topics skip the check). */
  route(topic: string): Route {
    if (topic === this.lastTopic) return this.lastRoute;
    const route = this.cache.get(topic) ?? this.fill(topic);
    if (this.cache.capacity > 0) {
      this.lastTopic = topic;
      this.lastRoute = route;
    }
    return route;
  }

  private invalidate(topic: string | undefined): void {
    this.lastTopic = undefined;
    if (topic === undefined) this.cache.clear();
    else this.cache.delete(topic);
  }

  private fill(topic: string): Route {
    assertTopic(topic);
    // Match into a reused buffer, then copy once at the exact size: no growing
    // array per miss (fill never re-enters: matching calls no user code). The buffer
    // keeps its size between fills (see TopicTrie.match); what it still holds past a
    // fill is live subscriptions only, since remove() empties it.
    const scratch = this.scratch;
    let end = 0;
    const exact = this.exact.get(topic);
    if (exact !== undefined) for (let i = 0; i < exact.length; i++) scratch[end++] = exact[i] as MeshSubscription;
    end = this.trie.match(topic.split('.'), scratch, end);
    const matched = scratch.slice(0, end);
    const route = matched.length === 0 ? EMPTY_ROUTE
      : this.grouped === 0 && this.remotes === 0 ? { subs: matched, groups: undefined, remote: undefined } : this.build(matched);
    this.cache.set(topic, route);
    return route;
  }

  private build(matched: MeshSubscription[]): Route {
    let plain: MeshSubscription[] | undefined;
    let remote: MeshSubscription[] | undefined;
    let grouped: Map<string, MeshSubscription[]> | undefined;
    for (const sub of matched) {
      const group = sub.group;
      if (group === undefined) {
        if (sub.remote === undefined) (plain ??= []).push(sub);
        else (remote ??= []).push(sub);
        continue;
      }
      grouped ??= new Map();
      const members = grouped.get(group);
      if (members === undefined) grouped.set(group, [sub]);
      else members.push(sub);
    }
    let groups: GroupRoute[] | undefined;
    if (grouped !== undefined) {
      groups = [];
      for (const [name, members] of grouped) groups.push(groupRoute(this.cursor(name), members));
    }
    return { subs: plain ?? NONE, groups, remote };
  }

  private cursor(name: string): GroupCursor {
    let cursor = this.cursors.get(name);
    if (cursor === undefined) this.cursors.set(name, (cursor = new GroupCursor(name)));
    return cursor;
  }
}
