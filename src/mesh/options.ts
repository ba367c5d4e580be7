import { randomBytes } from 'node:crypto';
import { MeshError } from '../errors.js';
import { memoryStore } from '../store/memory-store.js';
import type { MeshStore } from '../store/store.js';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { parsePeer, type PeerAddress } from '../federation/peer-address.js';
import type { HelloVerdict, PeerHello } from '../federation/peer-info.js';
import type { ResolvedStockOptions } from '../federation/stock/stock-options.js';
import type { ResolvedLimits } from '../federation/limits.js';
import { resolveLimits } from './limits-options.js';
import { parseAcl, type AccessControlList, type AclRules } from '../security/acl-rules.js';
import { resolveMetricsOptions, type MetricsOptions, type ResolvedMetricsOptions } from '../metrics/metrics-options.js';
import type { LogLevel, MeshLogger } from '../util/log.js';
import { resolveTracing, type MeshTracingOptions, type TracingMode } from '../tracing/tracing-options.js';

export type { LogFields, LogLevel, MeshLogger } from '../util/log.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export type { HelloCertificate, HelloVerdict, PeerHello } from '../federation/peer-info.js';

export interface MeshOptions {
  /** Node id, unique in the mesh. @default a random id */
  readonly id?: string;
  /** Default CloudEvent `source` for `publish(type, data)`. @default `/evmesh/<id>` */
  readonly source?: string;
  /** Feeds durable subscriptions. @default memoryStore() */
  readonly store?: MeshStore;
  /**
   * Accept peers and EventMesh TCP clients (federation); with `tls`, over TLS (node:tls
   * server options). `host` defaults to loopback: set `'0.0.0.0'` (or an interface's
   * address) for other machines to reach it. A port that cannot be bound makes `start()`
   * reject with `ERR_MESH_LISTEN_FAILED`.
   * @default host '127.0.0.1'
   */
  readonly listen?: { readonly host?: string; readonly port: number; readonly tls?: TlsOptions };
  /**
   * Peers to dial, e.g. `tcp://127.0.0.1:10001` (federation); redialed with backoff for
   * as long as the mesh runs. `start({ waitForPeers })` waits until they are linked.
   */
  readonly peers?: readonly string[];
  /** node:tls options (ca, cert, key, servername…) used to dial `tls://` peers. */
  readonly peerTls?: ConnectionOptions;
  /** Sent in this node's HELLO (UserAgent `token`), for peers that check it. */
  readonly token?: string;
  /**
   * Decides whether a peer or stock client may join: return false (or a promise of
   * false) to refuse its HELLO with code 1 and close the connection (PROTOCOL §9.2);
   * true to admit it under its own name (a peer's node id, a client's UserAgent
   * `username`, else `subsystem`), `{ identity }` to admit it as that identity (what
   * hooks and `acl` see). With mutual TLS, `hello.certificate` is the verified client certificate.
   * @example verifyHello: ({ certificate }) => certificate ? { identity: String(certificate.subject.CN) } : false
   */
  readonly verifyHello?: (hello: PeerHello) => HelloVerdict | Promise<HelloVerdict>;
  /**
   * Heartbeat interval on peer links, in ms; a peer silent for 3 intervals is dropped.
   * @default 2000
   */
  readonly heartbeatInterval?: number;
  /**
   * Topics whose route is cached; 0 disables the cache.
   * @default 10000
   */
  readonly matchCacheSize?: number;
  /**
   * How long `close()` waits for in-flight handlers, in ms. Past it, `close()` reports
   * `ERR_MESH_DRAIN_TIMEOUT` with what it gave up: `details.pending` (how many),
   * `deliveries` (the first 100: `eventId`, `subscription`, `durable`, `state`),
   * `eventIds`, `omitted` and `durable` (deliveries of durable subscriptions, whose events
   * stay in the store and are delivered again).
   * @default 10000
   */
  readonly closeTimeout?: number;
  /**
   * Where the mesh logs (README "Logging"): `console` or any object with `error` and
   * optionally `warn`, `info`, `debug` (called `(message, fields)`; a missing level is
   * skipped), or a pino/bunyan logger as is (called `(fields, message)`: recognised by
   * its `child` function and its `levels`). Errors no `'error'` listener received are
   * logged at `error` (with the error as `detail`, or `err` for pino).
   * @default console
   * @example logger: pino()
   */
  readonly logger?: MeshLogger;
  /**
   * Prometheus metrics (prom-client, an optional peer dependency) registered in `registry`;
   * README "Observability" lists them. Off (and free) when absent.
   * @example { registry: new Registry() }
   */
  readonly metrics?: MetricsOptions;
  /**
   * Lines below this level are dropped before they are built.
   * @default 'warn' for a console-style logger; for pino/bunyan every level reaches the
   * logger and its own level decides
   * @example logLevel: 'info'
   */
  readonly logLevel?: LogLevel;
  /**
   * Sessions of stock EventMesh TCP clients (Java/Go SDKs) connecting to `listen`
   * (PROTOCOL §8).
   * @example { redeliverAfter: 5000, sessionTimeout: 60000 }
   */
  readonly stockClients?: StockClientOptions;
  /**
   * Topic access control for peers, stock clients and HTTP callers named by `meshRouter`'s
   * `auth`: per identity (see `verifyHello`), the topic patterns it may `publish` (events it
   * brings in, requests it makes) and `subscribe` (events and requests it receives); `'*'`
   * for every identity not listed. With `acl` set, whatever is not granted is refused and
   * reported (`ERR_MESH_FORBIDDEN`, `details.identity`); in-process code is not checked.
   * @example acl: { billing: { publish: ['com.shop.invoice.#'], subscribe: ['com.shop.order.#'] }, '*': { subscribe: ['public.#'] } }
   */
  readonly acl?: AccessControlList;
  /**
   * Bounds on what remote parties (peers, stock clients) may make this node hold
   * (README "Limits", PROTOCOL §10). Connections refused by a limit are reported as one
   * `ERR_MESH_CONNECTION_REFUSED` per burst, with the count.
   * @example { helloTimeout: 5000, maxConnections: 10000, maxPeers: 1000, maxStockSessions: 10000 }
   */
  readonly limits?: MeshLimits;
  /**
   * OpenTelemetry tracing (`@opentelemetry/api`, an optional peer dependency). Events
   * published here carry the W3C `traceparent` (and `tracestate`, `baggage`) as
   * CloudEvents extensions, made by a PRODUCER span `send <type>` that continues the
   * active trace; every handler attempt runs in a CONSUMER span `process <type>` whose
   * parent is that `traceparent`, active while the handler runs — in process, across
   * peers, through stores and HTTP. Left out: on at `start()` if the package is installed
   * and a global tracer provider is registered by then (register the SDK before
   * `start()`, as OpenTelemetry advises; a mesh never started does not trace); `true`:
   * on with the global provider; `{ tracerProvider }`: on with that one (either way, a
   * missing package makes `start()` reject with `ERR_MESH_ADAPTER_MISSING_DEP`); `false`:
   * never. While off, nothing is attached and nothing is paid per event.
   * @default automatic (see above)
   * @example createMesh({ tracing: { tracerProvider: provider } })
   */
  readonly tracing?: boolean | MeshTracingOptions;
}

