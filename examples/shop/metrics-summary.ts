import type { Registry } from 'prom-client';

/** One line from a node's Prometheus registry: what a dashboard would show for it. */
export async function metricsSummary(registry: Registry): Promise<string> {
  const values = async (name: string): Promise<{ labels: Record<string, unknown>; value: number }[]> =>
    (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const published = (await values('evmesh_events_published_total')).reduce((n, v) => n + v.value, 0);
  const requests = (await values('evmesh_requests_total')).map((v) => `${String(v.labels['outcome'])} ${String(v.value)}`).sort();
  const peers = (await values('evmesh_peers'))[0]?.value ?? 0;
  return `metrics: ${String(published)} events published, requests ${requests.join(', ')}, ${String(peers)} peer(s) linked`;
}
