import type { RemoteTarget } from './subscription.js';

/** Where one event goes beyond this node: node id → its subscription ids there (PROTOCOL §5.2). */
export type Destinations = Record<string, string[]>;

/** Adds `target` to `dest` (made on first use: most events have no remote destination). */
export function addDestination(dest: Destinations | undefined, target: RemoteTarget): Destinations {
  const out = dest ?? {};
  (out[target.node] ??= []).push(target.sub);
  return out;
}
