import { MeshError, type StoreConsumer } from '../../src/index.js';

/**
 * The consumers attached through one store instance, for the brokers whose durables
 * live on the server (NATS, RabbitMQ): stopped together at the last close, and counted
 * per durable name, because `deleteDurable` must refuse a durable that still has a
 * consumer of this instance attached (MeshStore contract).
 */
export class AttachedConsumers {
  private readonly consumers = new Set<StoreConsumer>();
  private readonly perDurable = new Map<string, number>();

  /** Records `consumer` under `durable`; the handle detaches it (once) and stops it. */
  add(durable: string, consumer: StoreConsumer): StoreConsumer {
    this.consumers.add(consumer);
    this.perDurable.set(durable, (this.perDurable.get(durable) ?? 0) + 1);
    let stopped = false;
    return {
      stop: async () => {
        if (!stopped) {
          stopped = true;
          this.consumers.delete(consumer);
          const left = (this.perDurable.get(durable) ?? 1) - 1;
          if (left > 0) this.perDurable.set(durable, left);
          else this.perDurable.delete(durable);
        }
        await consumer.stop();
      },
    };
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
