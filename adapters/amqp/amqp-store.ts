import type * as AmqpModule from 'amqplib';
import type { ConfirmChannel, Options } from 'amqplib';
import {
  MeshError,
  type ConsumerSpec, type MeshStore, type StoreCapabilities, type StoreConsumer, type StoreContext, type StoreHandler,
} from '../../src/index.js';
import { encodeStoredEvent, loadDependency, type MeshEvent } from '../../src/internal.js';
import { answerWithin, pingWithin } from '../shared/answer-within.js';
import { AttachedConsumers } from '../shared/attached-consumers.js';
import { SharedOpen } from '../shared/shared-open.js';
import { AmqpDurable } from './amqp-durable.js';
import { AmqpLink } from './amqp-link.js';
import { resolveOptions, type AmqpStoreOptions, type ResolvedAmqpOptions } from './options.js';
import { bindingKey, queueName, routingKey } from './patterns.js';

type Amqp = typeof AmqpModule;

/** The body is a CloudEvent in structured mode. */
const CONTENT_TYPE = 'application/cloudevents+json';

// replay: a classic queue forgets what it delivered and acknowledged, so there is no
// earlier position to start from (RabbitMQ streams could; out of scope here).
// ordered: a queue delivers in publish order, and a requeued delivery goes back to
// its original position where possible (RabbitMQ >= 2.7), as the memory store does.
const CAPABILITIES: StoreCapabilities = { persistent: true, distributed: true, replay: false, ordered: true, nativeWildcards: true };

/**
 * Durable subscriptions on RabbitMQ: every event goes to one durable topic exchange
 * with its type as routing key; each durable name is a durable queue bound with the
 * mapped pattern, shared by every mesh consuming it (so its members split the work).
 * Publisher confirms: `append` resolves once the broker has taken the event (a
 * persistent message, on disk for a durable queue). Events published before a
 * durable's queue first exists are routed nowhere and not kept, as in the memory store.
 */
export class AmqpStore implements MeshStore {
  readonly name = 'amqp';
  readonly capabilities = CAPABILITIES;
  private readonly options: ResolvedAmqpOptions;
  private readonly shared: SharedOpen<AmqpLink>;
  /** The link once connected, so a publish on a healthy connection awaits nothing but its confirm. */
  private live: AmqpLink | undefined;
  private readonly consumers = new AttachedConsumers<AmqpDurable>();

  constructor(options: AmqpStoreOptions) {
    this.options = resolveOptions(options);
    this.shared = new SharedOpen({
      store: 'amqpStore',
      connect: () => this.connect(),
      release: (link) => this.release(link),
      onError: this.options.onError,
    });
  }

  async open(context?: StoreContext): Promise<void> {
    await this.shared.open(context);
  }

  append(event: MeshEvent): Promise<void> {
    let key: string;
    try {
      key = routingKey(event.type);
    } catch (err) {
      return Promise.reject(err);
    }
    const body = Buffer.from(encodeStoredEvent(event));
    const props: Options.Publish = { persistent: true, contentType: CONTENT_TYPE, messageId: event.id };
    const ch = this.live?.currentPublisher;
    if (ch === undefined) return this.publishSlow(event, key, body, props);
    return confirmed(ch, this.options.exchange, key, body, props).catch(() => this.publishSlow(event, key, body, props));
  }

