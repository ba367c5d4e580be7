import { MeshError, type CloudEventInput, type EventAttributes, type Mesh, type MeshEvent, type StoreConsumer } from '../../src/index.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { buildEvent, openStoreOf, routeLive, setOutboxHook, storeOf } from '../../src/internal.js';
import { eventRow, insertSql } from './append-sql.js';
import { OUTBOX_MARK, RELAY_DURABLE, unmark } from './outbox-mark.js';
import { PostgresStore } from './postgres-store.js';

/** A `pg` client (or pool, or anything) that runs `query(text, values)`: inside the caller's transaction for the outbox to mean anything. */
export interface OutboxExecutor {
  query(text: string, values: unknown[]): unknown;
}

/** Publishes inside the caller's database transaction: the event exists for anyone only once it commits. */
export interface Outbox {
  /**
   * Inserts the event `mesh.publish(topic, data, attributes)` would send into the
   * store's events table through `executor`, in its transaction; resolves with the
   * event once the INSERT ran. Nothing else happens before COMMIT; after it, durable
   * subscriptions read it and one mesh's relay routes it live. A ROLLBACK leaves
   * nothing. The mesh's `use` chain does not run for outbox events.
   */
  publish<T>(executor: OutboxExecutor, topic: string, data?: T, attributes?: EventAttributes): Promise<MeshEvent<T>>;
  publish<T>(executor: OutboxExecutor, event: CloudEventInput<T> | MeshEvent<T>): Promise<MeshEvent<T>>;
  /**
   * Runs `fn` with `executor` as the transaction context of this outbox (async-local):
   * `@Publish(topic, { outbox: true })` methods called inside it, at any depth, insert
   * their event with it. It does not BEGIN or COMMIT: call it inside your transaction.
   * @example await db.transaction((tx) => box.transaction(drizzleExecutor(tx), () => orders.pay(id)))
   */
  transaction<R>(executor: OutboxExecutor, fn: () => R): R;
}

/** Relay consumers' prefetch: events relayed at once per mesh. */
const RELAY_PREFETCH = 64;

const outboxes = new WeakMap<Mesh, OutboxImpl>();

/**
 * The transactional outbox of a mesh whose store is a `postgresStore` (anything else:
 * ERR_MESH_INVALID_OPTIONS). Opening it starts the mesh's relay: a consumer of the
 * shared durable `evmesh:outbox-relay`, so each committed outbox event is routed live
 * by exactly one of the meshes on the database (the store's leases), and by another
 * after the lease if the one holding it died. One outbox per mesh (memoized).
 * @example await box.publish(client, 'com.shop.order.paid', { id }) // between BEGIN and COMMIT
 */
export function outbox(mesh: Mesh): Outbox {
  let box = outboxes.get(mesh);
  if (box === undefined) {
    let store: unknown;
    try {
      store = storeOf(mesh);
    } catch (err) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'outbox() needs a mesh', { cause: err });
    }
    if (!(store instanceof PostgresStore)) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'outbox() needs a mesh whose store is a postgresStore', { details: { store: (store as { name?: unknown }).name } });
    }
    box = new OutboxImpl(mesh, store);
    outboxes.set(mesh, box);
  }
  return box;
}

class OutboxImpl implements Outbox {
  private relay: Promise<StoreConsumer> | undefined;

  private readonly context = new AsyncLocalStorage<OutboxExecutor>();

  constructor(private readonly mesh: Mesh, private readonly store: PostgresStore) {
    void this.relayed().catch(() => undefined);
    setOutboxHook(mesh, {
      executor: (explicit) => this.executorFor(explicit),
      publish: (executor, topic, data) => this.publish(executor as OutboxExecutor, topic, data),
    });
  }

  transaction<R>(executor: OutboxExecutor, fn: () => R): R {
    assertExecutor(executor);
    return this.context.run(executor, fn);
  }

  /** `@Publish`'s executor: its argument, else the active transaction context. */
  private executorFor(explicit: unknown): OutboxExecutor {
    const executor = explicit ?? this.context.getStore();
    if (executor === undefined) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', '@Publish({ outbox }) called outside outbox(mesh).transaction(executor, fn) and without an executor argument');
    }
    assertExecutor(executor);
    return executor;
  }

  publish<T>(executor: OutboxExecutor, topicOrEvent: string | CloudEventInput<T> | MeshEvent<T>, data?: T, attributes?: EventAttributes): Promise<MeshEvent<T>> {
    let event: MeshEvent;
    try {
      assertExecutor(executor);
      event = buildEvent(this.mesh, topicOrEvent as string | CloudEventInput, data, attributes);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.insert(executor, event).then(() => event as MeshEvent<T>);
  }

  private async insert(executor: OutboxExecutor, event: MeshEvent): Promise<void> {
    // The relay's durable must exist before the row: it starts at the log's end.
    await this.relayed();
    let row: string[];
    try {
      // The mark goes into the stored JSON only, for the relay: set around the encoding, synchronously.
      event[OUTBOX_MARK] = '1';
      row = eventRow(event);
    } catch (err) {
      throw new MeshError('ERR_MESH_STORE_FAILED', `postgres outbox: cannot serialize ${event.id}`, { cause: err, details: { eventId: event.id } });
    } finally {
      delete event[OUTBOX_MARK];
    }
    try {
      await executor.query(insertSql(this.store.tableNames, 1), row);
    } catch (err) {
      throw new MeshError('ERR_MESH_STORE_FAILED', `postgres outbox: could not insert ${event.id}`, { cause: err, details: { eventId: event.id } });
    }
  }

  /** The relay consumer, attached once; a failed attach is tried again by the next publish. */
  private relayed(): Promise<StoreConsumer> {
    return (this.relay ??= openStoreOf(this.mesh)
      .then(() => this.store.consume({ name: RELAY_DURABLE, pattern: '#', prefetch: RELAY_PREFETCH }, (event) => this.route(event)))
      .catch((err: unknown) => {
        this.relay = undefined;
        throw err;
      }));
  }

  /** An event the durable hands the relay: outbox rows are routed live; the rest were routed by their publisher. */
  private route(event: MeshEvent): Promise<void> {
    return unmark(event) ? routeLive(this.mesh, event) : Promise.resolve();
  }
}

function assertExecutor(executor: unknown): asserts executor is OutboxExecutor {
  if (typeof executor !== 'object' || executor === null || typeof (executor as { query?: unknown }).query !== 'function') {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'the outbox needs an executor with query(text, values) (a pg client in your transaction)');
  }
}
