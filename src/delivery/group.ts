import type { MeshEvent } from '../event/mesh-event.js';
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
 * The one member of the group that takes the event: the next one round-robin whose
 * filter accepts it; undefined when none does. The caller delivers to it (or, for a
 * member standing for a remote subscription, collects it as a destination).
 */
export function pickMember(group: GroupRoute, event: MeshEvent): MeshSubscription | undefined {
  const members = group.members;
  const n = members.length;
  const start = group.cursor.next++ % n;
  for (let i = 0; i < n; i++) {
    const member = members[(start + i) % n] as MeshSubscription;
    if (member.live && (member.filter === undefined || member.filter(event))) return member;
  }
  return undefined;
}

/** True when some member of the group would take the event (used to find responders). */
export function groupAccepts(group: GroupRoute, event: MeshEvent): boolean {
  for (const m of group.members) if (m.live && (m.filter === undefined || m.filter(event))) return true;
  return false;
}
