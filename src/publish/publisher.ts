import { type MeshError, asMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { deliverRest, type OnFull } from '../delivery/deliver-rest.js';
import { deliver } from '../delivery/dispatcher.js';
import type { Route } from '../delivery/routing-table.js';
import type { Scheduler } from '../delivery/scheduler.js';
import { refuseFull } from '../delivery/slow-consumer.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import { UseChain } from '../pipeline/use-chain.js';
import type { PublishHost } from './publish-host.js';

/**
 * The publish path: `use` chain, then routing to live subscribers, then the store
 * for durable ones. `emit` is synchronous and reports store failures as errors;
 * `publish` collects the store's promises and resolves when they have. A subscription
 * whose queue is full (`maxQueued`) makes `publish` wait for its room (the promise of
 * its place is collected like a store's) and `emit` report ERR_MESH_SLOW_CONSUMER.
 */
export class Publisher {
  readonly chain: UseChain;
  // Store appends and waits for room of the publish() currently on the stack; undefined under emit().
  private collect: Promise<void>[] | undefined = undefined;
  // Made once: group members that are full come back through it (no closure per event).
  private readonly onFull: OnFull = (sub, event) => this.full(sub, event);
  // Set while publishBy/sendBy run: what comes out of the `use` chain routes by this, not by type.
  private topicOf: ((event: MeshEvent) => string) | undefined = undefined;
  // Events publishBy/sendBy put into the `use` chain: one the chain passes on later (an
  // asynchronous operator, the evmesh/nest startup gate) is the same object, and must
  // still route by its subject. Weak: a dropped event leaves nothing behind.
  private readonly routedLater = new WeakMap<MeshEvent, (event: MeshEvent) => string>();

  constructor(private readonly host: PublishHost) {
    this.chain = new UseChain({
      toEvent: (value) => host.toEvent(value),
      route: (event) => this.chainRoute(event),
      report: (error) => host.report(error),
    });
  }

  /**
   * `publish`, routed by `topicOf(event)` instead of `event.type` (stock EventMesh
   * clients route by subject, PROTOCOL §8.2), also for what the `use` chain passes
   * on, at once or later as the same event; an event it maps later routes by type.
   */
  publishBy(event: MeshEvent, topicOf: (event: MeshEvent) => string): Promise<MeshEvent> {
    try {
      return this.routedBy(event, topicOf, () => this.publish(event, this.chain.active ? undefined : this.host.table.route(topicOf(event))));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** `send`, routed like `publishBy`. */
  sendBy(event: MeshEvent, topicOf: (event: MeshEvent) => string): MeshEvent {
    return this.routedBy(event, topicOf, () => this.send(event, this.chain.active ? undefined : this.host.table.route(topicOf(event))));
  }

  private routedBy<R>(event: MeshEvent, topicOf: (event: MeshEvent) => string, work: () => R): R {
    if (this.chain.active) this.routedLater.set(event, topicOf);
    const outer = this.topicOf;
    this.topicOf = topicOf;
    try {
      return work();
    } finally {
      this.topicOf = outer;
    }
  }

  private chainRoute(event: MeshEvent): void {
    const topicOf = this.topicOf ?? this.routedLater.get(event);
    // Once: the same object published again later (a handler forwarding it) routes afresh.
    this.routedLater.delete(event);
    if (topicOf === undefined) return this.route(event, undefined);
    // Handlers run inside: what they publish routes by type again.
    const outer = this.topicOf;
    this.topicOf = undefined;
    try {
      this.route(event, this.host.table.route(topicOf(event)));
    } finally {
      this.topicOf = outer;
    }
  }

  /**
   * `emit` semantics (api.md): a failure of the `use` chain is reported on
   * `'error'`, not thrown; bad input was rejected before this point.
   */
  emit(event: MeshEvent, route: Route | undefined): MeshEvent {
    try {
      return this.send(event, route);
    } catch (err) {
      this.host.report(asMeshError(err, 'ERR_MESH_PIPELINE_FAILED', { eventId: event.id }));
      return event;
    }
  }

  /** Routes synchronously; throws when the `use` chain fails (for callers that surface it). */
  send(event: MeshEvent, route: Route | undefined): MeshEvent {
    if (this.collect !== undefined) return this.isolated(event, route, undefined);
    // The same four lines stand in isolated(): kept inline on purpose. Sharing them in a
    // method measured ~10 % slower on the 1-subscriber emit benchmark (not inlined).
    if (!this.chain.active) {
      this.route(event, route);
      return event;
    }
    return this.chain.run(event) ?? event;
  }

  publish(event: MeshEvent, route: Route | undefined): Promise<MeshEvent> {
    const appends: Promise<void>[] = [];
    let sent: MeshEvent;
    try {
      sent = this.isolated(event, route, appends);
    } catch (err) {
      return Promise.reject(err);
    }
    if (appends.length === 0) return Promise.resolve(sent);
    // The usual case, one store append: Promise.all's array, element callbacks and
    // extra promise would be per-publish work for nothing.
    const all = appends.length === 1 ? appends[0] as Promise<void> : Promise.all(appends);
    return all.then(() => sent, (err: unknown) => Promise.reject(storeError(err, sent)));
  }

  /** Routes with its own append collector, so nested publishes never mix their store promises. */
  private isolated(event: MeshEvent, route: Route | undefined, appends: Promise<void>[] | undefined): MeshEvent {
    const outer = this.collect;
    this.collect = appends;
    try {
      if (!this.chain.active) {
        this.route(event, route);
        return event;
      }
      return this.chain.run(event) ?? event;
    } finally {
      this.collect = outer;
    }
  }

  private route(event: MeshEvent, known: Route | undefined): void {
    const host = this.host;
    const route = known ?? host.table.route(event.type);
    const hooks = host.hooks;
    if (hooks.onPublish !== undefined) hooks.run('onPublish', event);
    // Plain local subscriptions, in a loop kept inline: one call level less on the emit path.
    const subs = route.subs;
    for (let i = 0; i < subs.length; i++) if (!deliver(subs[i]!, event)) this.full(subs[i]!, event);
    if (route.groups !== undefined || route.remote !== undefined) {
      const destinations = deliverRest(route, event, this.onFull);
      if (destinations !== undefined) host.forwarding?.forward(event, destinations);
    }
    const durables = host.durables;
    if (durables.wants(event.type)) this.append(durables.append(event), event);
  }

  /**
   * Routes `event` to live destinations only (local subscriptions, groups, peers),
   * never to the store and not through the `use` chain: the outbox relay hands over
   * an event the store already holds. Resolves once every full subscription made
   * room for it, like `publish`. The lines of route() are repeated, not shared:
   * the emit path keeps its single call level.
   */
  live(event: MeshEvent): Promise<void> {
    const waits: Promise<void>[] = [];
    const outer = this.collect;
    this.collect = waits;
    try {
      const host = this.host;
      const route = host.table.route(event.type);
      if (host.hooks.onPublish !== undefined) host.hooks.run('onPublish', event);
      const subs = route.subs;
      for (let i = 0; i < subs.length; i++) if (!deliver(subs[i]!, event)) this.full(subs[i]!, event);
      if (route.groups !== undefined || route.remote !== undefined) {
        const destinations = deliverRest(route, event, this.onFull);
        if (destinations !== undefined) host.forwarding?.forward(event, destinations);
      }
    } catch (err) {
      return Promise.reject(err);
    } finally {
      this.collect = outer;
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  /** `sub` had no room for `event`: a publish waits for its place, anything else is refused. */
  private full(sub: MeshSubscription, event: MeshEvent): void {
    if (this.collect !== undefined) this.collect.push((sub.sched as Scheduler).park(event));
    else refuseFull(sub, event);
  }

  private append(accepted: Promise<void>, event: MeshEvent): void {
    if (this.collect !== undefined) this.collect.push(accepted);
    else accepted.then(undefined, (err: unknown) => this.host.report(storeError(err, event)));
  }
}

function storeError(err: unknown, event: MeshEvent): MeshError {
  return asMeshError(err, 'ERR_MESH_STORE_FAILED', { eventId: event.id, type: event.type });
}
