import { randomBytes } from 'node:crypto';
import { MeshError } from '../errors.js';
import { memoryStore } from '../store/memory-store.js';
import type { MeshStore } from '../store/store.js';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { parsePeer, type PeerAddress } from '../federation/dialer.js';
import type { PeerHello } from '../federation/peer-info.js';
import type { ResolvedStockOptions } from '../federation/stock/stock-options.js';

/** Where the mesh writes what nobody listens to (an unhandled `'error'`). */
export interface MeshLogger {
  error(message: string, error?: unknown): void;
}

export type { PeerHello } from '../federation/peer-info.js';

export interface MeshOptions {
  /** Node id, unique in the mesh. @default a random id */
  readonly id?: string;
  /** Default CloudEvent `source` for `publish(type, data)`. @default `/evmesh/<id>` */
  readonly source?: string;
  /** Feeds durable subscriptions. @default memoryStore() */
  readonly store?: MeshStore;
  /** Accept peers and EventMesh TCP clients (federation); with `tls`, over TLS (node:tls server options). */
  readonly listen?: { readonly host?: string; readonly port: number; readonly tls?: TlsOptions };
  /** Peers to dial, e.g. `tcp://127.0.0.1:10001` (federation). */
  readonly peers?: readonly string[];
  /** node:tls options (ca, cert, key, servername…) used to dial `tls://` peers. */
  readonly peerTls?: ConnectionOptions;
  /** Sent in this node's HELLO (UserAgent `token`), for peers that check it. */
  readonly token?: string;
  /**
   * Decides whether a peer may join: return false (or a promise of false) to refuse
   * its HELLO with code 1 and close the connection (PROTOCOL §9.2).
   */
  readonly verifyHello?: (hello: PeerHello) => boolean | Promise<boolean>;
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
  /** Receives errors when no `'error'` listener is registered. @default console */
  readonly logger?: MeshLogger;
  /**
   * Sessions of stock EventMesh TCP clients (Java/Go SDKs) connecting to `listen`
   * (PROTOCOL §8).
   * @example { redeliverAfter: 5000, sessionTimeout: 60000 }
   */
  readonly stockClients?: StockClientOptions;
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

export interface ResolvedOptions {
  readonly id: string;
  readonly listen: { readonly host: string; readonly port: number; readonly tls: TlsOptions | undefined } | undefined;
  readonly peers: readonly PeerAddress[];
  readonly peerTls: ConnectionOptions | undefined;
  readonly token: string | undefined;
  readonly verifyHello: ((hello: PeerHello) => boolean | Promise<boolean>) | undefined;
  readonly heartbeatInterval: number;
  readonly source: string;
  readonly store: MeshStore;
  readonly matchCacheSize: number;
  readonly closeTimeout: number;
  readonly logger: MeshLogger;
  readonly stock: ResolvedStockOptions;
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
  return {
    id, source, store, matchCacheSize, closeTimeout, logger: options.logger ?? console, listen, peers, heartbeatInterval,
    peerTls: options.peerTls, token: options.token, verifyHello: options.verifyHello, stock: resolveStock(options.stockClients),
  };
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
