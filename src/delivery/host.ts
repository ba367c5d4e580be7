import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Drain } from './drain.js';
import type { MeshSubscription } from './subscription.js';

/** What delivery needs from its mesh; keeps delivery code free of the facade. */
export interface DeliveryHost {
  /** Sends an error to `mesh.on('error')` (or the logger when nobody listens). */
  report(error: MeshError): void;
  /** Number of requests waiting for a reply: lets delivery skip the lookup when 0. */
  readonly openRequests: number;
  /** Offers a handler's return value as the reply to `event` if it is a request. */
  answer(event: MeshEvent, value: unknown): void;
  /**
   * A delivery of `event` is now held (queued, running, retrying): true when `event` is
   * an open request (here, or served here for another node), which then counts it as a
   * taker that may still answer, until `requestSettled`.
   */
  tookRequest(event: MeshEvent): boolean;
  /**
   * A taker of a request is done without answering: `failed` when its last attempt threw
   * `error`. Once no taker is left and one failed, the request fails (PROTOCOL §6.4).
   */
  requestSettled(event: MeshEvent, sub: MeshSubscription, failed: boolean, error: unknown): void;
  /** Republishes an event that exhausted its attempts to the subscription's dead-letter topic. */
  deadLetter(sub: MeshSubscription, event: MeshEvent, attempts: number, error: unknown): void;
  /** In-flight and queued asynchronous deliveries of this mesh. */
  readonly drain: Drain;
  /** False once the mesh is closing. */
  readonly accepting: boolean;
  /** True once close() stopped draining: queued work and retries are dropped, not run. */
  readonly halted: boolean;
  /** Takes an ended subscription out of the routing table or the store. */
  detach(sub: MeshSubscription): Promise<void>;
  /** Timers of pending retries, cancelled when the mesh closes. */
  readonly timers: Set<NodeJS.Timeout>;
  /** The mesh's hooks: `onDeliver` / `onSettle` run around handler attempts. */
  readonly hooks: Hooks;
}
