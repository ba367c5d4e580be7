import { DEFAULT_POLICY } from '../delivery/policy.js';
import { MeshSubscription } from '../delivery/subscription.js';
import { compileFilter, type EventFilter } from '../filter/dialects.js';
import { parsePattern, type ParsedPattern } from '../topic/pattern.js';
import { decodeSubscription } from '../wire/bodies/subscription.js';
import type { WireFrame } from '../wire/frame.js';
import type { FederationHost } from './federation-host.js';
import type { Advertisement, InterestEntry, SubRef } from './interest.js';
import { optionalProp, prop } from './peer-frames.js';

/**
 * Remote subscriptions stand in the local routing table as proxy subscriptions: they
 * match, filter (at the origin, PROTOCOL §5.1) and join groups exactly like local
 * ones, and routing collects them as destinations instead of running them (their
 * `remote` names node and subscription). Also numbers this node's own live
 * subscriptions, so arriving events can name them.
 */
export class Proxies {
  /** Node → sub → proxy: nested rather than keyed by a joined string, which cost ~50 B per remote subscription. */
  private readonly remote = new Map<string, Map<string, MeshSubscription>>();
  private readonly localIds = new Map<MeshSubscription, string>();
  private readonly localById = new Map<string, LocalSub>();
  private seq = 0;

  constructor(private readonly host: FederationHost) {}

  localEntry(sub: MeshSubscription): InterestEntry {
    let id = this.localIds.get(sub);
    if (id === undefined) {
      id = `s${++this.seq}`;
      this.localIds.set(sub, id);
      this.localById.set(id, { sub, pattern: parsePattern(sub.pattern) });
    }
    return { node: this.host.selfId, sub: id, pattern: sub.pattern, group: sub.group, filter: sub.options?.filter };
  }

  forgetLocal(sub: MeshSubscription): string | undefined {
    const id = this.localIds.get(sub);
    if (id === undefined) return undefined;
    this.localIds.delete(sub);
    this.localById.delete(id);
    return id;
  }

  /** A local subscription by the id peers name it by, with its pattern parsed once (PROTOCOL §5.3 checks it). */
  local(id: string): LocalSub | undefined {
    return this.localById.get(id);
  }

  /** PROTOCOL §4.1: reads an advertisement, validating pattern and filter before anything is stored. */
  advertisement(frame: WireFrame, path: readonly string[]): Advertisement {
    const pattern = decodeSubscription(frame.body).topicList[0]?.topic;
    const parsed = parsePattern(pattern);
    const filterText = optionalProp(frame, 'evmeshfilter');
    const filter = filterText === undefined ? undefined : (JSON.parse(filterText) as EventFilter);
    if (filter !== undefined) compileFilter(filter);
    return { node: prop(frame, 'evmeshnode'), sub: prop(frame, 'evmeshsub'), pattern: parsed.text, group: optionalProp(frame, 'evmeshgroup'), filter, path };
  }

  upsert(entry: InterestEntry): void {
    this.remove(entry);
    const parsed = parsePattern(entry.pattern);
    const { node, sub } = entry;
    const filter = entry.filter === undefined ? undefined : compileFilter(entry.filter);
    const options = entry.group === undefined ? undefined : { group: entry.group };
    // `entry` is the interest table's record and has node and sub: it is the proxy's target as is.
    const proxy = new MeshSubscription(parsed.text, neverRun, filter, DEFAULT_POLICY, this.host, options, entry);
    let subs = this.remote.get(node);
    if (subs === undefined) this.remote.set(node, (subs = new Map()));
    subs.set(sub, proxy);
    this.host.table.add(proxy, parsed);
  }

  remove(ref: SubRef): void {
    const subs = this.remote.get(ref.node);
    const proxy = subs?.get(ref.sub);
    if (subs === undefined || proxy === undefined) return;
    subs.delete(ref.sub);
    if (subs.size === 0) this.remote.delete(ref.node);
    proxy.live = false;
    this.host.table.remove(proxy);
  }

  clear(): void {
    for (const subs of this.remote.values()) {
      for (const proxy of subs.values()) {
        proxy.live = false;
        this.host.table.remove(proxy);
      }
    }
    this.remote.clear();
  }
}

/** A local live subscription and its parsed pattern, which an arriving event must match. */
export interface LocalSub {
  readonly sub: MeshSubscription;
  readonly pattern: ParsedPattern;
}

/** A proxy's handler: routing collects proxies, it never runs them. */
function neverRun(): void {}

