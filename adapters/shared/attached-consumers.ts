import { MeshError, type StoreConsumer } from '../../src/index.js';

/**
 * The consumers attached through one store instance, for the brokers whose durables
 * live on the server (NATS, RabbitMQ): stopped together at the last close, and kept
 * per durable name, because `deleteDurable` must refuse a durable that still has a
 * consumer of this instance attached (MeshStore contract), and a backlog may need
 * what this instance's consumers hold.
 */
export class AttachedConsumers<C extends StoreConsumer = StoreConsumer> {
  private readonly consumers = new Set<C>();
  private readonly perDurable = new Map<string, Set<C>>();

  /** Records `consumer` under `durable`; the handle detaches it (once) and stops it. */
  add(durable: string, consumer: C): StoreConsumer {
    this.consumers.add(consumer);
    let mine = this.perDurable.get(durable);
    if (mine === undefined) this.perDurable.set(durable, (mine = new Set()));
    mine.add(consumer);
    let stopped = false;
    return {
      stop: async () => {
        if (!stopped) {
          stopped = true;
          this.consumers.delete(consumer);
          mine.delete(consumer);
          if (mine.size === 0 && this.perDurable.get(durable) === mine) this.perDurable.delete(durable);
        }
        await consumer.stop();
      },
    };
  }

  /** The consumers of `durable` attached here now. */
  of(durable: string): ReadonlySet<C> {
    return this.perDurable.get(durable) ?? NONE;
  }

  /** Rejects deleting `durable` while a consumer of it is attached here. */
  assertNoneAttached(durable: string): void {
    if (this.perDurable.has(durable)) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${durable}" still has a consumer attached`, { details: { durable } });
    }
  }

  /** Stops every consumer still attached and forgets them all. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    this.perDurable.clear();
  }
}

const NONE: ReadonlySet<never> = new Set();
