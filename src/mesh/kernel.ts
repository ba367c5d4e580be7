import { MeshError, toMeshError } from '../errors.js';
import { EventIds } from '../event/event-ids.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { createEvent, toMeshEvent, type EventFactory } from '../event/normalize.js';
import { deadLetterEvent } from '../delivery/dead-letter.js';
import { Drain } from '../delivery/drain.js';
import { requestFailure } from '../delivery/failure.js';
import type { RequestFailure } from '../delivery/request-takers.js';
import type { DeliveryHost } from '../delivery/host.js';
import { RequestTable } from '../delivery/request.js';
import { RoutingTable } from '../delivery/routing-table.js';
import { Scheduler } from '../delivery/scheduler.js';
import type { EventHandler, MeshSubscription, SubscribeOptions } from '../delivery/subscription.js';
import { Durables, type DurablesHost } from '../durable/durables.js';
import { Federation } from '../federation/federation.js';
import type { FederationHost } from '../federation/federation-host.js';
import type { Link } from '../federation/link.js';
import type { HelloVerdict, PeerHello, PeerInfo } from '../federation/peer-info.js';
import type { StockHost, TopicOf } from '../federation/stock/stock-host.js';
import type { ResolvedStockOptions } from '../federation/stock/stock-options.js';
import { StockSessions } from '../federation/stock/stock-sessions.js';
import type { Transport } from '../federation/transport.js';
import { Hooks } from '../hooks/hooks.js';
import { Refusals, type ResolvedLimits } from '../federation/limits.js';
import { RateLimiter } from '../util/rate-limiter.js';
import { Log } from '../util/log.js';
import { Acl } from '../security/acl.js';
import { attachAcl } from '../security/attach-acl.js';
import type { PublishHost } from '../publish/publish-host.js';
import { Publisher } from '../publish/publisher.js';
import type { StoreContext } from '../store/store.js';
import type { WireFrame } from '../wire/frame.js';
import { openRequest } from './open-request.js';
import type { ResolvedOptions } from './options.js';
import { Observability } from './observability.js';
import { Signals } from './signals.js';
import { subscribe } from './subscribe.js';

export type MeshState = 'idle' | 'started' | 'closing' | 'closed';

/** Announced to peers in HELLO (PROTOCOL §2.2). */
const MESH_VERSION = '0.1.0';

/**
 * The parts one `Mesh` is made of, wired together. Each lower layer declares the small
 * host interface it needs (DeliveryHost, PublishHost, FederationHost, StockHost,
 * DurablesHost); this class is the one place that implements them, and only `mesh/`
 * sees it. Nothing here is global, so meshes in one process never interfere.
 */
export class Kernel implements DeliveryHost, PublishHost, EventFactory, FederationHost, StockHost, DurablesHost {
  readonly ids = new EventIds();
  readonly source: string;
  readonly signals: Signals;
  /** `logger` at `logLevel`; every line carries this node's id (`node`). */
  readonly log: Log;
  readonly table: RoutingTable;
  readonly requests = new RequestTable();
  readonly drain = new Drain();
  readonly timers = new Set<NodeJS.Timeout>();
  readonly hooks: Hooks;
  /** `createMesh({ acl })`, enforced on the hooks; undefined when no acl is set. */
  readonly acl: Acl | undefined;
  readonly durables: Durables;
  readonly storeContext: StoreContext;
  /** Subscriptions close() must tear down: those with a pipe, a store consumer or an observer. */
  readonly closables = new Set<MeshSubscription>();
  readonly publisher: Publisher;
  readonly version = MESH_VERSION;
  /** Mirrors `state` as one boolean: it is checked on every emit. */
  accepting = true;
  #halted = false;
  /** When the mesh was made, and when `start()` completed (epoch ms), for `mesh.inspect()`. */
  readonly createdAt = Date.now();
  startedAt: number | undefined = undefined;
  #reporting = false;
  #state: MeshState = 'idle';
  /** Created when the first link attaches; undefined keeps federation off every hot path. */
  #federation: Federation | undefined = undefined;
  /** Stock EventMesh client sessions, created with the first one (PROTOCOL §8). */
  #stock: StockSessions | undefined = undefined;
  /** Connections refused by `limits`, reported once per burst. */
  readonly refusals: Refusals;
  /** `limits.publishRate`: a token bucket per stock client identity; undefined: no limit. */
  readonly publishLimiter: RateLimiter | undefined;
  /** Set once start() decided on tracing (`options.tracing`), so a second start() does not attach it twice. */
  tracingAsked = false;
  /** With tracing on: gives an event the active trace context now (the producer span), for events routed later. */
  traceStamp: ((event: MeshEvent) => void) | undefined = undefined;
  /** Sockets (listen, peers); set by start() when those options are given. */
  transport: Transport | undefined = undefined;
  /** Snapshot, backlog, health and (with `metrics`) Prometheus metrics. */
  readonly observability: Observability;

