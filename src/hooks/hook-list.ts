import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { WireFrame } from '../wire/frame.js';

/** How one delivery attempt ended. `retried`: it failed and another attempt is scheduled. */
export type DeliveryOutcome = 'ok' | 'failed' | 'retried' | 'dead_lettered';

/** How a request ended for its requester (`mesh.request`, or a stock client's). */
export type RequestOutcome = 'ok' | 'timeout' | 'no_responder' | 'failed';

/** A subscription as hooks see it: its public description, nothing to act on. */
export interface HookSubscription {
  readonly name: string;
  readonly pattern: string;
  readonly group: string | undefined;
  readonly durable: string | undefined;
  /**
   * True for a subscription the mesh holds for a stock EventMesh client: its handler
   * pushes the event to that client, no user code runs here.
   */
  readonly servesClient: boolean;
}

/**
 * Who is on the other side of a connection: an evmesh peer, or a stock EventMesh
 * client. `identity` is the peer's node id or the client's UserAgent username (else
 * subsystem); undefined before its HELLO was accepted.
 */
export interface RemoteParty {
  readonly kind: 'peer' | 'client';
  readonly identity: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** A subscription a remote party asks this node to route to it. */
export interface RemoteAdvertisement {
  /** The node that holds the subscription (a peer may relay another node's); none for a stock client's topic. */
  readonly node?: string | undefined;
  /** A mesh pattern; for a stock client, its topic (matched against `subject`). */
  readonly pattern: string;
  readonly group?: string | undefined;
  /** Its declarative filter, as the JSON data that arrived (checked before hooks see it). */
  readonly filter?: unknown;
}

/**
 * The closed list of points where features that are not the kernel's own (metrics,
 * tracing, access control) attach. Notification hooks return nothing; the checks may
 * return `false` to refuse: what arrived (a frame is dropped, an event is not delivered
 * or forwarded, an advertisement is not routed to), or what would leave over a link.
 */
export interface HookSignatures {
  /** An event published on this node, after the `use` chain, before it is routed. */
  onPublish(event: MeshEvent): void;
  /** A handler is about to run for `event` (every attempt, `attempt` from 1). */
  onDeliver(event: MeshEvent, sub: HookSubscription, attempt: number): void;
  /**
   * Runs around the handler of every attempt (after `onDeliver`): must call `run` once,
   * synchronously, and return what it returned (a handler's promise included), or let
   * what it threw propagate. Several compose, the first registered outermost. Lets a
   * feature run the handler inside a context of its own (tracing's consumer span).
   */
  wrapDelivery(event: MeshEvent, sub: HookSubscription, attempt: number, run: () => unknown): unknown;
  /** An attempt is over, with how it ended and how long the handler took, in ms. */
  onSettle(event: MeshEvent, sub: HookSubscription, outcome: DeliveryOutcome, durationMs: number): void;
  /** A peer link is up (its interest known) or a stock client's HELLO was accepted. */
  onLinkUp(party: RemoteParty): void;
  /** That link or session ended. */
  onLinkDown(party: RemoteParty): void;
  /** A frame arrived from a remote party; `false` drops it unanswered. */
  onRemoteFrame(frame: WireFrame, from: RemoteParty): boolean | void;
  /** An event arrived from a remote party (a peer forwards it, a client publishes or asks it). */
  onRemoteEvent(event: MeshEvent, from: RemoteParty): boolean | void;
  /** A remote party advertises a subscription (a peer's SUBSCRIBE, a client's LISTEN). */
  onRemoteSubscribe(advertisement: RemoteAdvertisement, from: RemoteParty): boolean | void;
  /**
   * An event (or request) is about to leave over a peer link to `to`, sent from here or
   * passed on; `false` keeps it off that link (the other destinations still get it).
   */
  onRemoteSend(event: MeshEvent, to: RemoteParty): boolean | void;
  /** A request opened on this node ended (`type` is the request's). */
  onRequestDone(outcome: RequestOutcome, type: string): void;
  /** The mesh reported an error (to `'error'` listeners, or its logger). */
  onReport(error: MeshError): void;
}

export type HookName = keyof HookSignatures;

/** The inbound checks: the hooks whose `false` refuses. */
export type CheckHookName = 'onRemoteFrame' | 'onRemoteEvent' | 'onRemoteSubscribe' | 'onRemoteSend';

/** The hooks that run around a call rather than before or after it. */
export type WrapHookName = 'wrapDelivery';

export type NotifyHookName = Exclude<HookName, CheckHookName | WrapHookName>;

/** Every hook, in the order a published event meets them. */
export const HOOK_NAMES: readonly HookName[] = Object.freeze([
  'onPublish', 'onDeliver', 'wrapDelivery', 'onSettle', 'onLinkUp', 'onLinkDown', 'onRemoteFrame', 'onRemoteEvent', 'onRemoteSubscribe', 'onRemoteSend',
  'onRequestDone', 'onReport',
] as const);
