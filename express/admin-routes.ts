import type { ServerResponse } from 'node:http';
import { MeshError, type Mesh, type MeshSnapshot } from '../src/index.js';
import { metricsRegistryOf } from '../src/internal.js';
import type { ResolvedAdminOptions } from './admin-options.js';
import { problemOf, sendProblem } from './problem.js';

/** Answers JSON that no cache may keep: it is this node's state now. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** `GET /`: the snapshot, with each durable's backlog read first (bounded by the health timeout). */
export async function snapshot(mesh: Mesh, opts: ResolvedAdminOptions, res: ServerResponse): Promise<void> {
  if (opts.backlog) await within(mesh.backlog(), opts.health.timeout);
  sendJson(res, 200, mesh.inspect());
}

/** `GET /subscriptions` and `GET /peers`: one part of the snapshot, in an object so fields can be added. */
export function part(mesh: Mesh, key: 'subscriptions' | 'peers', res: ServerResponse): void {
  const s: MeshSnapshot = mesh.inspect();
  sendJson(res, 200, { id: s.id, [key]: s[key] });
}

/** `GET /metrics`: the registry's exposition text, in the registry's own content type. */
export async function metrics(mesh: Mesh, res: ServerResponse): Promise<void> {
  const registry = metricsRegistryOf(mesh);
  if (registry === undefined) {
    // 404: there is no metrics resource here, and the code says which option makes one.
    const err = new MeshError('ERR_MESH_INVALID_OPTIONS', 'This mesh has no metrics: turn them on with createMesh({ metrics: { registry } }) (a prom-client Registry)', {
      details: { option: 'metrics' },
    });
    sendProblem(res, problemOf(err, undefined, 404));
    return;
  }
  const text = await registry.metrics();
  res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Waits for `work` at most `ms`; a store slower than that leaves the last reading in place. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
