import type { MeshEvent } from '../event/mesh-event.js';
import type { DeliveryHost } from '../delivery/host.js';
import type { RoutingTable } from '../delivery/routing-table.js';
import { MeshSubscription } from '../delivery/subscription.js';
import { compileFilter, type EventFilter } from '../filter/dialects.js';
import { DEFAULT_POLICY } from '../mesh/subscribe.js';
import { parsePattern } from '../topic/pattern.js';
import { decodeSubscription } from '../wire/bodies/subscription.js';
import type { WireFrame } from '../wire/frame.js';
import type { PeerHello } from '../mesh/options.js';
import type { PeerInfo } from '../mesh/signals.js';
import type { Advertisement, InterestEntry, SubRef } from './interest.js';
import type { Link } from './link.js';
import { optionalProp, prop } from './peer-frames.js';

/** What the federation needs from its mesh (which also hosts the proxies' deliveries). */
export interface FederationHost extends DeliveryHost {
  readonly selfId: string;
  readonly version: string;
  readonly table: RoutingTable;
  toEvent(value: unknown): MeshEvent;
  /** The reply event for a request answered here. */
  replyTo(request: MeshEvent, value: unknown): MeshEvent;
  /** Settles a request of this node with a reply that came back over a link. */
  settleRequest(id: string, reply: MeshEvent): void;
  /** The deadline (epoch ms) of an open request of this node, or undefined for a plain event. */
  requestDeadline(id: string): number | undefined;
  /** Sent in this node's HELLO. */
  readonly token: string | undefined;
  /** A peer came up or went down (mesh signals 'peer:up' / 'peer:down'). */
  peerChanged(up: boolean, peer: PeerInfo): void;
  /** The user's verdict on a connecting peer (PROTOCOL §9.2); true when no hook is set. */
  verifyHello(hello: PeerHello): boolean | Promise<boolean>;
  /** PROTOCOL §2.4: a HELLO without `evmeshnode` hands its link to the stock client sessions. */
  stockHello(link: Link, hello: WireFrame): void;
}

type Collect = (node: string, sub: string) => void;

/**
 * Remote subscriptions stand in the local routing table as proxy subscriptions: they
 * match, filter (at the origin, PROTOCOL §5.1) and join groups exactly like local
 * ones, and "delivering" to one records a destination. Also numbers this node's own
 * live subscriptions, so arriving events can name them.
 */
export class Proxies {
  private readonly remote = new Map<string, MeshSubscription>();
  private readonly localIds = new Map<MeshSubscription, string>();
  private readonly localById = new Map<string, MeshSubscription>();
  private seq = 0;

  constructor(private readonly host: FederationHost, private readonly collect: Collect) {}

  localEntry(sub: MeshSubscription): InterestEntry {
    let id = this.localIds.get(sub);
    if (id === undefined) {
      id = `s${++this.seq}`;
      this.localIds.set(sub, id);
      this.localById.set(id, sub);
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

  local(id: string): MeshSubscription | undefined {
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
    // Returns nothing: a value would count as this node answering a request.
    const record = (): void => {
      this.collect(node, sub);
    };
    const proxy = new MeshSubscription(parsed.text, record, filter, DEFAULT_POLICY, this.host, options);
    this.remote.set(key(entry), proxy);
    this.host.table.add(proxy, parsed);
  }

  remove(ref: SubRef): void {
    const proxy = this.remote.get(key(ref));
    if (proxy === undefined) return;
    this.remote.delete(key(ref));
    proxy.live = false;
    this.host.table.remove(proxy);
  }

  clear(): void {
    for (const proxy of this.remote.values()) {
      proxy.live = false;
      this.host.table.remove(proxy);
    }
    this.remote.clear();
  }
}

function key(ref: SubRef): string {
  return JSON.stringify([ref.node, ref.sub]);
}
