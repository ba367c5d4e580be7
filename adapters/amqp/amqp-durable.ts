import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { MeshError, type ConsumerSpec, type StoreConsumer, type StoreHandler } from '../../src/index.js';
import { decodeStoredEvent } from '../../src/internal.js';
import type { AmqpLink, Reattachable } from './amqp-link.js';

export interface DurableTopology {
  readonly exchange: string;
  readonly queue: string;
  readonly bindingKey: string;
}

/**
 * One attached consumer of a durable queue, on a channel of its own (prefetch is per
 * channel). Manual acks after the handler settled; a refused delivery is nack'ed with
 * requeue. A delivery whose channel died meanwhile is already back in the queue (the
 * broker requeues everything unacknowledged on a closed channel), so its late
 * ack is dropped, not sent on the next channel, where the tag means nothing.
 */
export class AmqpDurable implements StoreConsumer, Reattachable {
  private channel: Channel | undefined;
  private attachedTo: ChannelModel | undefined;
  private tag: string | undefined;
  private inflight = 0;
  /**
   * Deliveries of the current channel not settled yet. The broker counts them apart
   * from the queue's ready messages, until they are settled or their channel closes
   * (then they are ready again): so not `inflight`, which still counts handlers of a
   * channel that died.
   */
  private held = 0;
  private stopped = false;

  constructor(
    private readonly link: AmqpLink,
    private readonly topology: DurableTopology,
    private readonly spec: ConsumerSpec,
    private readonly handler: StoreHandler,
    private readonly reportTo: (err: MeshError) => void,
  ) {}

  async attach(conn: ChannelModel): Promise<void> {
    if (this.stopped || this.attachedTo === conn) return;
    this.attachedTo = conn;
    const { exchange, queue, bindingKey } = this.topology;
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    ch.once('close', () => {
      if (this.channel === ch) this.channel = undefined;
    });
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, exchange, bindingKey);
    await ch.prefetch(this.spec.prefetch);
    this.channel = ch;
    this.held = 0;
    const { consumerTag } = await ch.consume(queue, (msg) => this.onMessage(ch, msg), { noAck: false });
    this.tag = consumerTag;
  }

  /** Messages this consumer holds unacknowledged on its live channel. */
  get unacked(): number {
    return this.channel === undefined ? 0 : this.held;
  }

  detached(): void {
    this.channel = undefined;
    this.held = 0;
    this.attachedTo = undefined;
    this.tag = undefined;
  }

  private onMessage(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // basic.cancel from the broker: the queue was deleted under us.
      this.report(undefined, 'the broker cancelled the consumer (queue deleted?)');
      return;
    }
    if (this.stopped) {
      settle(ch, msg, false);
      return;
    }
    let event;
    try {
      event = decodeStoredEvent(msg.content);
    } catch (err) {
      // Not a CloudEvent: requeueing would loop forever; drop it (or dead-letter it, where the queue has a policy).
      settle(ch, msg, false, false);
      this.report(err, 'a message is not a CloudEvent; rejected without requeue');
      return;
    }
    this.inflight++;
    this.held++;
    this.handler(event).then(() => this.done(ch, msg, true), () => this.done(ch, msg, false));
  }

  private done(ch: Channel, msg: ConsumeMessage, acked: boolean): void {
    this.inflight--;
    if (ch === this.channel) this.held--;
    settle(ch, msg, acked);
    if (this.stopped && this.inflight === 0) void this.channel?.close().catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.link.attached.delete(this);
    const ch = this.channel;
    if (ch === undefined) return;
    if (this.tag !== undefined) await ch.cancel(this.tag).catch(() => undefined);
    // Deliveries still in the kernel settle on this channel; it closes after the last.
    if (this.inflight === 0) await ch.close().catch(() => undefined);
  }

  private report(err: unknown, what: string): void {
    this.reportTo(new MeshError('ERR_MESH_STORE_FAILED', `amqp durable ${this.spec.name}: ${what}`, { cause: err, details: { durable: this.spec.name } }));
  }
}

function settle(ch: Channel, msg: ConsumeMessage, acked: boolean, requeue = true): void {
  try {
    if (acked) ch.ack(msg);
    else ch.nack(msg, false, requeue);
  } catch {
    // The channel closed: the broker has requeued the message already.
  }
}
