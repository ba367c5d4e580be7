import type { Registry } from 'prom-client';

/** The value of one series of a metric in `registry` (0 when the series does not exist). */
export async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  const hit = values.find((v) => {
    const l = v.labels as Record<string, unknown>;
    return Object.keys(l).length === wanted.length && wanted.every(([k, x]) => String(l[k]) === x);
  });
  return hit?.value ?? 0;
}

/** Every series of a metric, as `labels → value` with labels written `k=v,k=v` (sorted). */
export async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const key = Object.entries(v.labels as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).sort().join(',');
    out[key] = v.value;
  }
  return out;
}