  constructor(readonly options: ResolvedOptions) {
    this.source = options.source;
    this.log = new Log(options.logger, options.logLevel, { node: options.id });
    this.signals = new Signals(this.log);
    this.table = new RoutingTable(options.matchCacheSize);
    this.hooks = new Hooks((error) => this.report(error), () => this.watchDeliveries());
    this.storeContext = {
      meshId: options.id,
      report: (error) => this.report(error),
      reconnected: (details) => this.log.info('store reconnected', { store: options.store.name, ...details }),
    };
    this.acl = options.acl === undefined ? undefined : new Acl(options.acl, (error) => this.report(error));
    if (this.acl !== undefined) attachAcl(this.hooks, this.acl);
    this.durables = new Durables(options.store, this);
    this.publisher = new Publisher(this);
    this.refusals = new Refusals((error) => this.report(error));
    const rate = options.limits.publishRate;
    this.publishLimiter = rate === undefined ? undefined : new RateLimiter(rate.rate, rate.burst);
    this.observability = new Observability(this);
  }

  get limits(): ResolvedLimits {
    return this.options.limits;
  }

  get state(): MeshState {
    return this.#state;
  }

  set state(next: MeshState) {
    this.#state = next;
    this.accepting = next === 'idle' || next === 'started';
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** True once close() stopped draining: queued work and retries are dropped, not run. */
  get halted(): boolean {
    return this.#halted;
  }

  /** close() is past its drain: cancels retry timers, refuses publishes waiting for room and fails open requests. */
  halt(): void {
    this.#halted = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.drain.halt(new MeshError('ERR_MESH_CLOSED', `Mesh ${this.options.id} closed before the event found room in a full subscription`));
    this.requests.rejectAll(new MeshError('ERR_MESH_CLOSED', `Mesh ${this.options.id} closed before the reply`));
  }

  get federation(): Federation | undefined {
    return this.#federation;
  }

  get forwarding(): Federation | undefined {
    return this.#federation;
  }

  get stock(): StockSessions | undefined {
    return this.#stock;
  }

  assertOpen(): void {
    if (!this.accepting) throw new MeshError('ERR_MESH_CLOSED', `Mesh ${this.options.id} is ${this.state}`);
  }

  report(error: MeshError): void {
    // An onReport hook that throws is reported too: without the guard, that report would loop.
    if (this.hooks.onReport !== undefined && !this.#reporting) {
      this.#reporting = true;
      try {
        this.hooks.run('onReport', error);
      } finally {
        this.#reporting = false;
      }
    }
    this.signals.error(error);
  }

  toEvent(value: unknown): MeshEvent {
    return toMeshEvent(this, value);
  }

  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): MeshSubscription {
    return subscribe(this, pattern, handler, options);
  }

  async detach(sub: MeshSubscription): Promise<void> {
    this.closables.delete(sub);
    if (this.durables.has(sub)) {
      await this.durables.stop(sub);
    } else {
      this.table.remove(sub);
      this.#federation?.localRemoved(sub);
    }
  }

