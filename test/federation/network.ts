import { expect } from 'vitest';
import {
  InterestTable,
  type Advertisement,
  type InterestChanges,
  type InterestEntry,
  type OutboundAction,
} from '../../src/federation/interest-table.js';
import { entryOf } from '../../src/federation/interest.js';

export type Edge = readonly [string, string];

export const line = (ids: readonly string[]): Edge[] => ids.slice(1).map((id, i): Edge => [ids[i] as string, id]);
export const ring = (ids: readonly string[]): Edge[] => [...line(ids), [ids[ids.length - 1] as string, ids[0] as string]];
export const star = (hub: string, leaves: readonly string[]): Edge[] => leaves.map((leaf): Edge => [hub, leaf]);
export function fullMesh(ids: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  ids.forEach((a, i) => ids.slice(i + 1).forEach((b) => edges.push([a, b])));
  return edges;
}

/** A connected graph: a random spanning tree, then random extra edges up to `edgeCount`. */
export function randomConnected(ids: readonly string[], edgeCount: number, rng: () => number): Edge[] {
  const pick = (n: number): number => Math.floor(rng() * n);
  const seen = new Set<string>();
  const edges: Edge[] = [];
  const add = (a: string, b: string): void => {
    const [x, y] = a < b ? [a, b] : [b, a];
    if (x === y || seen.has(`${x}|${y}`)) return;
    seen.add(`${x}|${y}`);
    edges.push([x, y]);
  };
  for (let i = 1; i < ids.length; i++) add(ids[i] as string, ids[pick(i)] as string);
  while (edges.length < edgeCount) add(ids[pick(ids.length)] as string, ids[pick(ids.length)] as string);
  return edges;
}

export const linkId = (a: string, b: string): string => (a < b ? `${a}~${b}` : `${b}~${a}`);

interface Message {
  readonly seq: number;
  readonly to: string;
  readonly action: OutboundAction;
}

export interface NetworkOptions {
  /** With an rng, each step delivers the head of a random link direction (TCP only orders within one connection). */
  readonly rng?: () => number;
  /** Deliveries one `run` may make before the test fails for want of convergence. */
  readonly maxMessages?: number;
}

/**
 * N interest tables joined by in-memory links: every action a table returns is queued
 * FIFO per link direction and delivered to the table at the other end. Records what
 * each receiver was last told per link (`heard`), the proxies each node keeps from
 * `added`/`removed`, and every advertised path.
 */
export class Network {
  readonly tables = new Map<string, InterestTable>();
  /** Up links: id → its two ends. */
  readonly links = new Map<string, Edge>();
  /** Node → sub → entry, as subscribed. */
  readonly subs = new Map<string, Map<string, InterestEntry>>();
  /** Node → key → entry, maintained only from the `added`/`removed` of each result. */
  readonly proxies = new Map<string, Map<string, InterestEntry>>();
  /** `from>to` direction → key → the last advertisement delivered on it and not withdrawn. */
  readonly heard = new Map<string, Map<string, Advertisement>>();
  readonly paths: (readonly string[])[] = [];
  delivered = 0;
  private readonly queues = new Map<string, Message[]>();
  private seq = 0;

  constructor(ids: readonly string[], edges: readonly Edge[] = [], private readonly options: NetworkOptions = {}) {
    for (const id of ids) {
      this.tables.set(id, new InterestTable(id));
      this.subs.set(id, new Map());
      this.proxies.set(id, new Map());
    }
    for (const [a, b] of edges) this.connect(a, b);
  }

  table(id: string): InterestTable {
    const table = this.tables.get(id);
    if (table === undefined) throw new Error(`no node ${id}`);
    return table;
  }

  connect(a: string, b: string): void {
    const link = linkId(a, b);
    this.links.set(link, a < b ? [a, b] : [b, a]);
    this.apply(a, this.table(a).linkUp(link, b));
    this.apply(b, this.table(b).linkUp(link, a));
  }

