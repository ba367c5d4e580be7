import type { MeshError } from '../../errors.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import type { EventHandler, MeshSubscription, SubscribeOptions } from '../../delivery/subscription.js';
import type { Hooks } from '../../hooks/hooks.js';
import type { HelloVerdict, PeerHello } from '../peer-info.js';
import type { ResolvedStockOptions } from './stock-options.js';
import type { Refusals, ResolvedLimits } from '../limits.js';
import type { RateLimiter } from '../../util/rate-limiter.js';
import type { Log } from '../../util/log.js';

/** Routes a client's event: by its `subject`, not its type (PROTOCOL §8.2). */
export type TopicOf = (event: MeshEvent) => string;

/** What the stock client sessions need from their mesh (the mesh implements it). */
export interface StockHost {
  readonly stockOptions: ResolvedStockOptions;
  /** False once the mesh is closing: a session that ends then hands nothing on. */
  readonly accepting: boolean;
  readonly hooks: Hooks;
  /** `maxStockSessions` is checked at each client's HELLO. */
  readonly limits: ResolvedLimits;
  readonly refusals: Refusals;
  /** Per identity, the events a client may bring in (`limits.publishRate`); undefined: no limit. */
  readonly publishLimiter: RateLimiter | undefined;
  /** Throws ERR_MESH_CLOSED once the mesh is closing. */
  assertOpen(): void;
  report(error: MeshError): void;
  /** Sessions opening and closing are logged at debug. */
  readonly log: Log;
  /** Validates and normalises what a client sent into an event. */
  toEvent(value: unknown): MeshEvent;
  /** The user's verdict on the client's HELLO (PROTOCOL §9.2). */
  verifyHello(hello: PeerHello): HelloVerdict | Promise<HelloVerdict>;
  /** A mesh subscription serving one of the client's topics (advertised to peers like any other). */
  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions): MeshSubscription;
  /** Publishes a client's event routed by `topicOf`; resolves once the mesh accepted it. */
  publishBy(event: MeshEvent, topicOf: TopicOf): Promise<MeshEvent>;
  /** Opens a client's request routed by `topicOf`; rejects at once with ERR_MESH_NO_RESPONDER when nobody would take it. */
  requestBy(event: MeshEvent, topicOf: TopicOf, timeout: number): Promise<MeshEvent>;
  /** Cancels an open request (its asker went away). */
  cancelRequest(event: MeshEvent): void;
  /** The deadline (epoch ms) of an open request, or undefined. */
  requestDeadline(id: string): number | undefined;
  /** Offers a client's answer to a request that was pushed to it. */
  answer(event: MeshEvent, value: unknown): void;
}
