/** The few prom-client classes and members the metrics use (prom-client is an optional peer). */
export type Labels = Record<string, string>;

interface MetricConfig {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly registers: readonly unknown[];
  readonly collect?: () => void | Promise<void>;
}

export interface PromCounter {
  inc(labels: Labels, value?: number): void;
  reset(): void;
}

export interface PromGauge {
  set(labels: Labels, value: number): void;
  reset(): void;
}

export interface PromHistogram {
  observe(labels: Labels, value: number): void;
}

export interface PromClient {
  readonly Counter: new (config: MetricConfig) => PromCounter;
  readonly Gauge: new (config: MetricConfig) => PromGauge;
  readonly Histogram: new (config: MetricConfig & { readonly buckets: readonly number[] }) => PromHistogram;
}
