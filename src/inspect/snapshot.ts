import type { MeshErrorCode } from '../errors.js';
import type { StoreCapabilities } from '../store/store.js';
import type { InboundStats, PeerInterest, PeerState } from '../federation/peer-info.js';
import type { StockSessionInfo } from '../federation/stock/stock-sessions.js';
import type { RefusalReason } from '../federation/limits.js';

/** A subscription in `mesh.inspect()`. Counters run from the subscription's start. */
export interface SubscriptionSnapshot {
  /** What metrics label it by: its `name` (default: durable name, else the pattern). */
  readonly name: string;
  readonly pattern: string;
  readonly group: string | undefined;
  readonly durable: string | undefined;
  readonly concurrency: number;
  /** Handlers running now (retries waiting out their backoff hold their slot). */
  readonly inFlight: number;
  /** Events waiting for a free slot (queued, and publishes waiting for room). */
  readonly queued: number;
  /** Handler calls that succeeded. */
  readonly delivered: number;
  /** Failed attempts followed by another. */
  readonly retried: number;
  /** Events whose last attempt failed. */
  readonly failed: number;
  /** Of `failed`, those sent to the dead-letter topic. */
  readonly deadLettered: number;
}

/** A peer in `mesh.inspect()`: linked, or configured and not linked (with why). */
export interface PeerSnapshot {
  /** Its node id; `''` for a configured peer never linked. */
  readonly node: string;
  readonly state: PeerState;
  /** The configured address this node dials; undefined for a peer that dialed us. */
  readonly address: string | undefined;
  readonly remoteAddress: string | undefined;
  readonly dialed: boolean;
  /** Subscriptions learned over the link, and how many route through it. */
  readonly interest: PeerInterest | undefined;
  readonly out: { readonly frames: number; readonly bytes: number; readonly queuedBytes: number; readonly drainWaits: number; readonly refused: number } | undefined;
  readonly in: InboundStats | undefined;
  /** Round trip of the last answered heartbeat, in ms. */
  readonly rttMs: number | undefined;
  readonly lastError: { readonly code: MeshErrorCode; readonly message: string } | undefined;
}

/** A durable name this mesh consumes. */
export interface DurableSnapshot {
  readonly name: string;
  readonly patterns: readonly string[];
  /** Subscriptions of this mesh attached to it. */
  readonly consumers: number;
  /**
   * Events the store keeps for it, not acknowledged yet, as last read from the store
   * (`mesh.backlog()`, a metrics scrape or the admin endpoint read it); undefined until
   * read, or where the store cannot tell.
   */
  readonly backlog: number | undefined;
  /** When `backlog` was read (ISO time). */
  readonly backlogAt: string | undefined;
}

/** Refusals since the mesh was made, by what refused. */
export type RefusalTotals = Readonly<Record<RefusalReason | 'aclPublish' | 'aclSubscribe' | 'rateLimited', number>>;

/** `mesh.inspect()`: a plain, JSON-able picture of one node now. */
export interface MeshSnapshot {
  readonly id: string;
  readonly state: 'idle' | 'started' | 'closing' | 'closed';
  /** When `start()` completed (ISO time); undefined before. */
  readonly startedAt: string | undefined;
  /** Seconds since the mesh was created. */
  readonly uptimeSeconds: number;
  /** Where it accepts peers and stock clients, once bound. */
  readonly address: { readonly host: string; readonly port: number } | undefined;
  readonly store: { readonly name: string; readonly open: boolean; readonly capabilities: StoreCapabilities };
  readonly subscriptions: readonly SubscriptionSnapshot[];
  readonly peers: readonly PeerSnapshot[];
  readonly stockSessions: readonly StockSessionInfo[];
  readonly durables: readonly DurableSnapshot[];
  /** Requests this node asked and awaits; requests it serves for other nodes. */
  readonly requests: { readonly open: number; readonly served: number };
  readonly refusals: RefusalTotals;
}

export type { StockSessionInfo } from '../federation/stock/stock-sessions.js';
