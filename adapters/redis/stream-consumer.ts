import type { Redis } from 'ioredis';
import type { MeshEvent, StoreHandler } from '../../src/index.js';
import { decodeStoredEvent } from '../../src/internal.js';

/** One stream entry as XREADGROUP / XAUTOCLAIM return it; fields null once trimmed away. */
export type RawEntry = [id: string, fields: string[] | null];

export interface ConsumerSetup {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly prefetch: number;
  readonly matches: (type: string) => boolean;
  /** An entry left unacknowledged this long by its consumer is taken over (XAUTOCLAIM). */
  readonly claimIdle: number;
  readonly block: number;
}

/**
 * One member of a Redis consumer group. Reads new entries with XREADGROUP on its own
 * blocking connection, acknowledges with XACK (batched per event-loop turn) on the
 * store's shared connection once the handler is done, and takes over entries another
 * member left unacknowledged for `claimIdle` ms (a crashed process) with XAUTOCLAIM.
 * While a handler runs, its entry's idle time is reset every `claimIdle / 3` ms
 * (XCLAIM … JUSTID to itself), so a slow but live consumer is never robbed; a
 * process that dies stops resetting, and its entries are claimed.
 */
export class StreamConsumer {
  private stopped = false;
  private inflight = new Set<string>();
  private acks: string[] = [];
  private slot: (() => void) | undefined;
  private lastClaim = 0;
  private readonly lease: NodeJS.Timeout;
  readonly done: Promise<void>;

  constructor(
    private readonly setup: ConsumerSetup,
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly handler: StoreHandler,
    private readonly report: (err: unknown) => void,
  ) {
    this.lease = setInterval(() => this.renew(), Math.max(10, Math.floor(setup.claimIdle / 3)));
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.lease);
    this.slot?.();
    // Ends a blocked XREADGROUP now; entries Redis handed it meanwhile stay pending
    // under this consumer's name and are claimed by a live member after claimIdle.
    this.reader.disconnect();
    await this.done;
    await this.forget().catch((err: unknown) => this.report(err));
  }

  /**
   * Removes this consumer's name from the group when it holds nothing, so restarts do
   * not pile up names. Safe only then (DELCONSUMER drops a consumer's pending entries),
   * and nothing can be added to them any more: the reader is gone and renewals stopped.
   */
  private async forget(): Promise<void> {
    if (this.inflight.size > 0) return;
    await this.flushAcks();
    const { stream, group, consumer } = this.setup;
    const pending = (await this.commands.xpending(stream, group, '-', '+', 1, consumer)) as unknown[];
    if (pending.length === 0) await this.commands.xgroup('DELCONSUMER', stream, group, consumer);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        // Refill only once half the prefetch is free: reading as soon as one slot
        // frees would be one round trip per event (XREADGROUP COUNT 1).
        if (this.inflight.size > this.setup.prefetch / 2) {
          await new Promise<void>((resolve) => (this.slot = resolve));
          continue;
        }
        const room = this.setup.prefetch - this.inflight.size;
        if (Date.now() - this.lastClaim >= this.setup.claimIdle / 2) await this.claim(room);
        else await this.read(room);
      } catch (err) {
        if (this.stopped) return;
        this.report(err);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async read(room: number): Promise<void> {
    const { stream, group, consumer, block } = this.setup;
    const reply = (await this.reader.xreadgroup('GROUP', group, consumer, 'COUNT', room, 'BLOCK', block, 'STREAMS', stream, '>')) as
      [string, RawEntry[]][] | null;
    if (reply === null) return;
    for (const [, entries] of reply) for (const entry of entries) this.accept(entry);
  }

  private async claim(room: number): Promise<void> {
    const { stream, group, consumer, claimIdle } = this.setup;
    this.lastClaim = Date.now();
    let cursor = '0-0';
    do {
      const reply = (await this.commands.call('XAUTOCLAIM', stream, group, consumer, claimIdle, cursor, 'COUNT', room)) as
        [string, RawEntry[], string[]?];
      cursor = reply[0];
      for (const entry of reply[1]) this.accept(entry);
    } while (cursor !== '0-0' && !this.stopped && this.inflight.size < this.setup.prefetch);
  }

  private accept([id, fields]: RawEntry): void {
    if (this.stopped || this.inflight.has(id)) return;
    const type = fields === null ? undefined : field(fields, 't');
    // Trimmed away, or not for this durable: nothing to do but acknowledge it.
    if (type === undefined || !this.setup.matches(type)) {
      this.ack(id);
      return;
    }
    let event: MeshEvent;
    try {
      event = decodeStoredEvent(field(fields as string[], 'e') ?? '');
    } catch (err) {
      // Not an event this store wrote: reported and skipped, never retried forever.
      this.report(err);
      this.ack(id);
      return;
    }
    this.inflight.add(id);
    this.handler(event).then(() => {
      this.release(id);
      this.ack(id);
    }, () => this.release(id));
  }

  private release(id: string): void {
    this.inflight.delete(id);
    if (this.inflight.size > this.setup.prefetch / 2) return;
    const wake = this.slot;
    this.slot = undefined;
    wake?.();
  }

  private ack(id: string): void {
    if (this.acks.push(id) > 1) return;
    setImmediate(() => void this.flushAcks());
  }

  private async flushAcks(): Promise<void> {
    if (this.acks.length === 0) return;
    const ids = this.acks;
    this.acks = [];
    await this.commands.xack(this.setup.stream, this.setup.group, ...ids).catch((err: unknown) => this.report(err));
  }

  private renew(): void {
    if (this.inflight.size === 0) return;
    const { stream, group, consumer } = this.setup;
    this.commands.xclaim(stream, group, consumer, 0, ...this.inflight, 'JUSTID').catch((err: unknown) => this.report(err));
  }
}

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
