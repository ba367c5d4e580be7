import { MeshError, toMeshError, asMeshError } from '../errors.js';
import { EventIds } from '../event/event-ids.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { createEvent, toMeshEvent, type EventFactory } from '../event/normalize.js';
import { deadLetterEvent } from '../delivery/dead-letter.js';
import { Drain } from '../delivery/drain.js';
import type { DeliveryHost } from '../delivery/host.js';
import { Publisher, type PublisherHost } from '../delivery/publisher.js';
import { RequestTable } from '../delivery/request.js';
import { RoutingTable } from '../delivery/routing-table.js';
import { Federation } from '../federation/federation.js';
import type { FederationHost } from '../federation/proxies.js';
import type { Transport } from '../federation/transport.js';
import type { Link } from '../federation/link.js';
import { StockSessions } from '../federation/stock/stock-sessions.js';
import type { WireFrame } from '../wire/frame.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import type { MeshStore, StoreConsumer } from '../store/store.js';
import type { PeerHello, ResolvedOptions } from './options.js';
import { Signals, type PeerInfo } from './signals.js';

export type MeshState = 'idle' | 'started' | 'closing' | 'closed';

/** Announced to peers in HELLO (PROTOCOL §2.2). */
const MESH_VERSION = '0.1.0';

/**
 * The state behind one `Mesh`: the parts it is made of and the small services
 * they ask of each other (DeliveryHost, PublisherHost). Nothing here is global,
 * so meshes in one process never interfere.
 */
export class Kernel implements DeliveryHost, PublisherHost, EventFactory, FederationHost {
  readonly ids = new EventIds();
  readonly source: string;
  readonly signals: Signals;
  readonly table: RoutingTable;
  readonly store: MeshStore;
  readonly requests = new RequestTable();
  readonly drain = new Drain();
  readonly timers = new Set<NodeJS.Timeout>();
  /** Subscriptions close() must tear down: those with a pipe, a store consumer or an observer. */
  readonly closables = new Set<MeshSubscription>();
  /** The store consumer of each durable subscription, once attached. */
  readonly consumers = new Map<MeshSubscription, Promise<StoreConsumer | undefined>>();
  /** Per durable subscription, the settle functions of store deliveries not yet acknowledged. */
  readonly unacked = new Map<MeshSubscription, Set<(acked: boolean) => void>>();
  readonly publisher: Publisher;
  /** Created when the first link attaches; undefined keeps federation off every hot path. */
  federation: Federation | undefined = undefined;
  /** Sockets (listen, peers); set by start() when those options are given. */
  transport: Transport | undefined = undefined;
  /** Stock EventMesh client sessions, created with the first one (PROTOCOL §8). */
  stock: StockSessions | undefined = undefined;
  readonly version = MESH_VERSION;
  /** Mirrors `state` as one boolean: it is checked on every emit. */
  accepting = true;
  halted = false;
  #state: MeshState = 'idle';
  storeOpen = false;
  private opening: Promise<void> | undefined;

  constructor(readonly options: ResolvedOptions) {
    this.source = options.source;
    this.signals = new Signals(options.logger);
    this.table = new RoutingTable(options.matchCacheSize);
    this.store = options.store;
    this.publisher = new Publisher(this);
  }

  get state(): MeshState {
    return this.#state;
  }

  set state(next: MeshState) {
    this.#state = next;
    this.accepting = next === 'idle' || next === 'started';
  }

  /** True while durable subscriptions wait for the store to open: appends must queue behind them. */
  get awaitingStore(): boolean {
    return !this.storeOpen && this.consumers.size > 0;
  }

  async detach(sub: MeshSubscription): Promise<void> {
    this.closables.delete(sub);
    if (this.consumers.has(sub)) {
      await this.stopConsumer(sub);
    } else {
      this.table.remove(sub);
      this.federation?.localRemoved(sub);
    }
  }

  /** Stops the store feeding a durable subscription; deliveries already handed over go on. */
  async stopConsumer(sub: MeshSubscription): Promise<void> {
    const consumer = this.consumers.get(sub);
    this.consumers.delete(sub);
    await (await consumer)?.stop();
  }

  /** Hands deliveries a subscription did not finish back to the store (close() past its deadline). */
  abandon(sub: MeshSubscription): void {
    const pending = this.unacked.get(sub);
    this.unacked.delete(sub);
    if (pending !== undefined) for (const settle of [...pending]) settle(false);
  }

  assertOpen(): void {
    if (!this.accepting) throw new MeshError('ERR_MESH_CLOSED', `Mesh ${this.options.id} is ${this.state}`);
  }

  storeReady(): Promise<void> {
    return (this.opening ??= this.store.open({ meshId: this.options.id, report: (error) => this.report(error) }).then(
      () => {
        this.storeOpen = true;
        // Opened after close() finished: nobody else will close it.
        if (this.state === 'closed') void this.store.close();
      },
      (err: unknown) => {
        this.opening = undefined;
        throw asMeshError(err, 'ERR_MESH_STORE_FAILED', { store: this.store.name });
      },
    ));
  }

  report(error: MeshError): void {
    this.signals.error(error);
  }

  get openRequests(): number {
    return this.requests.size + (this.federation?.servedRequests ?? 0);
  }

  answer(event: MeshEvent, value: unknown): void {
    if (this.requests.isOpen(event.id)) this.requests.answer(event.id, this.replyTo(event, value));
    else this.federation?.answer(event, value);
  }

  // FederationHost
  get selfId(): string {
    return this.options.id;
  }

  replyTo(request: MeshEvent, value: unknown): MeshEvent {
    return createEvent(this, `${request.type}.reply`, value, { inreplyto: request.id });
  }

  settleRequest(id: string, reply: MeshEvent): void {
    this.requests.answer(id, reply);
  }

  requestDeadline(id: string): number | undefined {
    return this.requests.deadlineOf(id);
  }

  peerChanged(up: boolean, peer: PeerInfo): void {
    this.signals.emit(up ? 'peer:up' : 'peer:down', peer);
  }

  get token(): string | undefined {
    return this.options.token;
  }

  verifyHello(hello: PeerHello): boolean | Promise<boolean> {
    const hook = this.options.verifyHello;
    if (hook === undefined) return true;
    try {
      return hook(hello);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  stockHello(link: Link, hello: WireFrame): void {
    (this.stock ??= new StockSessions(this)).adopt(link, hello);
  }

  /** The federation, created on first use with every live subscription already here. */
  federate(): Federation {
    if (this.federation !== undefined) return this.federation;
    const federation = new Federation(this);
    this.federation = federation;
    for (const sub of [...this.table.subscriptions()]) federation.localAdded(sub);
    return federation;
  }

  deadLetter(sub: MeshSubscription, event: MeshEvent, attempts: number, error: unknown): void {
    const topic = sub.policy.deadLetter as string;
    if (this.halted) {
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

  toEvent(value: unknown): MeshEvent {
    return toMeshEvent(this, value);
  }
}
