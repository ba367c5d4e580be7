import { MeshError } from '../errors.js';
import { Fifo } from '../util/fifo.js';
import type { OutboundAction } from './interest.js';
import type { Link } from './link.js';

/** What a link is told about interest, in order: advertisements and withdrawals, then LISTEN after a table (PROTOCOL §4.3). */
export type InterestItem = OutboundAction | 'listen';

/**
 * Encoded bytes a link may hold unsent before its interest waits for it to drain. Well
 * under the link's own bound (8 MiB, PROTOCOL §1.5), so events keep room beside it.
 */
export const INTEREST_HIGH_WATER = 1024 * 1024;
/**
 * Interest items one link may have waiting for room. A table is one item per
 * subscription (plus churn), so only a peer that stopped reading for good gets here:
 * it is dropped as a slow reader, as its encoder would drop it.
 */
export const MAX_PENDING_INTEREST = 2_000_000;

/**
 * One link's interest, sent as the link takes it (PROTOCOL §4.7). The interest table
 * hands over a change to every subscription at once (a whole table when a link comes
 * up: ~200 B per subscription, 20 MB for 100k), more than the link's queue bound; sent
 * in one go it overflowed the bound, the link dropped, and the redial sent it all
 * again. Items keep their order (the receiver sees exactly the sequence the table
 * computed, only later); at most INTEREST_HIGH_WATER bytes wait in the link's encoder,
 * the rest here as the table's own objects (no bytes encoded ahead of time).
 */
export class InterestOutbox {
  private readonly pending = new Fifo<InterestItem>();
  private scheduled = false;
  private closed = false;
  private readonly resume = (): void => {
    this.scheduled = false;
    this.pump();
  };

  /** `write` puts one item on the link; `overflow` is told when MAX_PENDING_INTEREST is passed. */
  constructor(
    private readonly link: Link,
    private readonly write: (item: InterestItem) => void,
    private readonly overflow: (error: MeshError) => void,
  ) {
    link.onDrain = () => this.later();
  }

  push(item: InterestItem): void {
    if (this.closed) return;
    this.pending.push(item);
    if (this.pending.length > MAX_PENDING_INTEREST) {
      this.close();
      return this.overflow(new MeshError('ERR_MESH_WIRE_BACKPRESSURE', 'the peer is not reading its interest fast enough', {
        details: { pending: MAX_PENDING_INTEREST },
      }));
    }
    // Behind items already waiting, it waits its turn; the pump is scheduled already.
    if (this.pending.length === 1 && !this.scheduled) this.pump();
  }

  /** The link is gone: what waits is dropped (the peer relearns everything on its next link, §4.3). */
  close(): void {
    this.closed = true;
    this.link.onDrain = undefined;
  }

  private pump(): void {
    if (this.link.queuedBytes === undefined) {
      // A transport that does not say what it holds (in memory) takes everything now.
      for (let item = this.pending.shift(); item !== undefined && !this.closed; item = this.pending.shift()) this.write(item);
      return;
    }
    // Over the mark at the start of a task, the encoder is waiting for 'drain' (its flush
    // ran before this task): onDrain resumes. No polling meanwhile.
    if (this.held() >= INTEREST_HIGH_WATER) return;
    while (this.pending.length > 0 && !this.closed && this.held() < INTEREST_HIGH_WATER) this.write(this.pending.shift() as InterestItem);
    // Stopped at the mark within this task: the encoder has not flushed yet, so look again next task.
    this.later();
  }

  private held(): number {
    return this.link.queuedBytes?.() ?? 0;
  }

  private later(): void {
    if (this.scheduled || this.closed || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(this.resume);
  }
}
