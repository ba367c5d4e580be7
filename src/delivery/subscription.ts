import type { Observable, Subject } from 'rxjs';
import type { MeshEvent } from '../event/mesh-event.js';
import type { EventFilter, EventPredicate } from '../filter/dialects.js';
import type { ResolvedRetry, RetryPolicy } from './retry.js';
import type { DeliveryHost } from './host.js';
import type { Scheduler } from './scheduler.js';
import type { TransformSpec } from '../transform/transform.js';

/** What a handler learns about the delivery besides the event. */
export interface DeliveryContext {
  /** The pattern of the subscription that matched. */
  readonly pattern: string;
  /** 1 on the first delivery, then 2, 3… on retries. */
  readonly attempt: number;
  /** The subscription's group, if any. */
  readonly group: string | undefined;
  /** The subscription being served. */
  readonly subscription: Subscription;
}

/** A subscriber: sync or async. For a request, the first value other than `undefined` answers it. */
export type EventHandler<T = unknown> = (event: MeshEvent<T>, ctx: DeliveryContext) => unknown;

/** An RxJS chain run on a subscription's events before its handler (where the subscriber lives). */
export type EventPipe = (events$: Observable<MeshEvent>) => Observable<MeshEvent>;

export interface SubscribeOptions {
  /** One delivery per group, taken in turn by the members whose filter accepts the event (shared evenly among them). No group: every subscriber gets every event. */
  readonly group?: string;
  /** Declarative CloudEvents filter, evaluated before the handler (and, across nodes, at the sender). */
  readonly filter?: EventFilter;
  /** RxJS operators applied to this subscription's matched events before the handler. */
  readonly pipe?: EventPipe;
  /**
   * Handler runs at once. 1 keeps publish order.
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Events that may wait for a busy handler (those beyond `concurrency` that are not
   * running yet). Over it, `emit` (and an event or request from a peer) is not queued
   * for this subscription and `ERR_MESH_SLOW_CONSUMER` is reported with the event id,
   * while other subscriptions still get the event; `publish` waits for room instead:
   * its promise resolves once this subscription took the event (so a handler that
   * awaits a publish to its own full subscription waits until close). A `request` that
   * finds it full rejects at once (`ERR_MESH_HANDLER_FAILED`, `details.remote.code`
   * `ERR_MESH_SLOW_CONSUMER`) unless another taker answers. Durable subscriptions are
   * fed by the store, a prefetch at a time, so this does not apply to them. An integer
   * >= 1, or `Infinity` for no bound (only where the producer is bounded otherwise).
   * @default 10000
   * @example { concurrency: 4, maxQueued: 1000 }
   */
  readonly maxQueued?: number;
  /** With concurrency > 1: events with the same key run in order, different keys in parallel. */
  readonly orderingKey?: string | ((event: MeshEvent) => string);
  /** Retry policy for failing handlers. */
  readonly retry?: RetryPolicy;
  /** Topic to republish an event to once every attempt failed. */
  readonly deadLetter?: string;
  /**
   * Name of a durable subscription, fed by the store and resumed after a restart.
   * The name is one store consumer group: every subscription with this name, in any
   * mesh sharing the store, shares its events (each delivered to one of them), so
   * the durable name, not `group`, decides who shares the work; `group` is only
   * reported in `ctx.group`.
   */
  readonly durable?: string;
  /**
   * With `durable`, on a store whose `capabilities.replay` is true: where the durable
   * starts when the store first creates it — after the event with id `afterId`, or at
   * the first event the store accepted at or after `time` (store clock). A durable
   * that already exists resumes where it stopped and ignores `from`.
   * Without `durable` it throws `ERR_MESH_INVALID_OPTIONS`; on a store without
   * replay it throws `ERR_MESH_STORE_UNSUPPORTED`; an `afterId` the store does not
   * hold rejects `ready` with `ERR_MESH_INVALID_OPTIONS`.
   * @default a new durable keeps the events published from the moment it attaches
   * @example { durable: `sse-${clientId}`, from: { afterId: lastEventId } }
   */
  readonly from?: ReplayFrom;
  /**
   * Reshapes each event before the handler sees it: values extracted by JSONPath, then a
   * template for the new `data` (attributes kept). Compiled once; an event where a path
   * finds nothing fails the delivery with `ERR_MESH_TRANSFORM_FAILED` (retry and
   * dead letter apply). README "Transforming events".
   * @example { extract: { id: '$.data.order.id' }, template: '{"order":"${id}"}' }
   */
  readonly transform?: TransformSpec;
  /** A name for diagnostics (errors, dead letters). @default the durable name, else the pattern */
  readonly name?: string;
}

/** Where a durable subscription starts when the store creates it (`SubscribeOptions.from`). */
export type ReplayFrom = { readonly afterId: string } | { readonly time: Date | number };

