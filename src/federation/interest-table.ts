import { MeshError } from '../errors.js';
import {
  compareText,
  entryOf,
  sameEntry,
  samePath,
  withPath,
  type Advertisement,
  type InterestChanges,
  type InterestEntry,
  type OutboundAction,
  type RemoteEntry,
  type SubRef,
} from './interest.js';

export type { Advertisement, InterestChanges, InterestEntry, OutboundAction, RemoteEntry, SubRef } from './interest.js';

/**
 * What this node tells its links about one subscription: `entry` with `path` on every
 * link, except the link `from` (where the route came from) and links to a node on `via`
 * (the path it crossed). The Advertisement object is built only when one is sent.
 */
interface Offer {
  readonly entry: InterestEntry;
  readonly path: readonly string[];
  readonly from: string | undefined;
  readonly via: readonly string[];
}

/**
 * One neighbour's current word on a subscription: the last advertisement on its link
 * (kept as received, its `path` shared with the other entries that came the same way),
 * and `path`, what this node offers when it is the best: the received path plus this
 * node. It is its own Offer through getters, so a route holds no offer object besides.
 */
class Candidate implements Offer {
  constructor(readonly adv: Advertisement, readonly link: string, readonly peer: string, readonly path: readonly string[]) {}

  get entry(): InterestEntry {
    return this.adv;
  }

  get from(): string {
    return this.link;
  }

  get via(): readonly string[] {
    return this.adv.path;
  }
}

/**
 * Everything known about one remote subscription: one candidate per link offering it.
 * Nearly every route has one, held as is; an array only from two on (a Map cost ~150 B
 * more per subscription per hop, a one-slot array ~30 B, a route object around them
 * 40 B). The best is not stored: it is a function of the candidates (`bestOf`).
 */
type Route = Candidate | Candidate[];

/** The candidate of `route` on `link`. */
function candidateOn(route: Route | undefined, link: string): Candidate | undefined {
  if (route === undefined || !Array.isArray(route)) return route?.link === link ? route : undefined;
  return route.find((x) => x.link === link);
}

/** The best candidate, which is also what the links were told of the subscription. */
function bestOf(route: Route | undefined): Candidate | undefined {
  if (route === undefined || !Array.isArray(route)) return route;
  let best: Candidate | undefined;
  for (const candidate of route) if (best === undefined || better(candidate, best)) best = candidate;
  return best;
}

/** `route` with `candidate` in place of the one on its link, or beside the others (an array is changed in place). */
function withCandidate(route: Route | undefined, candidate: Candidate): Route {
  if (route === undefined || (!Array.isArray(route) && route.link === candidate.link)) return candidate;
  if (!Array.isArray(route)) return [route, candidate];
  const at = route.findIndex((x) => x.link === candidate.link);
  if (at < 0) route.push(candidate);
  else route[at] = candidate;
  return route;
}

/** `route` without its candidate on `link` (which it must have); undefined once none is left. */
function withoutOn(route: Route, link: string): Route | undefined {
  if (!Array.isArray(route)) return undefined;
  route.splice(
    route.findIndex((x) => x.link === link),
    1,
  );
  return route.length === 1 ? route[0] : route;
}

interface MutableChanges {
  readonly send: OutboundAction[];
  readonly added: InterestEntry[];
  readonly removed: SubRef[];
}

/**
 * One node's view of interest across the federation (PROTOCOL.md §4): a path vector
 * over any connected graph of links. Pure and synchronous; it never touches a socket.
 * Every mutating call returns what to send and which remote entries came or went.
 *
 * The outbound side is computed as a diff: for each (subscription, link) there is one
 * advertisement this node *should* have sent — its own entry, or its best route with
 * itself appended, or nothing when that route came from the link's peer. After every
 * call each link holds exactly that, so what a link was told is a function of the
 * subscription's previous offer (one per subscription, not one per link: a hub with N
 * peers keeps O(N) of it, not N²), and a change sends what differs between the offer
 * before and after (advertise) or takes it back (withdraw). So a neighbour's candidate
 * from us always mirrors our current best, which is what stops two nodes from keeping
 * each other's stale alternates alive after the owner is gone; and an unchanged route
 * is never re-sent.
 *
 * Orders: links and (node, sub) pairs are walked sorted, never in Map insertion order,
 * so the same inputs give the same outputs whatever order links came up in.
 */
