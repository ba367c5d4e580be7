import type { MeshEvent } from '../event/mesh-event.js';
import { deliverMatched } from './dispatcher.js';
import type { MeshSubscription } from './subscription.js';

/** Round-robin position of one group, shared by every route the group appears in. */
export class GroupCursor {
  next = 0;
  constructor(readonly name: string) {}
}

/** The members of one group that a topic matches. */
export interface GroupRoute {
  readonly cursor: GroupCursor;
  readonly members: readonly MeshSubscription[];
}

/**
 * Gives the event to exactly one member of the group: the next one round-robin
 * whose filter accepts it. Returns false when no member takes it.
 */
export function deliverToGroup(group: GroupRoute, event: MeshEvent): boolean {
  const members = group.members;
  const n = members.length;
  const start = group.cursor.next++ % n;
  for (let i = 0; i < n; i++) {
    const member = members[(start + i) % n] as MeshSubscription;
    if (member.live && (member.filter === undefined || member.filter(event))) {
      deliverMatched(member, event);
      return true;
    }
  }
  return false;
}

/** True when some member of the group would take the event (used to find responders). */
export function groupAccepts(group: GroupRoute, event: MeshEvent): boolean {
  for (const m of group.members) if (m.live && (m.filter === undefined || m.filter(event))) return true;
  return false;
}
