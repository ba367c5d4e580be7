import type { Pool } from 'pg';
import type { MeshEvent, StoreHandler } from '../../src/index.js';
import { ConsumerRing, decodeStoredEvent, type RingConsumer } from '../../src/internal.js';
import { RELAY_DURABLE, unmark } from './outbox-mark.js';
import type { Statements } from './sql.js';

export interface ReaderSetup {
  readonly durable: string;
  /** This reader's name on the deliveries it holds; unique per store instance and durable. */
  readonly owner: string;
  readonly lease: number;
  /** Most events per claim. */
  readonly prefetch: number;
  /** Longest wait between looks while rows are held back by a transaction still inserting into the table. */
  readonly pollInterval: number;
  readonly channel: string;
  readonly sql: Statements;
  readonly pool: () => Pool | undefined;
  readonly report: (err: unknown) => void;
}

interface Entry {
  readonly pos: string;
  readonly event: MeshEvent;
}

/** A claimed event and the hi of its range, or a marker (pos null): event 'more' (claim again) or 'held' (look again soon). */
type ClaimRow = { pos: string | null; event: string; rng: string | null };

/** A leased range of the durable (its deliveries row, by hi) and its positions not yet acknowledged. */
interface Range {
  readonly hi: string;
  readonly left: Set<string>;
}

const HELD_FIRST = 2;

/**
 * Feeds one durable's consumers in this store instance. Claims batches with the
 * claim function (expired ranges first, then new events; each batch one range row in
 * the deliveries table, under this reader's owner name with a lease: claim.ts), hands
 * them out round-robin within the consumers' prefetch, deletes a range row once every
 * event of it was acknowledged (batched per event-loop turn), renews the leases of what
 * it holds every third of the lease, and hands back what a consumer refused or left
 * behind (release.ts). Other store instances (other processes) run their own readers on
 * the same durable: the locked cursor and the deliveries table keep each event with
 * one of them.
 */
export class DurableReader {
  private readonly ring = new ConsumerRing();
  private capacity = 0;
  private queue: Entry[] = [];
  private claiming = false;
  private woken = false;
  private atEnd = false;
  private acks: string[] = [];
  /** Held ranges by hi, and the range of each position held. */
  private readonly ranges = new Map<string, Range>();
  private readonly rangeOf = new Map<string, Range>();
  private ackPlanned = false;
  private retry: NodeJS.Timeout | undefined;
  private heldDelay = HELD_FIRST;
  private readonly renewal: NodeJS.Timeout;
  private readonly work = new Set<Promise<unknown>>();
  private closed = false;
  /** Only the outbox relay reads the outbox mark; every other durable gets the event as published. */
  private readonly unmarks: boolean;

  constructor(private readonly setup: ReaderSetup) {
    this.unmarks = setup.durable !== RELAY_DURABLE;
    this.renewal = setInterval(() => this.renew(), Math.max(10, Math.floor(setup.lease / 3)));
    this.renewal.unref();
  }

  get attached(): number {
    return this.ring.size;
  }