  /** Waits for a connection and a confirm channel, resending until publishTimeout. */
  private async publishSlow(event: MeshEvent, key: string, body: Buffer, props: Options.Publish): Promise<void> {
    const link = await this.ready();
    const deadline = Date.now() + this.options.publishTimeout;
    let lastError: unknown;
    // A confirm lost with its connection is resent on the next one: at-least-once,
    // so a resend may store the event twice (RabbitMQ has no deduplication).
    while (Date.now() < deadline) {
      try {
        const ch = await link.confirmChannel(deadline);
        await confirmed(ch, this.options.exchange, key, body, props);
        return;
      } catch (err) {
        if (err instanceof MeshError) throw err;
        lastError = err;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `RabbitMQ did not confirm event ${event.id} within ${this.options.publishTimeout} ms`, {
      cause: lastError, details: { eventId: event.id, type: event.type },
    });
  }

  async consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    const link = await this.ready();
    const topology = { exchange: this.options.exchange, queue: queueName(this.options.queuePrefix, spec.name), bindingKey: bindingKey(spec.pattern) };
    const durable = new AmqpDurable(link, topology, spec, handler, (error) => this.shared.report(error));
    // Registered first: a reconnect from here on re-attaches it too.
    link.attached.add(durable);
    try {
      await durable.attach(await link.connection(Date.now() + this.options.publishTimeout));
    } catch (err) {
      link.attached.delete(durable);
      throw err instanceof MeshError ? err : new MeshError('ERR_MESH_STORE_FAILED', `Cannot attach durable ${spec.name}`, { cause: err, details: { durable: spec.name } });
    }
    return this.consumers.add(spec.name, durable);
  }

  /** Deletes the durable's queue, and what it held. */
  async deleteDurable(name: string): Promise<void> {
    const link = await this.ready();
    this.consumers.assertNoneAttached(name);
    const queue = queueName(this.options.queuePrefix, name);
    const conn = await link.connection(Date.now() + this.options.publishTimeout);
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      // Deleting a queue that does not exist is not an error in RabbitMQ (delete-ok, 0 messages).
      await ch.deleteQueue(queue);
      await ch.close();
    } catch (err) {
      throw new MeshError('ERR_MESH_STORE_FAILED', `Cannot delete durable ${name}`, { cause: err, details: { durable: name } });
    }
  }

  /**
   * The queue's message count from a passive declare, which RabbitMQ gives as the
   * messages ready for delivery only, plus the messages this store instance's
   * consumers of the durable hold unacknowledged. Deliveries other processes hold
   * unacknowledged are not in it: AMQP does not tell them (the management API does).
   * Undefined when the queue does not exist.
   */
  backlog(name: string): Promise<number | undefined> {
    const { connectTimeout, queuePrefix } = this.options;
    const counted = this.ready().then((link) => link.inspect(Date.now() + connectTimeout, async (ch) => {
      try {
        return (await ch.checkQueue(queueName(queuePrefix, name))).messageCount;
      } catch (err) {
        if ((err as { code?: unknown }).code === 404) return undefined;
        throw err;
      }
    })).then((ready) => {
      if (ready === undefined) return undefined;
      let held = 0;
      for (const c of this.consumers.of(name)) held += c.unacked;
      return ready + held;
    });
    return answerWithin(counted, connectTimeout, 'amqp: backlog');
  }

  /** A passive declare of the exchange on the query channel: the broker answers, within connectTimeout. */
  ping(): Promise<void> {
    const { connectTimeout, exchange } = this.options;
    return pingWithin(async () => {
      const link = await this.ready();
      await link.inspect(Date.now() + connectTimeout, (ch) => ch.checkExchange(exchange));
    }, connectTimeout, 'amqp');
  }

  close(context?: StoreContext): Promise<void> {
    return this.shared.close(context);
  }

  /** The last close: consumers stop, then the connection closes. */
  private async release(link: Promise<AmqpLink>): Promise<void> {
    this.live = undefined;
    await this.consumers.stopAll();
    await (await link.catch(() => undefined))?.close();
  }

  private ready(): Promise<AmqpLink> {
    return this.shared.engine ?? Promise.reject(new MeshError('ERR_MESH_STORE_FAILED', 'amqpStore used before open() or after close()'));
  }

  private async connect(): Promise<AmqpLink> {
    const mod = await loadDependency<Amqp & { default?: Amqp }>('amqplib', 'amqpStore');
    const link = new AmqpLink(mod.default ?? mod, this.options, (error) => this.shared.report(error), (details) => this.shared.reconnected(details));
    await link.start();
    this.live = link;
    return link;
  }
}

function confirmed(ch: ConfirmChannel, exchange: string, key: string, body: Buffer, props: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(exchange, key, body, props, (err: unknown) => (err === null || err === undefined ? resolve() : reject(err instanceof Error ? err : new Error(String(err)))));
  });
}