  /** Closes the link at both ends; frames still queued on it are lost, as with a closed socket. */
  disconnect(a: string, b: string): void {
    const link = linkId(a, b);
    this.links.delete(link);
    for (const dir of [`${a}>${b}`, `${b}>${a}`]) {
      this.queues.delete(dir);
      this.heard.delete(dir);
    }
    this.apply(a, this.table(a).linkDown(link));
    this.apply(b, this.table(b).linkDown(link));
  }

  subscribe(node: string, sub: string, extra: Partial<Pick<InterestEntry, 'pattern' | 'group' | 'filter'>> = {}): void {
    const entry: InterestEntry = { node, sub, pattern: extra.pattern ?? `orders.${sub}`, ...extra };
    this.subs.get(node)?.set(sub, entry);
    this.apply(node, this.table(node).addLocal(entry));
  }

  unsubscribe(node: string, sub: string): void {
    this.subs.get(node)?.delete(sub);
    this.apply(node, this.table(node).removeLocal(sub));
  }

  /** Delivers until no message is left; returns how many it delivered. Throws (failing the test) past the bound. */
  run(): number {
    const limit = this.options.maxMessages ?? 100_000;
    let count = 0;
    for (let message = this.next(); message !== undefined; message = this.next()) {
      if (++count > limit) throw new Error(`no convergence after ${limit} messages`);
      this.deliver(message);
    }
    return count;
  }

  /** Every link direction between up links, with its sender and receiver. */
  directions(): { from: string; to: string; link: string }[] {
    return [...this.links].flatMap(([link, [a, b]]) => [
      { from: a, to: b, link },
      { from: b, to: a, link },
    ]);
  }

  private apply(node: string, result: InterestChanges): void {
    const proxies = this.proxies.get(node) as Map<string, InterestEntry>;
    for (const ref of result.removed) proxies.delete(keyOf(ref.node, ref.sub));
    for (const entry of result.added) proxies.set(keyOf(entry.node, entry.sub), entryOf(entry));
    for (const action of result.send) {
      const ends = this.links.get(action.link);
      if (ends === undefined) throw new Error(`${node} sent on ${action.link}, which is down`);
      const to = ends[0] === node ? ends[1] : ends[0];
      if (action.kind === 'advertise') this.paths.push(action.adv.path);
      const dir = `${node}>${to}`;
      let queue = this.queues.get(dir);
      if (queue === undefined) this.queues.set(dir, (queue = []));
      queue.push({ seq: this.seq++, to, action });
    }
  }

  private next(): Message | undefined {
    const live = [...this.queues].filter(([, queue]) => queue.length > 0).sort(([a], [b]) => (a < b ? -1 : 1));
    if (live.length === 0) return undefined;
    const rng = this.options.rng;
    const chosen = rng === undefined
      ? live.reduce((min, entry) => ((entry[1][0] as Message).seq < (min[1][0] as Message).seq ? entry : min))
      : (live[Math.floor(rng() * live.length)] as [string, Message[]]);
    return chosen[1].shift();
  }

  private deliver(message: Message): void {
    const { action, to } = message;
    const ends = this.links.get(action.link) as Edge;
    const from = ends[0] === to ? ends[1] : ends[0];
    const dir = `${from}>${to}`;
    let heard = this.heard.get(dir);
    if (heard === undefined) this.heard.set(dir, (heard = new Map()));
    const table = this.table(to);
    this.delivered++;
    if (action.kind === 'advertise') {
      heard.set(keyOf(action.adv.node, action.adv.sub), action.adv);
      this.apply(to, table.advertise(action.link, action.adv));
    } else {
      heard.delete(keyOf(action.node, action.sub));
      this.apply(to, table.withdraw(action.link, action.node, action.sub));
    }
  }
}

export const keyOf = (node: string, sub: string): string => `${node}/${sub}`;