  /** The federation, created on first use with every live subscription already here. */
  federate(): Federation {
    if (this.#federation !== undefined) return this.#federation;
    const federation = new Federation(this);
    this.#federation = federation;
    for (const sub of [...this.table.subscriptions()]) federation.localAdded(sub);
    return federation;
  }

  /**
   * Delivery hooks run on the scheduled path: from the first one on, every local
   * subscription gets a scheduler (the fast path stays free of any hook check).
   */
  private watchDeliveries(): void {
    for (const sub of this.table.subscriptions()) {
      // A handler running on the fast path holds a slot the new scheduler must count.
      if (sub.remote === undefined && sub.sched === undefined) sub.sched = new Scheduler(sub, sub.busy ? 1 : 0);
    }
  }

  // Requests

  get openRequests(): number {
    return this.requests.size + (this.#federation?.servedRequests ?? 0);
  }

  answer(event: MeshEvent, value: unknown): void {
    if (this.requests.isOpen(event.id)) this.requests.answer(event.id, this.replyTo(event, value));
    else this.#federation?.answer(event, value);
  }

  replyTo(request: MeshEvent, value: unknown): MeshEvent {
    return createEvent(this, `${request.type}.reply`, value, { inreplyto: request.id });
  }

  settleRequest(id: string, reply: MeshEvent): void {
    this.requests.answer(id, reply);
  }

  tookRequest(event: MeshEvent): boolean {
    return this.requests.took(event.id) || (this.#federation?.tookRequest(event.id) ?? false);
  }

  requestSettled(event: MeshEvent, sub: MeshSubscription, failed: boolean, error: unknown): void {
    const failure = failed ? requestFailure(sub, error, this.options.id) : undefined;
    if (!this.requests.settled(event.id, failure)) this.#federation?.requestSettled(event.id, failure);
  }

  requestForwarded(id: string, nodes: number): void {
    this.requests.awaitRemote(id, nodes);
  }

  remoteTakersDone(id: string, failure: RequestFailure | undefined): void {
    this.requests.settled(id, failure);
  }

  requestDeadline(id: string): number | undefined {
    return this.requests.deadlineOf(id);
  }

  cancelRequest(event: MeshEvent): void {
    this.requests.cancel(event);
  }

  // Stock clients (PROTOCOL §8)

  get stockOptions(): ResolvedStockOptions {
    return this.options.stock;
  }

  publishBy(event: MeshEvent, topicOf: TopicOf): Promise<MeshEvent> {
    return this.publisher.publishBy(event, topicOf);
  }

  requestBy(event: MeshEvent, topicOf: TopicOf, timeout: number): Promise<MeshEvent> {
    const topic = topicOf(event);
    const send = (): void => void this.publisher.sendBy(event, topicOf);
    return openRequest(this, { event, topic, route: this.table.route(topic), timeout, durable: false, send });
  }

  stockHello(link: Link, hello: WireFrame): void {
    (this.#stock ??= new StockSessions(this)).adopt(link, hello);
  }

  // Peers

  get selfId(): string {
    return this.options.id;
  }

  get token(): string | undefined {
    return this.options.token;
  }

  peerChanged(up: boolean, peer: PeerInfo, reason?: string): void {
    if (this.log.enabled('info')) {
      const fields = { peer: peer.node, address: peer.remoteAddress, dialed: peer.dialed };
      if (up) this.log.info('peer link up', fields);
      else this.log.info('peer link down', { ...fields, reason });
    }
    this.signals.emit(up ? 'peer:up' : 'peer:down', peer);
  }

  verifyHello(hello: PeerHello): HelloVerdict | Promise<HelloVerdict> {
    const hook = this.options.verifyHello;
    if (hook === undefined) return true;
    try {
      return hook(hello);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  deadLetter(sub: MeshSubscription, event: MeshEvent, attempts: number, error: unknown): void {
    const topic = sub.policy.deadLetter as string;
    if (this.#halted) {
      // close() is past its drain: nothing may run or be stored any more; say what was not sent.
      this.report(new MeshError('ERR_MESH_DEAD_LETTER_FAILED', `Mesh closed before ${event.id} was dead-lettered`, {
        cause: error, details: { eventId: event.id, deadLetter: topic },
      }));
      return;
    }
    let letter: MeshEvent;
    try {
      letter = deadLetterEvent(this, topic, sub, event, attempts, error);
    } catch (err) {
      this.report(toMeshError('ERR_MESH_DEAD_LETTER_FAILED', err, { eventId: event.id, deadLetter: topic }));
      return;
    }
    // Dead letters are published even while the mesh drains on close: the event
    // was accepted before, and must not vanish because its retries ran late.
    this.publisher.publish(letter, undefined).then(undefined, (err: unknown) => {
      this.report(toMeshError('ERR_MESH_DEAD_LETTER_FAILED', err, { eventId: event.id, deadLetter: topic }));
    });
  }
}
