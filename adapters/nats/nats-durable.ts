import type { ConsumerMessages, JsMsg } from 'nats';
import { MeshError, type StoreConsumer, type StoreHandler } from '../../src/index.js';
import { decodeStoredEvent } from '../../src/internal.js';

export interface DurableSettings {
  readonly durable: string;
  readonly prefetch: number;
  /** Checks the mesh pattern on the client, when the consumer's filter subject is broader. */
  readonly matches: ((type: string) => boolean) | undefined;
  readonly ackWaitMs: number;
  /** Where failures outside any call go (the store's report fan-out). */
  readonly report: (err: MeshError) => void;
}

/**
 * One attached consumer of a JetStream durable: pulls through `consume()` and hands
 * each message to the mesh, at most `prefetch` unacknowledged at once. The pull
 * loop only asks the server for more when it reads on, so not reading while every
 * slot is taken is the backpressure. Acks are explicit and sent after the handler
 * settled; a refused delivery is nak'ed, so the server redelivers it at once to
 * whichever member of the durable pulls next.
 */
export class NatsDurable implements StoreConsumer {
  private readonly inflight = new Set<JsMsg>();
  private stopped = false;
  private slot: (() => void) | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly done: Promise<void>;

  constructor(private readonly messages: ConsumerMessages, private readonly handler: StoreHandler, private readonly settings: DurableSettings) {
    // A handler (with its retries and backoff) may outlast ack_wait; telling the
    // server we are still working keeps it from redelivering to another member
    // meanwhile. One timer for all in-flight messages, not one per message.
    this.keepAlive = setInterval(() => {
      for (const m of this.inflight) m.working();
    }, Math.max(500, Math.floor(settings.ackWaitMs / 3)));
    this.keepAlive.unref();
    this.done = this.run();
  }

  private async run(): Promise<void> {
    try {
      for await (const m of this.messages) {
        // Pulled before stop() but not handed over: give it back now rather than after ack_wait.
        if (this.stopped) {
          m.nak();
          continue;
        }
        this.deliver(m);
        if (this.inflight.size >= this.settings.prefetch) await new Promise<void>((resolve) => (this.slot = resolve));
      }
    } catch (err) {
      if (!this.stopped) this.report(err, 'the pull consumer stopped');
    }
  }

  private deliver(m: JsMsg): void {
    let event;
    try {
      event = decodeStoredEvent(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    } catch (err) {
      // Not a CloudEvent (a foreign publisher on our subjects): redelivering would never help.
      m.term();
      this.report(err, `message ${m.seq} is not a CloudEvent; terminated`);
      return;
    }
    if (this.settings.matches !== undefined && !this.settings.matches(event.type)) {
      m.ack();
      return;
    }
    this.inflight.add(m);
    this.handler(event).then(() => this.settle(m, true), () => this.settle(m, false));
  }

  private settle(m: JsMsg, acked: boolean): void {
    this.inflight.delete(m);
    if (acked) m.ack();
    else m.nak();
    this.release();
  }

  private release(): void {
    const slot = this.slot;
    if (slot !== undefined && (this.stopped || this.inflight.size < this.settings.prefetch)) {
      this.slot = undefined;
      slot();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    clearInterval(this.keepAlive);
    const closing = this.messages.close();
    this.release();
    await closing;
    await this.done;
  }

  private report(err: unknown, what: string): void {
    const code = err instanceof MeshError ? err.code : 'ERR_MESH_STORE_FAILED';
    this.settings.report(new MeshError(code, `nats durable ${this.settings.durable}: ${what}`, { cause: err, details: { durable: this.settings.durable } }));
  }
}