/** Hop counts from `from` over the up links (BFS). */
export function distances(net: Network, from: string): Map<string, number> {
  const dist = new Map([[from, 0]]);
  const queue = [from];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const [a, b] of net.links.values()) {
      const other = a === node ? b : b === node ? a : undefined;
      if (other !== undefined && !dist.has(other)) {
        dist.set(other, (dist.get(node) as number) + 1);
        queue.push(other);
      }
    }
  }
  return dist;
}

/** The documented next hop from `node` towards an owner (given BFS distances to it): among neighbours one hop closer, the smallest id. */
export function expectedNextHop(net: Network, node: string, distToOwner: Map<string, number>): string | undefined {
  const mine = distToOwner.get(node);
  if (mine === undefined || mine === 0) return undefined;
  const closer = net.directions()
    .filter((d) => d.from === node && distToOwner.get(d.to) === mine - 1)
    .sort((x, y) => (x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
  return closer[0]?.link;
}

/**
 * The converged state, checked against BFS over the current links: each node holds
 * exactly the other reachable nodes' subscriptions, over a shortest path with the
 * documented tie-break; its proxies agree; and what every link last carried is what
 * its sender's table says it should carry — so no stale advertisement survives anywhere.
 */
export function expectConverged(net: Network): void {
  const ids = [...net.tables.keys()];
  const distTo = new Map(ids.map((id) => [id, distances(net, id)]));
  for (const node of ids) {
    const table = net.table(node);
    const expected: { key: string; hops: number; link: string | undefined }[] = [];
    for (const owner of ids) {
      const dist = distTo.get(owner) as Map<string, number>;
      const hops = dist.get(node);
      if (owner === node || hops === undefined) {
        if (owner !== node) expect(table.nextHop(owner), `${node} → unreachable ${owner}`).toBeUndefined();
        continue;
      }
      const hop = expectedNextHop(net, node, dist);
      for (const sub of net.subs.get(owner)?.keys() ?? []) expected.push({ key: keyOf(owner, sub), hops, link: hop });
      if ((net.subs.get(owner)?.size ?? 0) > 0) expect(table.nextHop(owner), `nextHop ${node} → ${owner}`).toBe(hop);
    }
    const actual = [...table.remoteEntries()];
    expect(actual.map((r) => ({ key: keyOf(r.entry.node, r.entry.sub), hops: r.hops, link: r.link })), `entries at ${node}`)
      .toEqual(expected.sort((a, b) => (a.key < b.key ? -1 : 1)));
    for (const r of actual) {
      expect(r.entry).toEqual(net.subs.get(r.entry.node)?.get(r.entry.sub));
      expect(r.path.length).toBe(r.hops);
      expect(r.path[0]).toBe(r.entry.node);
      expect(r.path[r.path.length - 1]).toBe(r.peer);
    }
    const proxies = net.proxies.get(node) as Map<string, InterestEntry>;
    expect(new Map([...proxies].sort(([a], [b]) => (a < b ? -1 : 1))), `proxies at ${node}`)
      .toEqual(new Map(actual.map((r) => [keyOf(r.entry.node, r.entry.sub), r.entry])));
  }
  for (const { from, to, link } of net.directions()) {
    const due = new Map<string, readonly string[]>();
    for (const sub of net.subs.get(from)?.keys() ?? []) due.set(keyOf(from, sub), [from]);
    for (const r of net.table(from).remoteEntries()) {
      if (r.link !== link && !r.path.includes(to)) due.set(keyOf(r.entry.node, r.entry.sub), [...r.path, from]);
    }
    const heard = new Map([...(net.heard.get(`${from}>${to}`) ?? [])].map(([key, adv]) => [key, adv.path]));
    expect(heard, `what ${from} last told ${to}`).toEqual(due);
  }
}

/** No advertisement sent so far crosses any node twice. */
export function expectLoopFreePaths(net: Network): void {
  const looped = net.paths.filter((path) => new Set(path).size !== path.length);
  expect(looped).toEqual([]);
}

export { mulberry32 } from '../support/prng.js';
