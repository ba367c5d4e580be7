import type { ConnectionOptions } from 'nats';
import type { MeshError } from '../../src/index.js';
import { OptionChecks } from '../shared/option-checks.js';

export interface NatsStoreOptions {
  /** NATS server URL(s). @example 'nats://127.0.0.1:4222' */
  readonly servers: string | readonly string[];
  /**
   * JetStream stream holding the events; created if missing (file storage, limits retention).
   * @default 'EVMESH'
   */
  readonly stream?: string;
  /**
   * Events are stored under `<subjectPrefix>.<type>`; the stream owns `<subjectPrefix>.>`.
   * @default 'evmesh'
   */
  readonly subjectPrefix?: string;
  /**
   * Bound on the first connect and on JetStream's first answer, ms; also how long
   * `ping` and `backlog` wait for an answer.
   * @default 2000
   */
  readonly connectTimeout?: number;
  /** Delay between reconnect attempts after a connection loss, ms. @default 250 */
  readonly reconnectTimeWait?: number;
  /**
   * How long `append` keeps trying (resending with the same msgID) before it rejects
   * with `ERR_MESH_STORE_UNAVAILABLE`, ms. @default 15000
   */
  readonly publishTimeout?: number;
  /**
   * Send each event's id as `Nats-Msg-Id`, so JetStream drops a resent copy (after a
   * lost PubAck) within `duplicateWindow`: a resend never stores the event twice. Off
   * by default: it costs a header per message and the server's duplicate tracking (in
   * the benchmark, about 20 % more client CPU per event; see benchmarks/analysis.md), and
   * delivery is at-least-once anyway: without it a resend may store an event twice, as
   * a crash may deliver one twice.
   * @default false
   */
  readonly deduplicate?: boolean;
  /** Wait for one PubAck before resending, ms. @default 2000 */
  readonly attemptTimeout?: number;
  /**
   * The consumer's `ack_wait`, ms: an event not acknowledged this long after delivery
   * (its consumer crashed) goes to another member. Long handlers do not trip it: the
   * adapter tells the server it is still working every third of it. @default 30000
   */
  readonly ackWait?: number;
  /** The consumer's `max_ack_pending`: unacknowledged events across all its members. @default 1000 */
  readonly maxAckPending?: number;
  /** How long one pull request waits on the server for events, ms (>= 1000). @default 30000 */
  readonly pullExpires?: number;
  /** Stream `max_age`, ms; 0 keeps events until other limits apply. @default 0 */
  readonly maxAge?: number;
  /** Stream `duplicate_window`, ms: how long a resent msgID is recognised. @default 120000 */
  readonly duplicateWindow?: number;
  /** @default 'file' */
  readonly storage?: 'file' | 'memory';
  /** @default 1 */
  readonly replicas?: number;
  /** More `nats` connection options (credentials, TLS, name); `servers` and reconnect settings are set by the adapter. */
  readonly connection?: Omit<ConnectionOptions, 'servers'>;
  /**
   * Also receives the failures met outside any call (a lost connection, an undecodable
   * message, a consumer that stopped). They reach `mesh.on('error')` of every mesh that
   * has the store open either way; with no mesh and no `onError` they are logged with
   * console.error.
   * @default none
   */
  readonly onError?: (err: MeshError) => void;
}

export interface ResolvedNatsOptions {
  readonly servers: string[];
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly connectTimeout: number;
  readonly reconnectTimeWait: number;
  readonly publishTimeout: number;
  readonly attemptTimeout: number;
  readonly deduplicate: boolean;
  readonly ackWait: number;
  readonly maxAckPending: number;
  readonly pullExpires: number;
  readonly maxAge: number;
  readonly duplicateWindow: number;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
  readonly connection: Omit<ConnectionOptions, 'servers'>;
  readonly onError: ((err: MeshError) => void) | undefined;
}

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_TOKEN = /^[^\s.*>]+$/;

export function resolveOptions(options: NatsStoreOptions): ResolvedNatsOptions {
  const check = new OptionChecks('natsStore');
  const o = check.object(options, 'an options object with `servers`');
  const servers = typeof o.servers === 'string' ? [o.servers] : Array.isArray(o.servers) ? [...(o.servers as unknown[])] : [];
  if (servers.length === 0 || servers.some((s) => typeof s !== 'string' || s.length === 0)) throw check.invalid('servers must be a URL or a non-empty list of URLs');
  return {
    servers: servers as string[],
    stream: check.string('stream', o.stream, 'EVMESH', (s) => STREAM_NAME.test(s), 'letters, digits, "_" or "-"'),
    subjectPrefix: check.string('subjectPrefix', o.subjectPrefix, 'evmesh', (p) => p.split('.').every((t) => SUBJECT_TOKEN.test(t)),
      'a NATS subject without wildcards'),
    connectTimeout: check.integer('connectTimeout', o.connectTimeout, 2000, 1),
    reconnectTimeWait: check.integer('reconnectTimeWait', o.reconnectTimeWait, 250, 1),
    publishTimeout: check.integer('publishTimeout', o.publishTimeout, 15_000, 1),
    attemptTimeout: check.integer('attemptTimeout', o.attemptTimeout, 2000, 1),
    deduplicate: check.boolean('deduplicate', o.deduplicate, false),
    ackWait: check.integer('ackWait', o.ackWait, 30_000, 1),
    maxAckPending: check.integer('maxAckPending', o.maxAckPending, 1000, 1),
    pullExpires: check.integer('pullExpires', o.pullExpires, 30_000, 1000),
    maxAge: check.integer('maxAge', o.maxAge, 0, 0),
    duplicateWindow: check.integer('duplicateWindow', o.duplicateWindow, 120_000, 1),
    storage: check.oneOf('storage', o.storage, 'file', ['file', 'memory']),
    replicas: check.integer('replicas', o.replicas, 1, 1),
    connection: o.connection ?? {},
    onError: check.callback('onError', o.onError),
  };
}
