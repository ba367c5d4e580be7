import type { StoreHandler } from './store.js';

/** A consumer attached to a durable, with the deliveries it holds against its prefetch. */
export interface RingConsumer {
  readonly handler: StoreHandler;
  readonly prefetch: number;
  inflight: number;
}

/**
 * The consumers of one durable inside a store instance, served round-robin among
 * those with prefetch left, so meshes sharing the durable share its work evenly.
 */
export class ConsumerRing {
  private readonly members: RingConsumer[] = [];
  private next = 0;

  get size(): number {
    return this.members.length;
  }

  /** Deliveries handed to the consumers and not settled yet, across all of them. */
  get inflight(): number {
    let n = 0;
    for (const c of this.members) n += c.inflight;
    return n;
  }

  /** Attaches a consumer; the function returned detaches it. */
  add(handler: StoreHandler, prefetch: number): () => void {
    const consumer: RingConsumer = { handler, prefetch, inflight: 0 };
    this.members.push(consumer);
    return () => {
      const at = this.members.indexOf(consumer);
      if (at >= 0) this.members.splice(at, 1);
    };
  }

  /** The next consumer after the last one picked that can take one more delivery. */
  pick(): RingConsumer | undefined {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const c = this.members[(this.next + i) % n] as RingConsumer;
      if (c.inflight < c.prefetch) {
        this.next = (this.next + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }
}
