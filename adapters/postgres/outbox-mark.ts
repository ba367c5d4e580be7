import type { MeshEvent } from '../../src/index.js';

/**
 * The extension attribute that marks a row inserted by `outbox(mesh).publish`: the
 * relay routes live only the events that carry it (everything else a mesh appended
 * was routed live by its publisher already). Reserved: an event published with it
 * through `mesh.publish` would be routed live twice.
 */
export const OUTBOX_MARK = 'evmeshoutbox';

/** The durable every mesh's outbox relay consumes, so the store's leases share the relaying among them. */
export const RELAY_DURABLE = 'evmesh:outbox-relay';

/** Removes the mark from a decoded event; true if it was there. Only outbox events pay for the delete. */
export function unmark(event: MeshEvent): boolean {
  if (event[OUTBOX_MARK] === undefined) return false;
  delete event[OUTBOX_MARK];
  return true;
}
