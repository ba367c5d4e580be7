import type { Acl } from '../security/acl.js';
import type { Observable } from 'rxjs';
import type { RateLimiter } from '../util/rate-limiter.js';
import { MeshError } from '../errors.js';
import { isMeshEvent, type MeshEvent } from '../event/mesh-event.js';
import { createEvent, toMeshEvent, type CloudEventInput, type EventAttributes } from '../event/normalize.js';
import { requestTimeout, type RequestOptions as BaseRequestOptions } from '../delivery/request.js';
import type { EventHandler, SubscribeOptions, Subscription } from '../delivery/subscription.js';
import { registerInstance } from '../decorators/register.js';
import { observe, type ObserveOptions } from '../pipeline/observe.js';
import type { UseOperator } from '../pipeline/use-chain.js';
import { checkSubscription } from '../delivery/check-subscription.js';
import type { Link } from '../federation/link.js';
import type { Hooks } from '../hooks/hooks.js';
import { Kernel } from './kernel.js';
import type { PeerStats } from '../federation/peer-info.js';
import type { HealthOptions, HealthReport } from '../inspect/health.js';
import type { DurableSnapshot, MeshSnapshot } from '../inspect/snapshot.js';
import type { MetricsRegistry } from '../metrics/metrics-options.js';
import { close, start, waitForPeers } from './lifecycle.js';
import { openRequest } from './open-request.js';
import { resolveOptions, resolveWaitForPeers, type MeshOptions, type StartOptions } from './options.js';
import type { MeshSignal, MeshSignals } from './signals.js';
import { subscribe } from './subscribe.js';

export interface RequestOptions extends BaseRequestOptions {
  /** Extra CloudEvents attributes for the request event (subject, extensions…). */
  readonly attributes?: EventAttributes;
}

/**
 * An event mesh node. A facade: each method validates its input and delegates to
 * the kernel's parts (routing table, publisher, subscriptions, lifecycle).
 */
