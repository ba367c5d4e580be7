import type { MeshSubscription } from '../delivery/subscription.js';
import type { PeerStats } from '../federation/peer-info.js';
import type { DurableSnapshot, MeshSnapshot, PeerSnapshot, RefusalTotals, SubscriptionSnapshot } from '../inspect/snapshot.js';
import type { Kernel } from './kernel.js';

/** The last backlog read per durable name, with when (epoch ms). */
export type BacklogReadings = Map<string, { readonly backlog: number | undefined; readonly at: number }>;

/** Builds `mesh.inspect()`'s snapshot: reads counters, changes nothing. */
export function inspect(k: Kernel, peers: readonly PeerStats[], readings: BacklogReadings): MeshSnapshot {
  const subs: MeshSubscription[] = [];
  for (const sub of k.table.subscriptions()) if (sub.remote === undefined) subs.push(sub);
  for (const sub of k.durables.subscriptions()) subs.push(sub);
  return {
    id: k.options.id,
    state: k.state,
    startedAt: k.startedAt === undefined ? undefined : new Date(k.startedAt).toISOString(),
    uptimeSeconds: (Date.now() - k.createdAt) / 1000,
    address: k.transport?.address,
    store: { name: k.durables.store.name, open: k.durables.open, capabilities: { ...k.durables.store.capabilities } },
    subscriptions: subs.map(subscriptionSnapshot),
    peers: peers.map(peerSnapshot),
    stockSessions: k.stock?.describe() ?? [],
    durables: durableSnapshots(k, readings),
    requests: { open: k.requests.size, served: k.federation?.servedRequests ?? 0 },
    refusals: refusalTotals(k),
  };
}

function subscriptionSnapshot(sub: MeshSubscription): SubscriptionSnapshot {
  const sched = sub.sched;
  return {
    name: sub.name, pattern: sub.pattern, group: sub.group, durable: sub.durable, concurrency: sub.policy.concurrency,
    inFlight: sched?.inFlight ?? (sub.busy ? 1 : 0), queued: sched?.waitingCount ?? 0,
    delivered: sub.delivered, retried: sub.failures?.retried ?? 0, failed: sub.failures?.failed ?? 0, deadLettered: sub.failures?.deadLettered ?? 0,
  };
}

function peerSnapshot(p: PeerStats): PeerSnapshot {
  const o = p.outbound;
  return {
    node: p.node, state: p.state, address: p.address, remoteAddress: p.remoteAddress, dialed: p.dialed,
    interest: p.interest,
    out: o === undefined ? undefined : { frames: o.frames, bytes: o.bytes, queuedBytes: o.queuedBytes, drainWaits: o.drainWaits, refused: o.refused },
    in: p.inbound, rttMs: p.rttMs, lastError: p.lastError,
  };
}

function durableSnapshots(k: Kernel, readings: BacklogReadings): DurableSnapshot[] {
  const byName = new Map<string, MeshSubscription[]>();
  for (const sub of k.durables.subscriptions()) {
    const name = sub.durable as string;
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [sub]);
    else list.push(sub);
  }
  return [...byName].map(([name, subs]) => {
    const reading = readings.get(name);
    return {
      name, patterns: [...new Set(subs.map((s) => s.pattern))], consumers: subs.length,
      backlog: reading?.backlog, backlogAt: reading === undefined ? undefined : new Date(reading.at).toISOString(),
    };
  });
}

function refusalTotals(k: Kernel): RefusalTotals {
  return {
    ...k.refusals.totals,
    aclPublish: k.acl?.totals.publish ?? 0,
    aclSubscribe: k.acl?.totals.subscribe ?? 0,
    rateLimited: k.publishLimiter?.refused ?? 0,
  };
}
