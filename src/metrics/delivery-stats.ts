import type { DeliveryOutcome } from '../hooks/hook-list.js';

/** What one subscription name's handler attempts came to: counts by outcome and a duration histogram. */
export interface DeliveryStats {
  readonly outcomes: Record<DeliveryOutcome, number>;
  /** Per bucket (the last is +Inf), attempts whose duration fell in it (not cumulative). */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * Counts per subscription name in plain fields: one Map lookup and a few increments per
 * attempt, where prom-client's `inc`/`observe` would hash the labels each time. The
 * Prometheus metrics read these at scrape time. Names are kept after their subscriptions
 * end: counters never go back.
 */
export class DeliveryCounts {
  readonly byName = new Map<string, DeliveryStats>();

  constructor(readonly bounds: readonly number[]) {}

  settle(name: string, outcome: DeliveryOutcome, seconds: number): void {
    let stats = this.byName.get(name);
    if (stats === undefined) {
      stats = { outcomes: { ok: 0, failed: 0, retried: 0, dead_lettered: 0 }, buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.byName.set(name, stats);
    }
    stats.outcomes[outcome]++;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    (stats.buckets as unknown as number[])[i]++;
    stats.sum += seconds;
    stats.count++;
  }
}
