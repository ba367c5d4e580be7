import type { MeshEvent } from '../event/mesh-event.js';
import type { MeshSubscription } from './subscription.js';

/** The round-robin position of one set of members. */
export class Turn {
  next = 0;
}

/** A member's place in its group: its order of joining, and its share of the key of a set of members. */
interface Membership {
  readonly order: number;
  readonly token: number;
}

/** Sets of members whose turns a group keeps; past this the turns start over (see `turnOf`). */
const MAX_TURNS = 1024;

/**
 * One group's members and their turns, shared by every route the group appears in.
 *
 * An event goes to one of the members that accept it, and which members accept it
 * depends on the event (patterns, filters), so one position for the whole group would
 * let members that do not take an event pass their turn to the next one that does:
 * a member after several that rarely accept would get most events. Turns are kept
 * per set of accepting members instead, so each set rotates evenly over exactly
 * its members. A set is named by the XOR of its members' tokens; tokens are
 * fixed per membership (a subscription that leaves and comes back is a new
 * member), so a key names one set for the life of the group.
 */
export class GroupCursor {
  private readonly members = new Map<MeshSubscription, Membership>();
  private readonly turns = new Map<number, Turn>();
  private joined = 0;
  /** Route indexes of the members accepting the event being picked for (reused: picking runs no user code, so never re-enters). */
  readonly accepting: number[] = [];

  constructor(readonly name: string) {}

  join(sub: MeshSubscription): void {
    const order = this.joined++;
    this.members.set(sub, { order, token: tokenOf(order) });
  }

  /** Returns true when the group has no member left. */
  leave(sub: MeshSubscription): boolean {
    this.members.delete(sub);
    return this.members.size === 0;
  }

  /** Members in the order they joined: every route lists a set of members alike, so their turns mean the same. */
  ordered(members: MeshSubscription[]): MeshSubscription[] {
    return members.sort((a, b) => this.membership(a).order - this.membership(b).order);
  }

  tokenOf(sub: MeshSubscription): number {
    return this.membership(sub).token;
  }

  /**
   * The turn of the set of members named `key`. Sets that stopped occurring (a member
   * left) are not tracked down: past MAX_TURNS sets, all start over at 0.
   */
  turnOf(key: number): Turn {
    let turn = this.turns.get(key);
    if (turn === undefined) {
      if (this.turns.size >= MAX_TURNS) this.turns.clear();
      this.turns.set(key, (turn = new Turn()));
    }
    return turn;
  }

  private membership(sub: MeshSubscription): Membership {
    return this.members.get(sub) as Membership;
  }
}

/** A 32-bit mix of the join order (murmur3's finaliser): one member's token, so a set's key is unlikely to be another's. */
function tokenOf(order: number): number {
  let h = (order + 1) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The members of one group that a topic matches. */
export interface GroupRoute {
  readonly cursor: GroupCursor;
  /** In the order they joined the group. */
  readonly members: readonly MeshSubscription[];
  /** Each member's token (same index). */
  readonly tokens: readonly number[];
  /** The turn of all `members` together: used as is when no member has a filter. */
  readonly all: Turn;
  /** True when some member has a filter: which members accept is then decided per event. */
  readonly filtered: boolean;
}

/** The route of one group: members in joining order, with their tokens and the turn of the whole set. */
export function groupRoute(cursor: GroupCursor, matched: MeshSubscription[]): GroupRoute {
  const members = cursor.ordered(matched);
  const tokens = members.map((m) => cursor.tokenOf(m));
  let key = 0;
  for (const token of tokens) key ^= token;
  return { cursor, members, tokens, all: cursor.turnOf(key), filtered: members.some((m) => m.filter !== undefined) };
}

/**
 * The one member of the group that takes the event: the next one round-robin among
 * the members that accept it; undefined when none does. The caller delivers to it (or,
 * for a member standing for a remote subscription, collects it as a destination).
 */
export function pickMember(group: GroupRoute, event: MeshEvent): MeshSubscription | undefined {
  if (group.filtered) return pickAccepting(group, event);
  // No filters: every live member accepts, the route's own set rotates (the common case, one counter).
  const members = group.members;
  const n = members.length;
  const start = group.all.next++ % n;
  for (let i = 0; i < n; i++) {
    const member = members[(start + i) % n] as MeshSubscription;
    if (member.live) return member;
  }
  return undefined;
}

/**
 * With filters: the members accepting this event are found (one filter call per
 * member), and the turn of exactly that set picks among them. Allocates nothing
 * once a set has been seen.
 */
function pickAccepting(group: GroupRoute, event: MeshEvent): MeshSubscription | undefined {
  const { members, tokens, cursor } = group;
  const accepting = cursor.accepting;
  let count = 0;
  let key = 0;
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as MeshSubscription;
    if (m.live && (m.filter === undefined || m.filter(event))) {
      accepting[count++] = i;
      key ^= tokens[i] as number;
    }
  }
  if (count <= 1) return count === 0 ? undefined : members[accepting[0] as number];
  const turn = cursor.turnOf(key);
  return members[accepting[turn.next++ % count] as number];
}

/** True when some member of the group would take the event (used to find responders). */
export function groupAccepts(group: GroupRoute, event: MeshEvent): boolean {
  for (const m of group.members) if (m.live && (m.filter === undefined || m.filter(event))) return true;
  return false;
}
