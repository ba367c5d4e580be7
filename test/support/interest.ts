import type { Mesh } from '../../src/index.js';
import type { RemoteTarget } from '../../src/delivery/subscription.js';
import { kernelOf } from '../../src/mesh/mesh.js';

/**
 * The remote subscriptions an event of `topic` published on `mesh` would be forwarded to,
 * as far as `mesh` has learnt them (`node:sub`, sorted): what a test waits on with `until`
 * instead of giving interest a turn of the event loop to propagate.
 */
export function remoteInterest(mesh: Mesh, topic: string): string[] {
  const route = kernelOf(mesh).table.route(topic);
  const subs = [...(route.remote ?? []), ...(route.groups ?? []).flatMap((g) => g.members)];
  return subs
    .map((s) => s.remote)
    .filter((r): r is RemoteTarget => r !== undefined)
    .map((r) => `${r.node}:${r.sub}`)
    .sort();
}

/** The nodes `remoteInterest` names. */
export function remoteNodes(mesh: Mesh, topic: string): string[] {
  return [...new Set(remoteInterest(mesh, topic).map((t) => t.slice(0, t.indexOf(':'))))];
}
