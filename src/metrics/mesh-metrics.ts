import { MeshError } from '../errors.js';
import type { RequestOutcome } from '../hooks/hook-list.js';
import { loadDependency } from '../store/load-dependency.js';
import { DeliveryCounts } from './delivery-stats.js';
import { HistogramMetric } from './histogram-metric.js';
import type { MetricsHost } from './metrics-host.js';
import type { ResolvedMetricsOptions } from './metrics-options.js';
import type { Labels, PromClient, PromCounter } from './prom-types.js';
import { registerSampled, sampledNames } from './sampled-metrics.js';

/** Prefixes taken per registry: prom-client registers the metrics only once it has loaded. */
const claims = new WeakMap<object, Set<string>>();

/** A counter kept by the mesh and written into prom-client at scrape time. */
interface Tally {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly read: () => Iterable<readonly [Labels, number]>;
}

/**
 * A mesh's Prometheus metrics. Counting starts at once, into plain fields and Maps the
 * hooks update (no label hashing per event); prom-client is loaded in the background
 * (`ready`, awaited by `start()`) and its metrics read those counts, and the sampled ones
 * (queues, peers, backlog) read the mesh, at scrape time only.
 */
export class MeshMetrics {
  readonly ready: Promise<void>;
  private published = 0;
  private readonly publishedByType: Map<string, number> | undefined;
  private readonly deliveries: DeliveryCounts;
  private readonly requests: Record<RequestOutcome, number> = { ok: 0, timeout: 0, no_responder: 0, failed: 0 };
  private readonly errors = new Map<string, number>();
  private readonly links = new Map<string, number>();
  private registered: string[] = [];

  constructor(private readonly host: MetricsHost, readonly options: ResolvedMetricsOptions) {
    const claimed = claims.get(options.registry) ?? new Set<string>();
    if (claimed.has(options.prefix) || options.registry.getSingleMetric(`${options.prefix}events_published_total`) !== undefined) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `metrics: this registry already holds ${options.prefix}* metrics (another mesh's?): give each mesh its own registry or prefix`, {
        details: { option: 'metrics.prefix', prefix: options.prefix },
      });
    }
    claimed.add(options.prefix);
    claims.set(options.registry, claimed);
    this.publishedByType = options.typeLabel ? new Map() : undefined;
    this.deliveries = new DeliveryCounts(options.buckets);
    this.attach();
    this.ready = loadDependency<PromClient & { default?: PromClient }>('prom-client', 'createMesh({ metrics })').then((mod) => {
      this.register(mod.default ?? mod);
    });
    // start() reports a failure to load; until then it must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  get registry(): ResolvedMetricsOptions['registry'] {
    return this.options.registry;
  }

  /** The mesh closed: its metrics leave the registry (a new mesh may take the prefix). */
  close(): void {
    claims.get(this.options.registry)?.delete(this.options.prefix);
    for (const name of this.registered) this.options.registry.removeSingleMetric(name);
    this.registered = [];
  }

  private attach(): void {
    const hooks = this.host.hooks;
    const byType = this.publishedByType;
    hooks.add('onPublish', byType === undefined
      ? () => void this.published++
      : (event) => void byType.set(event.type, (byType.get(event.type) ?? 0) + 1));
    hooks.add('onSettle', (_event, sub, outcome, ms) => this.deliveries.settle(sub.name, outcome, ms / 1000));
    hooks.add('onRequestDone', (outcome) => void this.requests[outcome]++);
    hooks.add('onReport', (error) => bump(this.errors, error.code));
    hooks.add('onLinkUp', (party) => bump(this.links, `${party.kind} up`));
    hooks.add('onLinkDown', (party) => bump(this.links, `${party.kind} down`));
  }

  private tallies(): Tally[] {
    const byType = this.publishedByType;
    return [
      { name: 'events_published_total', help: 'Events published on this node.', labelNames: byType === undefined ? [] : ['type'],
        read: () => (byType === undefined ? [[{}, this.published]] : [...byType].map(([type, n]) => [{ type }, n] as const)) },
      { name: 'deliveries_total', help: 'Handler attempts, by subscription and how they ended.', labelNames: ['subscription', 'outcome'],
        read: () => [...this.deliveries.byName].flatMap(([subscription, s]) =>
          Object.entries(s.outcomes).filter(([, n]) => n > 0).map(([outcome, n]) => [{ subscription, outcome }, n] as const)) },
      { name: 'requests_total', help: 'Requests asked on this node, by how they ended.', labelNames: ['outcome'],
        read: () => Object.entries(this.requests).filter(([, n]) => n > 0).map(([outcome, n]) => [{ outcome }, n] as const) },
      { name: 'errors_total', help: 'Errors the mesh reported, by code.', labelNames: ['code'],
        read: () => [...this.errors].map(([code, n]) => [{ code }, n] as const) },
      { name: 'link_changes_total', help: 'Peer links and stock client sessions that came up or went down.', labelNames: ['kind', 'change'],
        read: () => [...this.links].map(([key, n]) => {
          const [kind, change] = key.split(' ') as [string, string];
          return [{ kind, change }, n] as const;
        }) },
    ];
  }

  private register(prom: PromClient): void {
    const { prefix, registry } = this.options;
    for (const t of this.tallies()) {
      const counter: PromCounter = new prom.Counter({
        name: prefix + t.name, help: t.help, labelNames: t.labelNames, registers: [registry],
        collect: () => {
          counter.reset();
          for (const [labels, n] of t.read()) counter.inc(labels, n);
        },
      });
    }
    registry.registerMetric(new HistogramMetric(`${prefix}handler_duration_seconds`, 'How long handler attempts took, per subscription.', this.deliveries) as never);
    registerSampled(prom, this.host, this.options);
    this.registered = [...this.tallies().map((t) => t.name), 'handler_duration_seconds', ...sampledNames(), 'durable_backlog'].map((n) => prefix + n);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
