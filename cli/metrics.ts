import type { MetricsRegistry } from '../src/index.js';
import { loadDependency } from '../src/internal.js';
import { CliError, EXIT } from './exit-codes.js';

interface PromClient {
  Registry: new () => MetricsRegistry;
  collectDefaultMetrics(options: { register: MetricsRegistry }): void;
}

/**
 * A prom-client registry with the process's default metrics (CPU, memory, event loop lag,
 * which matter for a node of its own) for `--metrics`. prom-client is an optional peer:
 * missing, `--metrics` is a configuration this install cannot serve, exit code 2.
 */
export async function metricsRegistry(): Promise<MetricsRegistry> {
  let prom: PromClient;
  try {
    const loaded = await loadDependency<PromClient & { default?: PromClient }>('prom-client', 'evmesh node --metrics');
    prom = loaded.default ?? loaded;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(EXIT.usage, `--metrics: ${message}`, { cause: err });
  }
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  return registry;
}
