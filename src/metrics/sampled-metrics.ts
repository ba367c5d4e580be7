import type { MeshSnapshot } from '../inspect/snapshot.js';
import type { MetricsHost } from './metrics-host.js';
import type { ResolvedMetricsOptions } from './metrics-options.js';
import type { Labels, PromClient, PromCounter, PromGauge } from './prom-types.js';

/** A gauge or counter whose values are read from the mesh at scrape time. */
interface Sampled {
  readonly kind: 'gauge' | 'counter';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly read: (snapshot: MeshSnapshot) => Iterable<readonly [Labels, number]>;
}

const NONE: Labels = {};

/** What the mesh's own state says, sampled at each scrape from `mesh.inspect()`. */
const SAMPLED: readonly Sampled[] = [
  { kind: 'gauge', name: 'subscription_queued', help: 'Events waiting for a busy handler, per subscription.', labelNames: ['subscription'],
    read: (s) => perSubscription(s, (sub) => sub.queued) },
  { kind: 'gauge', name: 'subscription_in_flight', help: 'Handlers running now, per subscription.', labelNames: ['subscription'],
    read: (s) => perSubscription(s, (sub) => sub.inFlight) },
  { kind: 'gauge', name: 'subscriptions', help: 'Subscriptions of this node (remote ones excepted).', labelNames: [],
    read: (s) => [[NONE, s.subscriptions.length]] },
  { kind: 'gauge', name: 'peers', help: 'Peers linked now.', labelNames: [],
    read: (s) => [[NONE, s.peers.filter((p) => p.state === 'linked').length]] },
  { kind: 'gauge', name: 'peer_up', help: 'Per known peer: 1 linked, 0 not (configured peers keep a series while down).', labelNames: ['peer'],
    read: (s) => s.peers.map((p) => [{ peer: peerLabel(p) }, p.state === 'linked' ? 1 : 0] as const) },
  { kind: 'gauge', name: 'peer_queued_bytes', help: 'Bytes waiting to be written to a peer.', labelNames: ['peer'],
    read: (s) => linked(s, (p) => p.out?.queuedBytes) },
  { kind: 'gauge', name: 'peer_rtt_seconds', help: 'Round trip of the last answered heartbeat to a peer.', labelNames: ['peer'],
    read: (s) => linked(s, (p) => (p.rttMs === undefined ? undefined : p.rttMs / 1000)) },
  { kind: 'gauge', name: 'peer_interest', help: 'Remote subscriptions learned over a peer link.', labelNames: ['peer'],
    read: (s) => linked(s, (p) => p.interest?.learned) },
  { kind: 'counter', name: 'peer_frames_total', help: 'Frames exchanged with a peer over its current link.', labelNames: ['peer', 'direction'],
    read: (s) => directions(s, 'frames') },
  { kind: 'counter', name: 'peer_bytes_total', help: 'Bytes exchanged with a peer over its current link.', labelNames: ['peer', 'direction'],
    read: (s) => directions(s, 'bytes') },
  { kind: 'gauge', name: 'stock_sessions', help: 'Sessions of stock EventMesh TCP clients.', labelNames: [],
    read: (s) => [[NONE, s.stockSessions.length]] },
  { kind: 'gauge', name: 'stock_unacked', help: 'Pushes to stock clients not acknowledged yet.', labelNames: [],
    read: (s) => [[NONE, s.stockSessions.reduce((n, x) => n + x.unacked, 0)]] },
  { kind: 'gauge', name: 'requests_open', help: 'Requests awaiting a reply (asked here) and served here for other nodes.', labelNames: ['side'],
    read: (s) => [[{ side: 'asked' }, s.requests.open], [{ side: 'served' }, s.requests.served]] },
  { kind: 'counter', name: 'refusals_total', help: 'Connections, events and subscriptions refused, by what refused them.', labelNames: ['reason'],
    read: (s) => Object.entries(s.refusals).map(([reason, n]) => [{ reason }, n] as const) },
];

/** The sampled metrics' names, without prefix. */
export function sampledNames(): string[] {
  return SAMPLED.map((m) => m.name);
}

function peerLabel(p: MeshSnapshot['peers'][number]): string {
  return p.node !== '' ? p.node : (p.address ?? p.remoteAddress ?? 'unknown');
}

/** One series per subscription name: subscriptions sharing a name add up. */
function perSubscription(s: MeshSnapshot, value: (sub: MeshSnapshot['subscriptions'][number]) => number): [Labels, number][] {
  const byName = new Map<string, number>();
  for (const sub of s.subscriptions) byName.set(sub.name, (byName.get(sub.name) ?? 0) + value(sub));
  return [...byName].map(([subscription, n]) => [{ subscription }, n]);
}

function linked(s: MeshSnapshot, value: (p: MeshSnapshot['peers'][number]) => number | undefined): [Labels, number][] {
  const out: [Labels, number][] = [];
  for (const p of s.peers) {
    const v = p.state === 'linked' ? value(p) : undefined;
    if (v !== undefined) out.push([{ peer: peerLabel(p) }, v]);
  }
  return out;
}

function directions(s: MeshSnapshot, what: 'frames' | 'bytes'): [Labels, number][] {
  const out: [Labels, number][] = [];
  for (const p of s.peers) {
    if (p.state !== 'linked') continue;
    const peer = peerLabel(p);
    if (p.in !== undefined) out.push([{ peer, direction: 'in' }, p.in[what]]);
    if (p.out !== undefined) out.push([{ peer, direction: 'out' }, p.out[what]]);
  }
  return out;
}

/**
 * Registers the sampled metrics. One snapshot serves a whole scrape: prom-client starts
 * every metric's collect in the same synchronous run, so the snapshot taken by the first
 * is reused by the others and dropped at the next microtask.
 */
export function registerSampled(prom: PromClient, host: MetricsHost, options: ResolvedMetricsOptions): void {
  let snapshot: MeshSnapshot | undefined;
  const current = (): MeshSnapshot => {
    if (snapshot === undefined) {
      snapshot = host.inspect();
      queueMicrotask(() => {
        snapshot = undefined;
      });
    }
    return snapshot;
  };
  for (const m of SAMPLED) {
    const config = { name: options.prefix + m.name, help: m.help, labelNames: m.labelNames, registers: [options.registry] };
    if (m.kind === 'gauge') {
      const gauge: PromGauge = new prom.Gauge({ ...config, collect: () => fill(gauge, (l, v) => gauge.set(l, v), m.read(current())) });
    } else {
      const counter: PromCounter = new prom.Counter({ ...config, collect: () => fill(counter, (l, v) => counter.inc(l, v), m.read(current())) });
    }
  }
  const backlog: PromGauge = new prom.Gauge({
    name: `${options.prefix}durable_backlog`, help: 'Events the store keeps for a durable, not acknowledged yet (read from the store).',
    labelNames: ['durable'], registers: [options.registry],
    collect: async () => {
      const durables = await host.backlog();
      backlog.reset();
      for (const d of durables) if (d.backlog !== undefined) backlog.set({ durable: d.name }, d.backlog);
    },
  });
}

/** Series that went away (an unsubscribed name, a peer gone) must not linger: reset, then set what is. */
function fill(metric: { reset(): void }, set: (labels: Labels, value: number) => void, values: Iterable<readonly [Labels, number]>): void {
  metric.reset();
  for (const [labels, value] of values) set(labels, value);
}
