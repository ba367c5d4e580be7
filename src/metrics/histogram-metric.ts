import type { DeliveryCounts } from './delivery-stats.js';

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * `handler_duration_seconds` as prom-client's registry reads a metric: an object with
 * `name`, `help`, `type`, `aggregator` and `get()` giving the samples, the shape its own
 * Histogram returns (`_bucket` per `le`, cumulative, then `_sum` and `_count`). Its values
 * come from DeliveryCounts, so an observation costs a few increments instead of a label
 * hash; the test suite checks the text the real registry writes from it.
 */
export class HistogramMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(readonly name: string, readonly help: string, private readonly counts: DeliveryCounts) {}

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    const bounds = this.counts.bounds;
    for (const [subscription, stats] of this.counts.byName) {
      let acc = 0;
      for (let i = 0; i <= bounds.length; i++) {
        acc += stats.buckets[i] as number;
        values.push({ labels: { le: i < bounds.length ? (bounds[i] as number) : '+Inf', subscription }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { subscription }, value: stats.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { subscription }, value: stats.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** prom-client's `registry.resetMetrics()` calls it; counts are the mesh's, kept. */
  reset(): void {}
}