  attach(handler: StoreHandler, prefetch: number): () => void {
    const detach = this.ring.add(handler, prefetch);
    this.capacity += prefetch;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      detach();
      this.capacity -= prefetch;
      if (this.ring.size === 0 && this.queue.length > 0) {
        // Claimed for consumers that are gone: back to the durable for whoever comes.
        const left = this.queue.map((e) => e.pos);
        this.queue = [];
        this.release(left);
      }
    };
  }

  /** Events may have been appended: look again. */
  wake(): void {
    this.atEnd = false;
    if (this.claiming) this.woken = true;
    this.pump();
  }

  /** Delivers what it holds while a consumer has room; claims more once half the room is free. */
  pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0) {
      const consumer = this.ring.pick();
      if (consumer === undefined) return;
      this.deliver(consumer, this.queue.shift() as Entry);
    }
    const held = this.ring.inflight;
    const room = this.capacity - held;
    if (!this.atEnd && !this.claiming && room > 0 && held <= this.capacity / 2) this.claim(Math.min(room, this.setup.prefetch));
  }

  /** Store closing: acknowledgements written, everything still held handed back. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.renewal);
    clearTimeout(this.retry);
    await Promise.allSettled([...this.work]);
    await this.flushAcks();
    this.queue = [];
    const his = [...this.ranges.keys()];
    const freed = [...this.rangeOf.keys()];
    this.ranges.clear();
    this.rangeOf.clear();
    if (his.length > 0) await this.track(this.releaseQuery(his, freed, [])).catch(this.setup.report);
  }

  private deliver(consumer: RingConsumer, entry: Entry): void {
    consumer.inflight++;
    consumer.handler(entry.event).then(() => {
      consumer.inflight--;
      this.ack(entry.pos);
      this.pump();
    }, () => {
      consumer.inflight--;
      this.handBack(entry);
    });
  }

  private claim(limit: number): void {
    this.claiming = true;
    this.woken = false;
    const { durable, owner, lease, sql } = this.setup;
    // The ranges acknowledged since the last flush go with the claim (the flush planned finds nothing).
    const done = this.acks;
    this.acks = [];
    this.track(this.query<ClaimRow>(sql.claim, [durable, owner, limit, lease, done])).then((rows) => {
      let claimed = 0;
      let heldBack = false;
      let more = false;
      // Every position is in its range before any is acknowledged (an undecodable one is, at once).
      for (const row of rows) if (row.pos !== null) this.hold(row.pos, row.rng as string);
      for (const row of rows) {
        if (row.pos !== null) {
          claimed++;
          this.accept(row.pos, row.event);
        } else if (row.event === 'held') heldBack = true;
        else more = true;
      }
      // A short batch: nothing more to take until something is appended (or the poll).
      this.atEnd = claimed < limit && !more && !this.woken;
      if (heldBack) {
        this.later(this.heldDelay);
        this.heldDelay = Math.min(this.heldDelay * 2, this.setup.pollInterval);
      } else {
        this.heldDelay = HELD_FIRST;
      }
    }, (err: unknown) => {
      this.setup.report(err);
      this.unsent(done);
      // Not at once from the finally below (a microtask loop while the store is down): the retry wakes it.
      this.atEnd = true;
      this.later(200);
    }).finally(() => {
      this.claiming = false;
      this.pump();
      if (!this.claiming && this.acks.length > 0) this.planFlush();
    });
  }

  private hold(pos: string, hi: string): void {
    let range = this.ranges.get(hi);
    if (range === undefined) this.ranges.set(hi, (range = { hi, left: new Set() }));
    range.left.add(pos);
    this.rangeOf.set(pos, range);
  }

  /** Decodes a claimed row; one that is not an event is reported and acknowledged, never retried for ever. */
  private accept(pos: string, text: string): void {
    if (this.closed) return;
    try {
      const event = decodeStoredEvent(text);
      if (this.unmarks) unmark(event);
      this.queue.push({ pos, event });
    } catch (err) {
      this.setup.report(err);
      this.ack(pos);
    }
  }

  /** Looks again after `ms` (held-back rows, a failed claim). */
  private later(ms: number): void {
    if (this.closed || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.wake();
    }, ms);
  }

  private handBack(entry: Entry): void {
    if (this.closed) return;
    if (this.ring.size > 0) {
      this.queue.unshift(entry);
      // A later turn: a consumer that keeps refusing must not spin the microtask queue.
      setImmediate(() => this.pump());
    } else {
      this.release([entry.pos]);
    }
  }

  /**
   * Hands `positions` back: their ranges become single positions, these expired at once,
   * the others still held (in a handler) under a range of their own.
   */
  private release(positions: string[]): void {
    const touched = new Set<Range>();
    const freed: string[] = [];
    for (const pos of positions) {
      const range = this.rangeOf.get(pos);
      if (range === undefined) continue;
      touched.add(range);
      freed.push(pos);
      this.rangeOf.delete(pos);
      range.left.delete(pos);
    }
    if (touched.size === 0) return;
    const his: string[] = [];
    const kept: string[] = [];
    for (const range of touched) {
      his.push(range.hi);
      this.ranges.delete(range.hi);
      for (const pos of range.left) {
        kept.push(pos);
        this.hold(pos, pos);
      }
    }
    this.track(this.releaseQuery(his, freed, kept)).catch(this.setup.report);
  }

  private releaseQuery(his: string[], freed: string[], kept: string[]): Promise<unknown> {
    const { durable, owner, lease, channel, sql } = this.setup;
    return this.query(sql.release, [durable, owner, his, freed, kept, lease, channel]);
  }

  /** A position handled: its range goes once it has none left. */
  private ack(pos: string): void {
    const range = this.rangeOf.get(pos);
    // Handed back meanwhile: it comes again (at least once).
    if (range === undefined) return;
    this.rangeOf.delete(pos);
    range.left.delete(pos);
    if (range.left.size > 0) return;
    this.ranges.delete(range.hi);
    this.acks.push(range.hi);
    // A claim out now: its end claims again with these, or flushes them (finally in claim()).
    if (!this.claiming) this.planFlush();
  }

  private planFlush(): void {
    if (this.ackPlanned) return;
    this.ackPlanned = true;
    setImmediate(() => {
      this.ackPlanned = false;
      void this.flushAcks();
    });
  }

  private async flushAcks(): Promise<void> {
    if (this.acks.length === 0) return;
    const batch = this.acks;
    this.acks = [];
    try {
      await this.track(this.query(this.setup.sql.ack, [this.setup.durable, batch]));
    } catch (err) {
      this.setup.report(err);
      this.unsent(batch);
    }
  }

  /** Kept, and sent again: a range row left behind would be renewed by this owner for ever. */
  private unsent(his: string[]): void {
    if (his.length === 0) return;
    this.acks.unshift(...his);
    if (!this.closed) setTimeout(() => void this.flushAcks(), 200).unref();
  }

  private renew(): void {
    if (this.ring.inflight === 0 && this.queue.length === 0) return;
    const { durable, owner, lease, sql } = this.setup;
    this.track(this.query(sql.renew, [durable, owner, lease])).catch(this.setup.report);
  }

  private async query<R = unknown>(text: string, values: unknown[]): Promise<R[]> {
    const pool = this.setup.pool();
    if (pool === undefined) throw new Error('the store is not open');
    return (await pool.query(text, values)).rows as R[];
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    void work.finally(() => this.work.delete(work)).catch(() => undefined);
    return work;
  }
}
