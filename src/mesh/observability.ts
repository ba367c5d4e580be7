import { toMeshError } from '../errors.js';
import type { PeerStats } from '../federation/peer-info.js';
import type { Hooks } from '../hooks/hooks.js';
import type { HealthCheck, HealthOptions, HealthReport } from '../inspect/health.js';
import type { DurableSnapshot, MeshSnapshot } from '../inspect/snapshot.js';
import type { MetricsHost } from '../metrics/metrics-host.js';
import { MeshMetrics } from '../metrics/mesh-metrics.js';
import { inspect, type BacklogReadings } from './inspect.js';
import type { Durables } from '../durable/durables.js';
import type { Kernel } from './kernel.js';

/**
 * What a mesh tells about itself: the snapshot, durable backlogs read from the store,
 * health, and (with `metrics`) its Prometheus metrics. Nothing here runs unless asked,
 * except the metrics' hooks when metrics are on.
 */
export class Observability implements MetricsHost {
  private readonly readings: BacklogReadings = new Map();
  readonly metrics: MeshMetrics | undefined;

  constructor(private readonly k: Kernel) {
    const options = k.options.metrics;
    this.metrics = options === undefined ? undefined : new MeshMetrics(this, options);
  }

  get hooks(): Hooks {
    return this.k.hooks;
  }

  /** Linked peers with their counters, then configured peers not linked. */
  peers(): PeerStats[] {
    return this.k.transport?.peers() ?? this.k.federation?.peers() ?? [];
  }

  inspect(): MeshSnapshot {
    return inspect(this.k, this.peers(), this.readings);
  }

  /**
   * Reads the backlog of every durable this mesh consumes from the store now; never
   * rejects, and gives up on a store that does not answer within `timeout` ms (a scrape
   * must not hang on it): the durables keep their last reading.
   */
  async backlog(timeout = 2000): Promise<readonly DurableSnapshot[]> {
    let read: Awaited<ReturnType<Durables['backlogs']>> | undefined;
    try {
      read = await within(this.k.durables.backlogs(), timeout);
    } catch {
      read = undefined; // LATE: backlogs() itself never rejects
    }
    if (read === undefined) return this.inspect().durables;
    const at = Date.now();
    const names = new Set<string>();
    for (const { name, backlog } of read) {
      names.add(name);
      this.readings.set(name, { backlog, at });
    }
    for (const name of this.readings.keys()) if (!names.has(name)) this.readings.delete(name);
    return this.inspect().durables;
  }

  async health(options: HealthOptions = {}): Promise<HealthReport> {
    const checks: { started: HealthCheck; peers?: HealthCheck & { missing: string[] }; store?: HealthCheck } = {
      started: this.k.state === 'started' ? { ok: true } : { ok: false, reason: `mesh is ${this.k.state}` },
    };
    if (options.peers !== undefined && options.peers !== false) checks.peers = this.peersCheck(options.peers);
    if (options.store === true) checks.store = await this.storeCheck(options.timeout ?? 2000);
    const reasons: string[] = [];
    for (const [name, check] of Object.entries(checks)) if (!check.ok) reasons.push(`${name}: ${check.reason ?? 'down'}`);
    return { ok: reasons.length === 0, id: this.k.options.id, checks, reasons };
  }

  private peersCheck(wanted: true | readonly string[]): HealthCheck & { missing: string[] } {
    const peers = this.peers();
    const linked = (p: PeerStats): boolean => p.state === 'linked';
    const missing = wanted === true
      ? this.k.options.peers.map((p) => p.url).filter((url) => !peers.some((p) => p.address === url && linked(p)))
      : wanted.filter((w) => !peers.some((p) => (p.node === w || p.address === w) && linked(p)));
    return missing.length === 0 ? { ok: true, missing } : { ok: false, reason: `not linked: ${missing.join(', ')}`, missing };
  }

  private async storeCheck(timeout: number): Promise<HealthCheck> {
    if (!this.k.durables.open) return { ok: false, reason: 'store not open' };
    if (this.k.durables.store.ping === undefined) return { ok: true };
    try {
      // The store's ping is bounded by contract; this bounds a store that breaks it.
      await within(this.k.durables.ping(), timeout);
      return { ok: true };
    } catch (err) {
      const reason = err === LATE ? `no answer from the store within ${String(timeout)} ms` : toMeshError('ERR_MESH_STORE_UNAVAILABLE', err).message;
      return { ok: false, reason };
    }
  }
}

/** What `within` rejects with when the promise took too long. */
const LATE: unique symbol = Symbol('late');

/** `promise`, or a rejection with LATE after `ms`; the timer never outlives it. */
async function within<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (promise === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(LATE), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