/** Limits on connections, sessions, publish rate and outbound bytes (`MeshOptions.limits`). */
export interface MeshLimits {
  /**
   * A connection accepted on `listen` (peer or stock client) whose HELLO is not accepted
   * within this many ms is closed, whatever else it sends meanwhile.
   * @default 5000
   */
  readonly helloTimeout?: number;
  /**
   * Sockets open at once on `listen` (TLS: counted before the handshake); past it a new
   * one is closed at once.
   * @default 10000
   */
  readonly maxConnections?: number;
  /**
   * Peer links at once (dialed and accepted); past it a peer's HELLO is refused with
   * code 1 and `desc` starting `ERR_MESH_CONNECTION_REFUSED`. Configured peers are dialed regardless.
   * @default 1000
   */
  readonly maxPeers?: number;
  /**
   * Stock client sessions at once; past it a client's HELLO is refused with code 1 and
   * `desc` starting `ERR_MESH_CONNECTION_REFUSED`.
   * @default 10000
   */
  readonly maxStockSessions?: number;
  /**
   * Outbound bytes held at once across every link and session (each also has its own
   * 8 MiB bound): queued, or handed to a socket that has not drained. A frame that would
   * pass it drops the connection holding the most bytes (the slowest reader, reported as
   * `ERR_MESH_WIRE_BACKPRESSURE` with `details.global`), until it fits; if the sender's own
   * connection holds the most, its frame is refused instead. At least 4 MiB (one frame).
   * @default 268435456 (256 MiB)
   */
  readonly maxOutboundBytes?: number;
  /**
   * Events (publishes and requests) an identity may bring in: a token bucket per identity,
   * `rate` a second with up to `burst` at once (`burst` defaults to `rate`, rounded up).
   * A stock client (identity: UserAgent `username`, else `subsystem`) over it is answered
   * code 1 with `desc` starting `ERR_MESH_RATE_LIMITED` (the session stays); a `meshRouter`
   * caller (identity: its remote address; one token per event) gets 429.
   * @default undefined (no limit)
   * @example { rate: 1000, burst: 2000 }
   */
  readonly publishRate?: { readonly rate: number; readonly burst: number };
}

