import { MeshError } from '../errors.js';

/**
 * The part of a prom-client `Registry` the mesh uses. Structural, so the public types
 * do not name prom-client (an optional peer dependency).
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** `createMesh({ metrics })`: Prometheus metrics through prom-client. */
export interface MetricsOptions {
  /** The prom-client `Registry` the metrics are registered in (one mesh per registry and prefix). */
  readonly registry: MetricsRegistry;
  /** Prepended to every metric name. @default 'evmesh_' */
  readonly prefix?: string;
  /**
   * Opt in to the event `type` as a label of `events_published_total`. Off by default:
   * types are as many as the publishers make, and every label value is a time series.
   * @default false
   */
  readonly typeLabel?: boolean;
  /** Buckets of `handler_duration_seconds`, in seconds. @default 0.0005 … 10 */
  readonly buckets?: readonly number[];
}

export interface ResolvedMetricsOptions {
  readonly registry: MetricsRegistry;
  readonly prefix: string;
  readonly typeLabel: boolean;
  readonly buckets: readonly number[];
}

const DEFAULT_BUCKETS = Object.freeze([0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', `metrics: ${message}`, { details: { option: 'metrics' } });
}

/** Validates `metrics` at createMesh, so a mistake throws there and not at the first scrape. */
export function resolveMetricsOptions(value: unknown): ResolvedMetricsOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw invalid('expected { registry }');
  const { registry, prefix = 'evmesh_', typeLabel = false, buckets = DEFAULT_BUCKETS } = value as Record<string, unknown>;
  const r = registry as Partial<MetricsRegistry> | undefined;
  if (typeof r?.registerMetric !== 'function' || typeof r.metrics !== 'function' || typeof r.getSingleMetric !== 'function' || typeof r.removeSingleMetric !== 'function') {
    throw invalid('registry must be a prom-client Registry');
  }
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(prefix)) throw invalid('prefix must be a Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  if (typeof typeLabel !== 'boolean') throw invalid('typeLabel must be a boolean');
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.some((b, i) => typeof b !== 'number' || !(b > 0) || (i > 0 && b <= (buckets[i - 1] as number)))) {
    throw invalid('buckets must be increasing positive numbers');
  }
  return { registry: r as MetricsRegistry, prefix, typeLabel, buckets: [...(buckets as number[])] };
}