export class InterestTable {
  /** Up links → the neighbour at the other end. */
  private readonly peers = new Map<string, string>();
  private sortedLinks: readonly string[] = [];
  /** Own subscriptions: sub → what every link is told of it. */
  private readonly local = new Map<string, Offer>();
  /** Remote owner → sub → route. Only pairs with at least one candidate are kept. */
  private readonly routes = new Map<string, Map<string, Route>>();
  /** Next hop per remote owner; `nextHop` is on the forwarding path, so it is cached until that owner's routes change. */
  private readonly hopCache = new Map<string, string | undefined>();
  /**
   * The last path received and the last one offered (it plus this node): a table's
   * advertisements arrive in runs along one path, so consecutive routes share one array
   * each instead of two of their own (~200 B per subscription per hop at 9 hops).
   */
  private lastIn: readonly string[] = [];
  private lastOut: readonly string[] = [];
  private readonly selfPath: readonly string[];

  constructor(readonly selfId: string) {
    this.selfPath = [selfId];
  }

  /** A subscription of this node (`entry.node` must be `selfId`); a changed entry is re-advertised. */
  addLocal(entry: InterestEntry): InterestChanges {
    if (entry.node !== this.selfId) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `A local interest entry must belong to node "${this.selfId}", not "${entry.node}".`, {
        details: { node: entry.node, sub: entry.sub },
      });
    }
    const out = changes();
    const previous = this.local.get(entry.sub);
    if (previous !== undefined && sameEntry(previous.entry, entry)) return out;
    const offer: Offer = { entry: entryOf(entry), path: this.selfPath, from: undefined, via: [] };
    this.local.set(entry.sub, offer);
    this.syncAll(this.selfId, entry.sub, previous, offer, out);
    return out;
  }

  removeLocal(sub: string): InterestChanges {
    const out = changes();
    const previous = this.local.get(sub);
    if (previous === undefined) return out;
    this.local.delete(sub);
    this.syncAll(this.selfId, sub, previous, undefined, out);
    return out;
  }

  /**
   * A link to `peer` came up: returns the whole table for it (§4.3). Calling it for a
   * link that is already up first takes that link down, as a reconnect would.
   */
  linkUp(link: string, peer: string): InterestChanges {
    const out = this.peers.has(link) ? this.dropLink(link) : changes();
    this.peers.set(link, peer);
    this.sortedLinks = [...this.peers.keys()].sort(compareText);
    for (const sub of [...this.local.keys()].sort(compareText)) this.syncLink(this.selfId, sub, link, undefined, this.local.get(sub), out);
    for (const [node, subs] of this.sortedRoutes()) {
      for (const sub of subs) this.syncLink(node, sub, link, undefined, bestOf(this.routes.get(node)?.get(sub)), out);
    }
    return out;
  }

  /** The link closed: everything learned through it is withdrawn, or re-routed where another path remains (§4.5). */
  linkDown(link: string): InterestChanges {
    return this.peers.has(link) ? this.dropLink(link) : changes();
  }

  /**
   * An advertisement arrived on `link`. One that cannot be used — it crossed this node
   * already, is malformed, or does not end at the link's peer — still replaces that
   * link's earlier word on the subscription, i.e. it counts as a withdrawal (the
   * treat-as-withdraw rule of RFC 7606): the neighbour no longer offers the old path.
   * Advertisements on a link that is not up are late frames of a closed link: ignored.
   */
  advertise(link: string, adv: Advertisement): InterestChanges {
    const out = changes();
    const peer = this.peers.get(link);
    if (peer === undefined || adv.node === this.selfId) return out;
    if (!this.usable(adv, peer)) {
      this.dropCandidate(link, adv.node, adv.sub, out);
      return out;
    }
    const route = this.routes.get(adv.node)?.get(adv.sub);
    const previous = candidateOn(route, link);
    if (previous !== undefined && samePath(previous.adv.path, adv.path) && sameEntry(previous.adv, adv)) return out;
    const before = bestOf(route);
    const path = this.sharedIn(adv.path);
    const candidate = new Candidate(withPath(adv, path), link, peer, this.extended(path));
    this.reselect(adv.node, adv.sub, before, withCandidate(route, candidate), out);
    return out;
  }

  /** The neighbour on `link` no longer offers a path to (node, sub). */
  withdraw(link: string, node: string, sub: string): InterestChanges {
    const out = changes();
    if (this.peers.has(link)) this.dropCandidate(link, node, sub, out);
    return out;
  }

  /** The link of the best path to any subscription of `node`: fewest hops, then smaller neighbour id. */
  nextHop(node: string): string | undefined {
    if (this.hopCache.has(node)) return this.hopCache.get(node);
    let best: Candidate | undefined;
    for (const route of this.routes.get(node)?.values() ?? []) {
      const candidate = bestOf(route);
      if (candidate !== undefined && (best === undefined || better(candidate, best))) best = candidate;
    }
    this.hopCache.set(node, best?.link);
    return best?.link;
  }

  /** Whether the neighbour on `link` offers some path to `node` (best or not): a reply from `node` may come that way (PROTOCOL §9.3). */
  reaches(node: string, link: string): boolean {
    for (const route of this.routes.get(node)?.values() ?? []) if (candidateOn(route, link) !== undefined) return true;
    return false;
  }

  /**
   * Remote subscriptions `link` advertised, and how many of them route through it
   * (presence entries, `PRESENCE`, excepted). One walk over the table: for `mesh.inspect()`.
   */
  interestOf(link: string, presence: string): { learned: number; routed: number } {
    let learned = 0;
    let routed = 0;
    for (const subs of this.routes.values()) {
      for (const [sub, route] of subs) {
        if (sub === presence || candidateOn(route, link) === undefined) continue;
        learned++;
        if (bestOf(route)?.link === link) routed++;
      }
    }
    return { learned, routed };
  }

  /** The best route per remote (node, sub), sorted by node then sub. */
  *remoteEntries(): IterableIterator<RemoteEntry> {
    for (const [node, subs] of this.sortedRoutes()) {
      for (const sub of subs) {
        const best = bestOf(this.routes.get(node)?.get(sub));
        if (best !== undefined) yield { entry: entryOf(best.adv), link: best.link, peer: best.peer, hops: best.adv.path.length, path: best.adv.path };
      }
    }
  }

  private dropLink(link: string): MutableChanges {
    const out = changes();
    this.peers.delete(link);
    this.sortedLinks = this.sortedLinks.filter((l) => l !== link);
    // The peer is gone with the connection: nothing needs withdrawing on this link.
    for (const [node, subs] of this.sortedRoutes()) {
      for (const sub of subs) this.dropCandidate(link, node, sub, out);
    }
    return out;
  }

  private dropCandidate(link: string, node: string, sub: string, out: MutableChanges): void {
    const route = this.routes.get(node)?.get(sub);
    if (route === undefined || candidateOn(route, link) === undefined) return;
    const before = bestOf(route);
    this.reselect(node, sub, before, withoutOn(route, link), out);
  }

  /**
   * Stores `route` (none: forgets the subscription), re-picks the best candidate against
   * `before` (the best until now), reports what the caller's proxies must learn, and
   * updates every link.
   */
  private reselect(node: string, sub: string, before: Candidate | undefined, route: Route | undefined, out: MutableChanges): void {
    const after = bestOf(route);
    if (route === undefined) this.forget(node, sub);
    else this.store(node, sub, route);
    if (before === after) return;
    this.hopCache.delete(node);
    if (after === undefined) out.removed.push({ node, sub });
    // The advertisement as held, not a copy: the caller's proxy keeps it as its RemoteTarget
    // (an object of its own was 40 B per remote subscription per hop).
    else if (before === undefined || !sameEntry(before.adv, after.adv)) out.added.push(after.adv);
    this.syncAll(node, sub, before, after, out);
  }

  private syncAll(node: string, sub: string, told: Offer | undefined, due: Offer | undefined, out: MutableChanges): void {
    for (const link of this.sortedLinks) this.syncLink(node, sub, link, told, due, out);
  }

  /** Brings what `link` was told about (node, sub) under the offer `told` in line with what `due` tells it. */
  private syncLink(node: string, sub: string, link: string, told: Offer | undefined, due: Offer | undefined, out: MutableChanges): void {
    const was = this.offered(told, link);
    const now = this.offered(due, link);
    if (now === undefined) {
      if (was !== undefined) out.send.push({ kind: 'withdraw', link, node, sub, path: was.path });
    } else if (was === undefined || !samePath(was.path, now.path) || !sameEntry(was.entry, now.entry)) {
      out.send.push({ kind: 'advertise', link, adv: withPath(now.entry, now.path) });
    }
  }

  /**
   * What `link` holds under `offer`: our own entry, or our best route plus us — except
   * when that route came from the link's peer or already crossed it (split horizon and
   * loop guard; the peer would drop it anyway, and it must drop what we told it before).
   */
  private offered(offer: Offer | undefined, link: string): Offer | undefined {
    if (offer === undefined || offer.from === undefined) return offer;
    const peer = this.peers.get(link);
    if (peer === undefined || offer.from === link || offer.via.includes(peer)) return undefined;
    return offer;
  }

  /** `path`, or an equal array this table holds already (see `lastIn`); a new one is copied, the caller keeps its own. */
  private sharedIn(path: readonly string[]): readonly string[] {
    if (!samePath(path, this.lastIn)) this.lastIn = [...path];
    return this.lastIn;
  }

  /** `path` plus this node, shared by the routes that came along `path` (see `lastOut`). */
  private extended(path: readonly string[]): readonly string[] {
    const last = this.lastOut;
    if (last.length === path.length + 1 && last[path.length] === this.selfId && path.every((id, i) => last[i] === id)) return last;
    this.lastOut = [...path, this.selfId];
    return this.lastOut;
  }

  /** Owner first, the sender last, no node twice, and not this node: anything else is not a path we can use. */
  private usable(adv: Advertisement, peer: string): boolean {
    const path = adv.path;
    if (path.length === 0 || path[0] !== adv.node || path[path.length - 1] !== peer) return false;
    if (path.includes(this.selfId)) return false;
    return new Set(path).size === path.length;
  }

  private store(node: string, sub: string, route: Route): void {
    let subs = this.routes.get(node);
    if (subs === undefined) this.routes.set(node, (subs = new Map()));
    subs.set(sub, route);
  }

  private forget(node: string, sub: string): void {
    const subs = this.routes.get(node);
    if (subs === undefined) return;
    subs.delete(sub);
    if (subs.size === 0) this.routes.delete(node);
  }

  /** Remote owners and their subs, sorted, as a snapshot that callers may mutate the table under. */
  private sortedRoutes(): [string, string[]][] {
    return [...this.routes.keys()]
      .sort(compareText)
      .map((node): [string, string[]] => [node, [...(this.routes.get(node)?.keys() ?? [])].sort(compareText)]);
  }
}

function changes(): MutableChanges {
  return { send: [], added: [], removed: [] };
}

/** Shorter path first; ties go to the smaller neighbour id (every node decides alike), then the smaller link id. */
function better(a: Candidate, b: Candidate): boolean {
  const order = a.adv.path.length - b.adv.path.length || compareText(a.peer, b.peer) || compareText(a.link, b.link);
  return order < 0;
}