/** How a node serves stock EventMesh TCP clients (PROTOCOL §8). */
export interface StockClientOptions {
  /**
   * An un-ACKed push is sent again (same seq) after this many ms, until ACKed or the session ends.
   * @default 10000
   */
  readonly redeliverAfter?: number;
  /**
   * A session that sends no HEARTBEAT_REQUEST for this many ms is closed (PROTOCOL §11.10).
   * @default 60000
   */
  readonly sessionTimeout?: number;
  /**
   * Pushes sent and not yet ACKed per session; further pushes wait, in order.
   * @default 100
   */
  readonly maxUnacked?: number;
  /**
   * Pushes waiting per session behind `maxUnacked`; past it the client is a slow
   * consumer: reported (`ERR_MESH_WIRE_BACKPRESSURE`) and its session closed.
   * @default 10000
   */
  readonly maxQueued?: number;
}

/** Options of `mesh.start()`. */
export interface StartOptions {
  /**
   * Also wait, up to this many ms, until every configured peer (`peers`) is linked and
   * its interest known (the 'peer:up' moment); past it, reject with
   * `ERR_MESH_PEER_UNREACHABLE` (`details.peers`: the addresses not linked). The mesh is
   * started either way and keeps dialing. Without it, `start()` does not wait for peers.
   * @example await mesh.start({ waitForPeers: 5000 })
   */
  readonly waitForPeers?: number;
}

/** The `waitForPeers` of `start(options)`, validated; undefined: do not wait. */
export function resolveWaitForPeers(options: StartOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw invalid('start options must be an object');
  const ms = options.waitForPeers;
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 2_147_483_647) {
    throw invalid('waitForPeers must be an integer number of ms, 0..2147483647');
  }
  return ms;
}

export interface ResolvedOptions {
  readonly id: string;
  readonly listen: { readonly host: string; readonly port: number; readonly tls: TlsOptions | undefined } | undefined;
  readonly peers: readonly PeerAddress[];
  readonly peerTls: ConnectionOptions | undefined;
  readonly token: string | undefined;
  readonly verifyHello: ((hello: PeerHello) => HelloVerdict | Promise<HelloVerdict>) | undefined;
  readonly heartbeatInterval: number;
  readonly source: string;
  readonly store: MeshStore;
  readonly matchCacheSize: number;
  readonly closeTimeout: number;
  readonly logger: MeshLogger;
  /** undefined: the logger's kind decides (Log). */
  readonly logLevel: LogLevel | undefined;
  readonly stock: ResolvedStockOptions;
  readonly limits: ResolvedLimits;
  readonly acl: AclRules | undefined;
  readonly metrics: ResolvedMetricsOptions | undefined;
  readonly tracing: TracingMode;
}