/** The handle `subscribe` returns. */
export interface Subscription {
  readonly pattern: string;
  readonly group: string | undefined;
  readonly durable: string | undefined;
  readonly name: string;
  /** False once unsubscribed or the mesh closed. */
  readonly active: boolean;
  /** Resolves when the subscription receives events (durable ones attach to the store asynchronously). */
  readonly ready: Promise<void>;
  /**
   * Stops deliveries: nothing new starts (queued events of a durable subscription
   * stay in the store). Resolves once detached; handlers already running finish on
   * their own, so a handler may await its own subscription's unsubscribe.
   */
  unsubscribe(): Promise<void>;
}

/** Per-subscription delivery settings, resolved and validated once. */
export interface DeliveryPolicy {
  readonly concurrency: number;
  readonly keyOf: ((event: MeshEvent) => string) | undefined;
  readonly retry: ResolvedRetry;
  readonly deadLetter: string | undefined;
  /** Queued events allowed to wait for the handler (`SubscribeOptions.maxQueued`). */
  readonly maxQueued: number;
}

/** Where a subscription that stands for a remote one delivers: the node and its subscription id there. */
export interface RemoteTarget {
  readonly node: string;
  readonly sub: string;
}

/** What a handler gets as `ctx`: its documented fields and nothing else. */
class Context implements DeliveryContext {
  constructor(
    readonly pattern: string,
    readonly attempt: number,
    readonly group: string | undefined,
    readonly subscription: Subscription,
  ) {}
}

/** The host of a subscription, for delivery code only: not reachable from a handler's `ctx`. */
// Assigned in MeshSubscription's static block, the one place that can read #host.
export let hostOf: (sub: MeshSubscription) => DeliveryHost;

/**
 * A subscription's state. Fields read on every delivery come first and are set in
 * the constructor so all instances share one hidden class; nothing here is a
 * per-subscription closure. The mesh that hosts it is an ES private field: this
 * object is the handle `subscribe` returns and `ctx.subscription`, so nothing a
 * handler holds leads back to the mesh's internals.
 */
export class MeshSubscription implements Subscription {
  /** False once unsubscribed; read on every delivery. */
  live = true;
  /** Set while a handler runs synchronously on the fast path (catches re-entrant delivery). */
  busy = false;
  sched: Scheduler | undefined = undefined;
  pipeIn: Subject<MeshEvent> | undefined = undefined;
  /** The first attempt's `ctx`, made at the first delivery (many subscriptions never get one). */
  ctx: DeliveryContext | undefined = undefined;
  ready: Promise<void> = RESOLVED;
  /** Called when the subscription ends (used by `observe` to complete its subscriber). */
  onEnd: (() => void) | undefined = undefined;
  /** Handler calls that succeeded (`mesh.inspect()`); one increment, the cheapest count there is. */
  delivered = 0;
  /**
   * Failed attempts, made with the first: most subscriptions never fail, and each field
   * here is 8 bytes on every one of 100k subscriptions.
   */
  failures: FailureCounts | undefined = undefined;
  readonly #host: DeliveryHost;

  static {
    hostOf = (sub) => sub.#host;
  }

  /**
   * @param remote set for a proxy of a remote subscription: routing collects it as a
   *   destination instead of running `handler`
   */
  constructor(
    readonly pattern: string,
    readonly handler: EventHandler,
    readonly filter: EventPredicate | undefined,
    readonly policy: DeliveryPolicy,
    host: DeliveryHost,
    readonly options: SubscribeOptions | undefined,
    readonly remote: RemoteTarget | undefined = undefined,
  ) {
    this.#host = host;
  }

  get active(): boolean {
    return this.live && this.#host.accepting;
  }

  /** It serves a stock EventMesh client's session (HookSubscription.servesClient): no user code runs in it. */
  get servesClient(): boolean {
    return clientServing.has(this);
  }

  /** Marks it as serving a stock client (before any delivery). */
  servesAClient(): void {
    clientServing.add(this);
  }

  get group(): string | undefined {
    return this.options?.group;
  }

  get durable(): string | undefined {
    return this.options?.durable;
  }

  get name(): string {
    return this.options?.name ?? this.options?.durable ?? this.pattern;
  }

  /** The `ctx` of attempt `attempt`: one shared object for the first, a new one per retry. */
  contextFor(attempt: number): DeliveryContext {
    if (attempt === 1) return (this.ctx ??= new Context(this.pattern, 1, this.group, this));
    return new Context(this.pattern, attempt, this.group, this);
  }

  async unsubscribe(): Promise<void> {
    if (!this.live) return;
    this.end();
    await this.#host.detach(this);
  }

  /** Stops deliveries at once (unsubscribe, or the mesh closing). */
  end(): void {
    this.live = false;
    this.sched?.dropQueued();
    this.pipeIn?.complete();
    this.onEnd?.();
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Subscriptions serving stock clients: few, so a set beside them rather than a field on all. */
const clientServing = new WeakSet<MeshSubscription>();

/** How a subscription's failed attempts ended (`mesh.inspect()`). */
export interface FailureCounts {
  /** Failed attempts followed by another attempt. */
  retried: number;
  /** Events whose last attempt failed (dead-lettered or not). */
  failed: number;
  /** Of `failed`, those handed to the dead-letter topic. */
  deadLettered: number;
}
