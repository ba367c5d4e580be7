import { MeshError } from '../errors.js';
import type { DeliveryOutcome, HookSubscription } from '../hooks/hook-list.js';
import { loadDependency } from '../store/load-dependency.js';
import type { MetricsHost } from './metrics-host.js';
import type { ResolvedMetricsOptions } from './metrics-options.js';
import type { Labels, PromClient, PromCounter, PromHistogram } from './prom-types.js';
import { registerSampled, sampledNames } from './sampled-metrics.js';

const COUNTED_NAMES = ['events_published_total', 'deliveries_total', 'handler_duration_seconds', 'requests_total', 'errors_total', 'link_changes_total'];

/** Prefixes taken per registry: prom-client registers the metrics only once it has loaded. */
const claims = new WeakMap<object, Set<string>>();

/** Counted before prom-client was loaded (the first milliseconds of a mesh): replayed once it is. */
const EARLY_LIMIT = 10_000;

interface Counted {
  readonly published: PromCounter;
  readonly deliveries: PromCounter;
  readonly duration: PromHistogram;
  readonly requests: PromCounter;
  readonly errors: PromCounter;
  readonly links: PromCounter;
}

/**
 * A mesh's Prometheus metrics. The counting ones attach to the mesh's hooks at once;
 * prom-client is loaded in the background (`ready`, awaited by `start()`), and what was
 * counted before it loaded is replayed. The sampled ones (queues, peers, backlog) read
 * the mesh at scrape time, so nothing is paid for them between scrapes.
 */
export class MeshMetrics {
  readonly ready: Promise<void>;
  private counted: Counted | undefined = undefined;
  private early: ((c: Counted) => void)[] | undefined = [];
  /** Label objects per subscription, made once: prom-client keys series by them on every count. */
  private readonly labels = new WeakMap<HookSubscription, Record<DeliveryOutcome | 'duration', Labels>>();

  constructor(private readonly host: MetricsHost, readonly options: ResolvedMetricsOptions) {
    const claimed = claims.get(options.registry) ?? new Set<string>();
    if (claimed.has(options.prefix) || options.registry.getSingleMetric(`${options.prefix}events_published_total`) !== undefined) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `metrics: this registry already holds ${options.prefix}* metrics (another mesh's?): give each mesh its own registry or prefix`, {
        details: { option: 'metrics.prefix', prefix: options.prefix },
      });
    }
    claimed.add(options.prefix);
    claims.set(options.registry, claimed);
    this.attach();
    this.ready = loadDependency<PromClient & { default?: PromClient }>('prom-client', 'createMesh({ metrics })').then((mod) => {
      this.bind(mod.default ?? mod);
    });
    // start() reports a failure to load; until then it must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  get registry(): ResolvedMetricsOptions['registry'] {
    return this.options.registry;
  }

  /** The mesh closed: its metrics leave the registry (a new mesh may take the prefix). */
  close(): void {
    const { registry, prefix } = this.options;
    this.early = undefined;
    claims.get(registry)?.delete(prefix);
    for (const name of this.names) registry.removeSingleMetric(name);
  }

  /** Names of the metrics registered, once prom-client has loaded. */
  private get names(): string[] {
    if (this.counted === undefined) return [];
    const prefix = this.options.prefix;
    return [...COUNTED_NAMES, ...sampledNames(), 'durable_backlog'].map((n) => prefix + n);
  }

  private count(fn: (c: Counted) => void): void {
    if (this.counted !== undefined) fn(this.counted);
    else if (this.early !== undefined && this.early.length < EARLY_LIMIT) this.early.push(fn);
  }

  private attach(): void {
    const hooks = this.host.hooks;
    const typeLabel = this.options.typeLabel;
    hooks.add('onPublish', (event) => this.count((c) => c.published.inc(typeLabel ? { type: event.type } : {})));
    hooks.add('onSettle', (_event, sub, outcome, ms) => {
      const labels = this.labelsOf(sub);
      this.count((c) => {
        c.deliveries.inc(labels[outcome]);
        c.duration.observe(labels.duration, ms / 1000);
      });
    });
    hooks.add('onRequestDone', (outcome) => this.count((c) => c.requests.inc({ outcome })));
    hooks.add('onReport', (error) => this.count((c) => c.errors.inc({ code: error.code })));
    hooks.add('onLinkUp', (party) => this.count((c) => c.links.inc({ kind: party.kind, change: 'up' })));
    hooks.add('onLinkDown', (party) => this.count((c) => c.links.inc({ kind: party.kind, change: 'down' })));
  }

  private labelsOf(sub: HookSubscription): Record<DeliveryOutcome | 'duration', Labels> {
    let labels = this.labels.get(sub);
    if (labels === undefined) {
      const subscription = sub.name;
      labels = {
        ok: { subscription, outcome: 'ok' }, failed: { subscription, outcome: 'failed' },
        retried: { subscription, outcome: 'retried' }, dead_lettered: { subscription, outcome: 'dead_lettered' },
        duration: { subscription },
      };
      this.labels.set(sub, labels);
    }
    return labels;
  }

  private bind(prom: PromClient): void {
    const { prefix, registry, buckets, typeLabel } = this.options;
    const registers = [registry];
    const counted: Counted = {
      published: new prom.Counter({ name: `${prefix}events_published_total`, help: 'Events published on this node.', labelNames: typeLabel ? ['type'] : [], registers }),
      deliveries: new prom.Counter({
        name: `${prefix}deliveries_total`, help: 'Handler attempts, by subscription and how they ended.', labelNames: ['subscription', 'outcome'], registers,
      }),
      duration: new prom.Histogram({
        name: `${prefix}handler_duration_seconds`, help: 'How long handler attempts took, per subscription.', labelNames: ['subscription'], buckets, registers,
      }),
      requests: new prom.Counter({ name: `${prefix}requests_total`, help: 'Requests asked on this node, by how they ended.', labelNames: ['outcome'], registers }),
      errors: new prom.Counter({ name: `${prefix}errors_total`, help: 'Errors the mesh reported, by code.', labelNames: ['code'], registers }),
      links: new prom.Counter({ name: `${prefix}link_changes_total`, help: 'Peer links and stock client sessions that came up or went down.', labelNames: ['kind', 'change'], registers }),
    };
    registerSampled(prom, this.host, this.options);
    const early = this.early ?? [];
    this.early = undefined;
    this.counted = counted;
    for (const fn of early) fn(counted);
  }
}