export function resolveOptions(options: MeshOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('createMesh options must be an object');
  const id = options.id ?? `node-${randomBytes(6).toString('hex')}`;
  if (typeof id !== 'string' || id.length === 0) throw invalid('id must be a non-empty string');
  const source = options.source ?? `/evmesh/${id}`;
  if (typeof source !== 'string' || source.length === 0 || /\s/.test(source)) throw invalid('source must be a non-empty URI-reference');
  const listen = resolveListen(options.listen);
  if (options.peers !== undefined && !Array.isArray(options.peers)) throw invalid('peers must be an array of tcp://host:port or tls://host:port');
  const peers = (options.peers ?? []).map((url) => parsePeer(url));
  const heartbeatInterval = nonNegativeInt(options.heartbeatInterval ?? 2000, 'heartbeatInterval');
  if (heartbeatInterval < 10) throw invalid('heartbeatInterval must be at least 10 ms');
  const matchCacheSize = nonNegativeInt(options.matchCacheSize ?? 10_000, 'matchCacheSize');
  const closeTimeout = nonNegativeInt(options.closeTimeout ?? 10_000, 'closeTimeout');
  const store = options.store ?? memoryStore();
  if (typeof store !== 'object' || store === null || typeof store.append !== 'function' || typeof store.consume !== 'function') {
    throw invalid('store must implement MeshStore');
  }
  if (options.token !== undefined && typeof options.token !== 'string') throw invalid('token must be a string');
  if (options.verifyHello !== undefined && typeof options.verifyHello !== 'function') throw invalid('verifyHello must be a function');
  const { logger, logLevel } = resolveLogger(options);
  return {
    id, source, store, matchCacheSize, closeTimeout, logger, logLevel, listen, peers, heartbeatInterval,
    peerTls: options.peerTls, token: options.token, verifyHello: options.verifyHello, stock: resolveStock(options.stockClients),
    limits: resolveLimits(options.limits),
    acl: options.acl === undefined ? undefined : parseAcl(options.acl),
    metrics: resolveMetricsOptions(options.metrics),
    tracing: resolveTracing(options.tracing),
  };
}

function resolveLogger(options: MeshOptions): { logger: MeshLogger; logLevel: LogLevel | undefined } {
  const logger = options.logger ?? console;
  if (typeof logger !== 'object' || logger === null || typeof logger.error !== 'function') throw invalid('logger must be an object with an error() method (console, pino, …)');
  const logLevel = options.logLevel;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) throw invalid(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  return { logger, logLevel };
}

function resolveStock(stock: StockClientOptions | undefined): ResolvedStockOptions {
  if (stock !== undefined && (typeof stock !== 'object' || stock === null)) throw invalid('stockClients must be an object');
  const positive = (value: number | undefined, fallback: number, name: string): number => {
    const resolved = nonNegativeInt(value ?? fallback, `stockClients.${name}`);
    if (resolved < 1) throw invalid(`stockClients.${name} must be at least 1`);
    return resolved;
  };
  return {
    redeliverAfter: positive(stock?.redeliverAfter, 10_000, 'redeliverAfter'),
    sessionTimeout: positive(stock?.sessionTimeout, 60_000, 'sessionTimeout'),
    maxUnacked: positive(stock?.maxUnacked, 100, 'maxUnacked'),
    maxQueued: positive(stock?.maxQueued, 10_000, 'maxQueued'),
  };
}

function resolveListen(listen: MeshOptions['listen']): ResolvedOptions['listen'] {
  if (listen === undefined) return undefined;
  if (typeof listen !== 'object' || listen === null) throw invalid('listen must be { host?, port }');
  const port = listen.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid('listen.port must be 0..65535 (0 picks a free port)');
  const host = listen.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw invalid('listen.host must be a non-empty string');
  return { host, port, tls: listen.tls };
}

function nonNegativeInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`${name} must be an integer >= 0`);
  return value;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