export class Mesh {
  // A TS-private field, not `#k`: on Node 20 a #private read costs a few ns on
  // every emit (brand check), measured on the benchmark's hot path.
  private readonly k: Kernel;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options?: MeshOptions) {
    this.k = new Kernel(resolveOptions(options));
    kernels.set(this, this.k);
  }

  /** This node's id. */
  get id(): string {
    return this.k.options.id;
  }

  /** Where this node accepts peers, once `start()` bound it (with `listen.port: 0`, the port picked). */
  get address(): { host: string; port: number } | undefined {
    return this.k.transport?.address;
  }

  /**
   * Linked peers, with each link's outbound queue and counters, then the configured
   * peers not linked, with their `state` and `lastError`.
   */
  peers(): PeerStats[] {
    return this.k.observability.peers();
  }

  /**
   * A plain, JSON-able picture of this node now: subscriptions with their queues and
   * counters, peers, stock client sessions, durables (with the backlog last read by
   * `backlog()`), open requests, refusals. Reads counters; changes nothing.
   */
  inspect(): MeshSnapshot {
    return this.k.observability.inspect();
  }

  /**
   * Reads, from the store, how many events each durable this mesh consumes has not
   * processed yet (what an autoscaler scales on); also refreshes `inspect().durables`.
   * Never rejects: a store that cannot tell, or cannot be reached, gives `undefined`.
   */
  backlog(): Promise<readonly DurableSnapshot[]> {
    return this.k.observability.backlog();
  }

  /** Started, and (as asked) its peers linked and its store answering: for probes and `/health`. */
  health(options?: HealthOptions): Promise<HealthReport> {
    return this.k.observability.health(options);
  }

  /** The default `source` of events published here. */
  get source(): string {
    return this.k.source;
  }

  /**
   * Opens the store (and, with federation, binds and dials). Idempotent. With
   * `waitForPeers`, also waits for every configured peer to be linked (`StartOptions`).
   */
  start(options?: StartOptions): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new MeshError('ERR_MESH_CLOSED', `Mesh ${this.id} is closed`));
    let wait: number | undefined;
    try {
      wait = resolveWaitForPeers(options);
    } catch (err) {
      return Promise.reject(err);
    }
    // A failed start (store unreachable, port in use) may be retried: forget the rejected attempt.
    const starting = (this.#starting ??= start(this.k).catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    }));
    // Peers not linked in time reject this call only: the mesh is started, a later start() resolves.
    return wait === undefined ? starting : starting.then(() => waitForPeers(this.k, wait));
  }

  /** Drains in-flight handlers (within `closeTimeout`), then releases everything. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= close(this.k));
  }

  /**
   * Publishes; resolves with the event as sent once it is accepted (by the store
   * where it is durable). An event a `use` chain drops resolves too (it was
   * accepted and filtered), with the event as given. Re-publishing an event
   * object sends it again with the same id.
   */
  publish<T>(topic: string, data?: T, attributes?: EventAttributes): Promise<MeshEvent<T>>;
  publish<T>(event: CloudEventInput<T> | MeshEvent<T>): Promise<MeshEvent<T>>;
  publish<T>(topicOrEvent: string | CloudEventInput<T> | MeshEvent<T>, data?: T, attributes?: EventAttributes): Promise<MeshEvent<T>> {
    const k = this.k;
    try {
      k.assertOpen();
      if (typeof topicOrEvent === 'string') {
        const route = k.table.route(topicOrEvent);
        return k.publisher.publish(createEvent(k, topicOrEvent, data, attributes), route) as Promise<MeshEvent<T>>;
      }
      return k.publisher.publish(toMeshEvent(k, topicOrEvent), undefined) as Promise<MeshEvent<T>>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Synchronous `publish`: returns the event; throws only for bad input. Later
   * failures (a `use` chain that throws, a store that refuses) go to `on('error')`.
   */
  emit<T>(topic: string, data?: T, attributes?: EventAttributes): MeshEvent<T>;
  emit<T>(event: CloudEventInput<T> | MeshEvent<T>): MeshEvent<T>;
  emit<T>(topicOrEvent: string | CloudEventInput<T> | MeshEvent<T>, data?: T, attributes?: EventAttributes): MeshEvent<T> {
    const k = this.k;
    if (!k.accepting) k.assertOpen();
    if (typeof topicOrEvent === 'string') {
      const route = k.table.route(topicOrEvent);
      return k.publisher.emit(createEvent(k, topicOrEvent, data, attributes), route) as MeshEvent<T>;
    }
    // Events made by a mesh are valid by construction: skip normalisation (the common re-emit case).
    const event = isMeshEvent(topicOrEvent) ? (topicOrEvent as MeshEvent<T>) : toMeshEvent<T>(k, topicOrEvent);
    return k.publisher.emit(event, undefined) as MeshEvent<T>;
  }

  subscribe<T = unknown>(pattern: string, handler: EventHandler<T>, options?: SubscribeOptions): Subscription {
    return subscribe(this.k, pattern, handler as EventHandler, options);
  }

  /** A cold Observable of the events matching `pattern`. */
  observe<T = unknown>(pattern: string, options?: ObserveOptions): Observable<MeshEvent<T>> {
    // Validate now, so bad input throws here and not inside some later subscribe().
    checkSubscription(pattern, observe, options);
    return observe<T>((p, h, o) => {
      const sub = subscribe(this.k, p, h, o);
      this.k.closables.add(sub);
      return sub;
    }, pattern, options);
  }

  /** Adds a mesh-wide RxJS chain run on every event published here, before routing. Returns a remover. */
  use(operator: UseOperator): () => void {
    return this.k.publisher.chain.add(operator);
  }

  /** Sends a request; resolves with the first reply (a CloudEvent whose data is the handler's return value). */
  request<R = unknown, T = unknown>(topic: string, data?: T, options?: RequestOptions): Promise<MeshEvent<R>> {
    const k = this.k;
    try {
      k.assertOpen();
      const timeout = requestTimeout(options?.timeout);
      const route = k.table.route(topic);
      const event = createEvent(k, topic, data, options?.attributes);
      const send = (): void => void k.publisher.send(event, route);
      return openRequest(k, { event, topic, route, timeout, durable: true, send }) as Promise<MeshEvent<R>>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Removes a durable subscription from the store: its position and the events kept
   * for it are dropped, so subscribing with that name again starts from now (or from
   * `from`). Unsubscribe it first, on every mesh sharing the store; a subscription of
   * this mesh still attached rejects with `ERR_MESH_INVALID_OPTIONS`. A store that
   * cannot delete rejects with `ERR_MESH_STORE_UNSUPPORTED`. An unknown name resolves.
   * @example await sub.unsubscribe(); await mesh.deleteDurable(`sse-${clientId}`);
   */
  async deleteDurable(name: string): Promise<void> {
    this.k.assertOpen();
    if (typeof name !== 'string' || name.length === 0) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'deleteDurable needs a durable name');
    await this.k.durables.delete(name);
  }

  /** Subscribes every `@OnEvent` method of `instance` and binds its `@Publish` methods to this mesh. */
  register(instance: object): Subscription[] {
    return registerInstance(this, instance);
  }

  on<K extends MeshSignal>(signal: K, listener: (...args: MeshSignals[K]) => void): this {
    this.k.signals.on(signal, listener);
    return this;
  }

  off<K extends MeshSignal>(signal: K, listener: (...args: MeshSignals[K]) => void): this {
    this.k.signals.off(signal, listener);
    return this;
  }
}

// Lets the package's own modules (testing helpers, transports) reach a mesh's kernel
// without exposing it on the public class. Keyed weakly: it keeps no mesh alive.
const kernels = new WeakMap<Mesh, Kernel>();

/** @internal The kernel behind a mesh. */
export function kernelOf(mesh: Mesh): Kernel {
  const kernel = kernels.get(mesh);
  if (kernel === undefined) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'not a mesh created by this copy of evmesh');
  return kernel;
}

/** @internal Attaches a link to a mesh's federation (evmesh/testing's in-memory links); `dials` says HELLO. */
export function attachLink(mesh: Mesh, link: Link, dials: boolean): void {
  kernelOf(mesh).federate().attach(link, dials);
}

/** @internal The hooks of a mesh (metrics, tracing and access control attach there). */
export function hooksOf(mesh: Mesh): Hooks {
  return kernelOf(mesh).hooks;
}

/** @internal `limits.publishRate` of a mesh, a token bucket per identity, shared by its stock clients and HTTP callers. */
export function publishLimiterOf(mesh: Mesh): RateLimiter | undefined {
  return kernelOf(mesh).publishLimiter;
}

/** @internal The registry a mesh's metrics are in (`createMesh({ metrics })`); undefined without. */
export function metricsRegistryOf(mesh: Mesh): MetricsRegistry | undefined {
  return kernelOf(mesh).observability.metrics?.registry;
}

/** @internal The mesh's access control list (`createMesh({ acl })`), for evmesh/express; undefined without one. */
export function aclOf(mesh: Mesh): Acl | undefined {
  return kernelOf(mesh).acl;
}

/** Creates a mesh node. Nothing binds or connects until `start()`. */
export function createMesh(options?: MeshOptions): Mesh {
  return new Mesh(options);
}
