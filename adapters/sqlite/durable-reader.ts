import type { MeshEvent, StoreHandler } from '../../src/index.js';
import { ConsumerRing, type RingConsumer } from '../../src/internal.js';

/** What a reader needs from the database; all synchronous (better-sqlite3). */
export interface LogSource {
  /**
   * Up to `limit` events matching the durable's pattern with seq > `after`, in seq
   * order; `event` undefined for a row that could not be decoded (already reported).
   */
  read(after: number, limit: number): { seq: number; event: MeshEvent | undefined }[];
  /** The highest seq in the log now. */
  lastSeq(): number;
  /** How many rows matching the durable's pattern have seq > `after`. */
  countAfter(after: number): number;
  /** Persists the durable's position (never moves it back). */
  save(position: number): void;
}

interface Entry {
  readonly seq: number;
  readonly event: MeshEvent;
}

type Row = { readonly seq: number; readonly event: MeshEvent | undefined };

const BATCH = 64;
const SAVE_EVERY = 20;

/**
 * Feeds one durable's consumers (in this store instance) from the log: a cursor
 * over what was read, the entries handed out and not yet acknowledged, and the
 * position, which only ever moves to just below the oldest unacknowledged entry,
 * so a crash redelivers what was in flight (at-least-once) and never skips it.
 * Position writes are a write transaction each, as dear as an append: they are
 * coalesced to one per SAVE_EVERY ms (a crash in between redelivers at most that
 * window's acknowledged events, which at-least-once allows) and flushed on close;
 * a pending write keeps the process alive until it is done.
 */
export class DurableReader {
  private readonly consumers = new ConsumerRing();
  private buffer: Row[] = [];
  private head = 0;
  /** Handed back unacknowledged, in seq order; offered again before the buffer. */
  private readonly returned: Entry[] = [];
  private readonly inflight = new Set<number>();
  private cursor: number;
  private saved: number;
  private saving = false;
  private pumping = false;
  private closed = false;
  /**
   * The last read reached the log's end: reading again finds nothing until rows are
   * appended, and every acknowledgement pumps, so without this each one would cost
   * an empty query (and a MAX(seq)) once the backlog is handed out. Cleared by `wake`.
   */
  private atEnd = false;

  constructor(private readonly source: LogSource, position: number, private readonly report: (err: unknown) => void) {
    this.cursor = position;
    this.saved = position;
  }

  /** Consumers attached now. */
  get attached(): number {
    return this.consumers.size;
  }

  /**
   * Events of the durable not acknowledged yet: matching rows after the cursor (not
   * read yet), read and not handed out, handed back, and handed out and not settled.
   */
  backlog(): number {
    let held = this.returned.length + this.inflight.size;
    for (let i = this.head; i < this.buffer.length; i++) if ((this.buffer[i] as Row).event !== undefined) held++;
    return this.source.countAfter(this.cursor) + held;
  }

  attach(handler: StoreHandler, prefetch: number): () => void {
    return this.consumers.add(handler, prefetch);
  }

  /** Delivers while some consumer has room and there is something to deliver. */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        const consumer = this.consumers.pick();
        if (consumer === undefined) return;
        const entry = this.take();
        if (entry === undefined) return;
        this.deliver(consumer, entry);
      }
    } catch (err) {
      // A failed read (the file went away, a lock timed out): nothing was handed
      // out for it; the next append or acknowledgement pumps again.
      this.report(err);
    } finally {
      this.pumping = false;
    }
  }

  /** Rows may have been appended (by this store, or seen by polling): read again, then pump. */
  wake(): void {
    this.atEnd = false;
    this.pump();
  }

  /** Writes the position now (store closing); later acknowledgements are not written. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private deliver(consumer: RingConsumer, entry: Entry): void {
    consumer.inflight++;
    this.inflight.add(entry.seq);
    consumer.handler(entry.event).then(() => {
      consumer.inflight--;
      this.inflight.delete(entry.seq);
      this.positionChanged();
      this.pump();
    }, () => {
      consumer.inflight--;
      this.inflight.delete(entry.seq);
      let at = this.returned.length;
      while (at > 0 && (this.returned[at - 1] as Entry).seq > entry.seq) at--;
      this.returned.splice(at, 0, entry);
      // A later turn: a consumer that keeps refusing must not spin the microtask queue.
      setImmediate(() => this.pump());
    });
  }

  private take(): Entry | undefined {
    if (this.returned.length > 0) return this.returned.shift();
    for (;;) {
      if (this.head >= this.buffer.length) this.refill();
      if (this.head >= this.buffer.length) return undefined;
      const row = this.buffer[this.head++] as Row;
      // An undecodable row was reported when read; skipping it lets the position pass it.
      if (row.event !== undefined) return row as Entry;
    }
  }

  private refill(): void {
    if (this.atEnd) return;
    const rows = this.source.read(this.cursor, BATCH);
    this.buffer = rows;
    this.head = 0;
    if (rows.length > 0) this.cursor = (rows[rows.length - 1] as Row).seq;
    // A short batch read the log to its end: rows after the last match did not match,
    // so the cursor (and with nothing pending, the position) moves past them.
    if (rows.length < BATCH) {
      this.atEnd = true;
      this.cursor = Math.max(this.cursor, this.source.lastSeq());
      this.positionChanged();
    }
  }

  /** Everything at or below the result is acknowledged (or did not match). */
  private position(): number {
    let lowest = this.cursor + 1;
    for (const seq of this.inflight) if (seq < lowest) lowest = seq;
    if (this.returned.length > 0) lowest = Math.min(lowest, (this.returned[0] as Entry).seq);
    if (this.head < this.buffer.length) lowest = Math.min(lowest, (this.buffer[this.head] as Row).seq);
    return lowest - 1;
  }

  private positionChanged(): void {
    if (this.saving || this.closed) return;
    this.saving = true;
    // Not unref'd: a process ending without the store's close (its last durable
    // unsubscribed, or its mesh closed while another mesh keeps the store open) still
    // writes what was acknowledged, waiting up to SAVE_EVERY ms for it. The store's
    // close writes at once.
    setTimeout(() => {
      this.saving = false;
      if (!this.closed) this.flush();
    }, SAVE_EVERY);
  }

  private flush(): void {
    const position = this.position();
    if (position <= this.saved) return;
    this.source.save(position);
    this.saved = position;
  }
}
