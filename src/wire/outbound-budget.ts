/** An outbound queue sharing a budget: the bytes it holds, and how to drop its connection. */
export interface BudgetMember {
  /** Bytes charged to the budget: queued, plus handed to a socket that has not drained. */
  readonly heldBytes: number;
  /** Drops the connection (its bytes are released by its close). */
  shed(): void;
}

/**
 * A bound on the outbound bytes held across every connection of a node (each queue has
 * its own bound too; without this one the sum grows with the number of connections).
 * When a frame would pass it, the connections holding the most bytes (the slowest
 * readers) are dropped first, until the frame fits; if the one sending holds the most,
 * its frame is refused instead.
 */
export class OutboundBudget {
  private used = 0;
  private readonly members = new Set<BudgetMember>();

  constructor(readonly limit: number) {}

  get usedBytes(): number {
    return this.used;
  }

  join(member: BudgetMember): void {
    this.members.add(member);
  }

  leave(member: BudgetMember): void {
    this.members.delete(member);
  }

  /** Charges `bytes` for `asking`, shedding slower members to make room; false (nothing charged) if it is the slowest. */
  reserve(bytes: number, asking: BudgetMember): boolean {
    while (this.used + bytes > this.limit) {
      // A scan over the members only when the budget is full: rare, and each turn drops a connection.
      let victim: BudgetMember | undefined;
      let most = asking.heldBytes;
      for (const member of this.members) {
        if (member !== asking && member.heldBytes > most) {
          victim = member;
          most = member.heldBytes;
        }
      }
      if (victim === undefined) return false;
      this.members.delete(victim);
      victim.shed();
    }
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }
}
