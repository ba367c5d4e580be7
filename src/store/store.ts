import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';

/** What a store can do; the kernel and the conformance suite read these, never the store's type. */
export interface StoreCapabilities {
  /** Events and positions survive a process restart. */
  readonly persistent: boolean;
  /** Meshes in different processes or machines can share it. */
  readonly distributed: boolean;
  /** A durable subscription can start from an earlier position or time. */
  readonly replay: boolean;
  /** One durable subscription receives events in append order. */
  readonly ordered: boolean;
  /** The store filters by mesh pattern itself (no client-side matching). */
  readonly nativeWildcards: boolean;
}

/**
 * Where a new durable starts, as the store sees it: after the stored event with
 * this CloudEvent id, or at the first event the store accepted at or after `time`
 * (epoch ms, the store's own clock: when it was appended, not the event's `time`).
 */
export type StoreReplayFrom = { readonly afterId: string } | { readonly time: number };

/** A durable subscription as the store sees it. */
export interface ConsumerSpec {
  /**
   * The durable name: one store consumer group (a queue, a stream consumer group, a
   * stored position). Every consumer attached to it, from any mesh sharing the
   * store, shares its events: each is delivered to one of them. This is what makes
   * a durable subscription's group span machines.
   */
  readonly name: string;
  /** Mesh pattern (`*`, `#`) selecting the events the queue keeps. */
  readonly pattern: string;
  /** How many deliveries may be unacknowledged at once. */
  readonly prefetch: number;
  /**
   * Only where `capabilities.replay` (the kernel refuses it otherwise): where the
   * durable starts when the store creates it. A durable that already exists resumes
   * where it stopped and ignores it. Absent: a new durable keeps events appended
   * from now on. An `afterId` the store does not hold rejects `consume` with
   * `ERR_MESH_INVALID_OPTIONS`.
   */
  readonly from?: StoreReplayFrom;
}

/**
 * Receives one stored event. Resolving acknowledges it (the kernel resolves after
 * the handler succeeded, or after retries and dead-lettering); rejecting leaves it
 * to be delivered again.
 */
export type StoreHandler = (event: MeshEvent) => Promise<void>;

/** A consumer attached with `consume`. */
export interface StoreConsumer {
  /** Detaches; unacknowledged events stay in the store for the next consumer. */
  stop(): Promise<void>;
}

/**
 * What a mesh gives the store it opens: the store's way back to that mesh. Background
 * failures (a consumer that lost its broker, a stored entry that is not an event) have
 * no caller to reject; the store reports them here, and they reach `mesh.on('error')`.
 */
export interface StoreContext {
  /** The id of the mesh opening the store (for consumer names and messages). */
  readonly meshId: string;
  /** Sends a failure met outside any call to the mesh's `'error'` signal; use an `ERR_MESH_STORE_*` code. */
  report(error: MeshError): void;
  /**
   * The engine is reachable again after a loss reported as `ERR_MESH_STORE_UNAVAILABLE`
   * (logged at info, with `details`, e.g. `{ server }`). Optional, like its call: a
   * store that cannot tell may leave it out.
   */
  reconnected?(details?: Readonly<Record<string, unknown>>): void;
}

/**
 * Where durable subscriptions get their events. Promise-only and small on purpose:
 * an adapter maps these members onto its engine and declares what it can do.
 */
export interface MeshStore {
  /** Short name for messages and results, e.g. "memory", "redis". */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  /**
   * Connects; called by each mesh that uses the store, before any other member, and
   * again after a `close` (a mesh restarting on the same instance). An engine that
   * cannot be reached rejects with `ERR_MESH_STORE_UNAVAILABLE` within a bounded
   * time, never hangs. A mesh always passes its `context`; a store opened on its own
   * (a test, a script) gets none and logs what it would have reported. Opens are
   * counted: a store shared by several meshes reports a background failure to the
   * context of every open not yet closed.
   */
  open(context?: StoreContext): Promise<void>;
  /**
   * Optional, synchronous: whether the store wants events of this type at all.
   * Lets the publish path skip `append` (and its promise) when nothing durable
   * listens; a store without it gets every event.
   */
  accepts?(type: string): boolean;
  /** Stores the event; resolves once it is safely accepted. */
  append(event: MeshEvent): Promise<void>;
  /** Attaches a durable consumer; resumes where the durable name stopped. */
  consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer>;
  /**
   * Optional: forgets a durable (its position, the events it kept, its consumer
   * group), so the name starts afresh. Rejects with `ERR_MESH_INVALID_OPTIONS` while
   * a consumer of this store instance is attached to it; an unknown name resolves.
   */
  deleteDurable?(name: string): Promise<void>;
  /**
   * Optional: how many events the durable `name` holds that are not acknowledged yet,
   * delivered (in flight) or not, as the engine counts them now: what an operator
   * or an autoscaler reads, so it comes from the store, never from one mesh's view.
   * Resolves with `undefined` for a name the store does not know. Bounded in time
   * like `ping`; each adapter documents what exactly its engine counts.
   */
  backlog?(name: string): Promise<number | undefined>;
  /**
   * Optional: resolves when the engine answers now (a health check); rejects with
   * `ERR_MESH_STORE_UNAVAILABLE` when it does not, within a bounded time (a few
   * seconds), never hangs, also when the connection is open but nothing comes back.
   * A store without it is taken as healthy while open.
   */
  ping?(): Promise<void>;
  /**
   * Called by each mesh that opened it, when that mesh closes, with the context it
   * opened with (so a store shared by several meshes drops that one); the last close
   * releases the engine, a close without an open does nothing.
   */
  close(context?: StoreContext): Promise<void>;
}
