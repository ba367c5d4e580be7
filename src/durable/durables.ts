import { MeshError, asMeshError, toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { DeliveryDone } from '../delivery/scheduler.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import type { ConsumerSpec, MeshStore, StoreConsumer, StoreContext, StoreReplayFrom } from '../store/store.js';
import { AttachGate } from './attach-gate.js';
import { durableFeed } from './durable-feed.js';

/** What the durable consumers need from their mesh. */
export interface DurablesHost {
  /** The context the store is opened with (its way to report background failures). */
  readonly storeContext: StoreContext;
  /** True once close() stopped draining: nothing more is handled; deliveries go back to the store. */
  readonly halted: boolean;
  /** True once close() finished: a store that opens after that is closed at once. */
  readonly closed: boolean;
  report(error: MeshError): void;
}

/**
 * The durable subscriptions of one mesh and the store behind them: opens the store
 * (lazily, once), attaches a store consumer per durable subscription, tracks the
 * deliveries handed over and not yet acknowledged, stops consumers and hands back what
 * was not finished. Also the publish path's sink for events durables may want.
 */
export class Durables {
  /** The store consumer of each durable subscription, once attached. */
  private readonly consumers = new Map<MeshSubscription, Promise<StoreConsumer | undefined>>();
  /** Per durable subscription, the settle functions of store deliveries not yet acknowledged. */
  private readonly unacked = new Map<MeshSubscription, Set<DeliveryDone>>();
  private opened = false;
  private opening: Promise<void> | undefined;
  private readonly halted = (): boolean => this.host.halted;
  /** Appends wait here while a durable subscription attaches (see AttachGate). */
  private readonly gate = new AttachGate((event) => this.admit(event));

  constructor(readonly store: MeshStore, private readonly host: DurablesHost) {}

  /** Whether the store is open. */
  get open(): boolean {
    return this.opened;
  }

  /** Durable subscriptions attached or attaching. */
  subscriptions(): IterableIterator<MeshSubscription> {
    return this.consumers.keys();
  }

  has(sub: MeshSubscription): boolean {
    return this.consumers.has(sub);
  }

  /** Opens the store once; a failed open may be retried. */
  ready(): Promise<void> {
    return (this.opening ??= this.store.open(this.host.storeContext).then(
      () => {
        this.opened = true;
        // Opened after close() finished: nobody else will close it.
        if (this.host.closed) void this.store.close(this.host.storeContext);
      },
      (err: unknown) => {
        this.opening = undefined;
        throw asMeshError(err, 'ERR_MESH_STORE_FAILED', { store: this.store.name });
      },
    ));
  }

  /**
   * Asked on every publish. While a durable subscription attaches, the store cannot
   * tell yet whether it wants an event (the durable it would want it for is not there):
   * every event is taken, held behind the attach, and asked again when released.
   */
  wants(type: string): boolean {
    const store = this.store;
    return store.accepts === undefined || this.gate.holding || store.accepts(type);
  }

  /**
   * Stores an event published here. While one of this mesh's durable subscriptions
   * attaches, held until no attach is in progress, so that a durable sees every event
   * its mesh publishes after `subscribe()` returned (publish order kept).
   */
  append(event: MeshEvent): Promise<void> {
    return this.gate.holding ? this.gate.hold(event) : this.send(event);
  }

  /** A held append, released: skipped where the store, with its durables attached now, does not want it. */
  private admit(event: MeshEvent): Promise<void> {
    const store = this.store;
    return this.opened && store.accepts !== undefined && !store.accepts(event.type) ? Promise.resolve() : this.send(event);
  }

  private send(event: MeshEvent): Promise<void> {
    const store = this.store;
    try {
      return this.opened ? store.append(event) : this.ready().then(() => store.append(event));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Feeds `sub` from the store's durable `name`: now with the store open, else once it
   * opened. Until the store's consumer is attached (or failed to), this mesh's appends
   * are held, so an event published right after subscribe() finds the durable there.
   */
  attach(sub: MeshSubscription, name: string, from: StoreReplayFrom | undefined): void {
    const unacked = new Set<DeliveryDone>();
    this.unacked.set(sub, unacked);
    const spec: ConsumerSpec = { name, pattern: sub.pattern, prefetch: Math.max(16, sub.policy.concurrency * 2), ...(from === undefined ? {} : { from }) };
    const feed = durableFeed(sub, unacked, this.halted);
    const attach = (): Promise<StoreConsumer> => this.store.consume(spec, feed);
    // Registered before attaching: the store may hand over its backlog inside
    // consume(), and a handler that unsubscribes right there must find it to stop.
    let attached!: (consumer: StoreConsumer | undefined) => void;
    this.consumers.set(sub, new Promise((resolve) => (attached = resolve)));
    const consumer = this.opened ? attempt(attach) : this.ready().then(attach);
    this.gate.track(consumer);
    consumer.then((c) => {
      attached(c);
      if (!sub.live || this.host.halted) void c.stop();
    }, () => attached(undefined));
    sub.ready = consumer.then(() => undefined);
    // The caller may never await `ready`; the failure still reaches 'error'.
    sub.ready.catch((err: unknown) => this.host.report(asMeshError(err, 'ERR_MESH_STORE_FAILED', { durable: name })));
  }

  /** Stops the store feeding a durable subscription; deliveries already handed over go on. */
  async stop(sub: MeshSubscription): Promise<void> {
    const consumer = this.consumers.get(sub);
    this.consumers.delete(sub);
    await (await consumer)?.stop();
  }

  /** Stops every consumer (close(): the store stops feeding before the drain). */
  stopAll(): Promise<unknown> {
    return Promise.allSettled([...this.consumers.keys()].map((sub) => this.stop(sub)));
  }

  /** Hands deliveries a subscription did not finish back to the store (close() past its deadline). */
  abandon(sub: MeshSubscription): void {
    const pending = this.unacked.get(sub);
    this.unacked.delete(sub);
    if (pending !== undefined) for (const settle of [...pending]) settle(false);
  }

  /** Also deliveries of subscriptions that unsubscribed while their handler still ran. */
  abandonAll(): void {
    for (const sub of [...this.unacked.keys()]) this.abandon(sub);
  }

  /** Forgets a durable in the store (mesh.deleteDurable), refused while one of ours is attached to it. */
  async delete(name: string): Promise<void> {
    const store = this.store;
    if (store.deleteDurable === undefined) {
      throw new MeshError('ERR_MESH_STORE_UNSUPPORTED', `The ${store.name} store cannot delete durables`, { details: { store: store.name, durable: name } });
    }
    for (const sub of this.consumers.keys()) {
      if (sub.durable === name) throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable ${name} is still subscribed here`, { details: { durable: name } });
    }
    await this.ready();
    await store.deleteDurable(name);
  }

  /**
   * The store's backlog of each durable name attached here (one entry per name, however
   * many subscriptions share it). Never rejects: a metrics scrape must not fail because
   * the store could not answer, so a failure, like a store without `backlog`, is
   * `undefined`.
   */
  backlogs(): Promise<Array<{ name: string; backlog: number | undefined }>> {
    const names = new Set<string>();
    for (const sub of this.consumers.keys()) if (sub.durable !== undefined) names.add(sub.durable);
    const store = this.store;
    return Promise.all([...names].map(async (name) => {
      let backlog: number | undefined;
      try {
        backlog = this.opened && store.backlog !== undefined ? await store.backlog(name) : undefined;
      } catch {
        backlog = undefined;
      }
      return { name, backlog };
    }));
  }

  /**
   * Resolves when the store's engine answers now; a store without `ping` is taken as
   * healthy. Rejects with `ERR_MESH_STORE_UNAVAILABLE` whatever the store rejected
   * with (kept as `cause`), so a health check has one code to look for.
   */
  async ping(): Promise<void> {
    const store = this.store;
    if (store.ping === undefined) return;
    try {
      await store.ping();
    } catch (err) {
      if (err instanceof MeshError && err.code === 'ERR_MESH_STORE_UNAVAILABLE') throw err;
      throw toMeshError('ERR_MESH_STORE_UNAVAILABLE', err, { store: store.name });
    }
  }

  /** Closes the store if this mesh opened it. */
  async close(): Promise<void> {
    if (!this.opened) return;
    // Closed from here on, whatever the store's close does (inspect() and health() read it).
    this.opened = false;
    await this.store.close(this.host.storeContext);
  }
}

function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}
