import { MeshError } from '../../src/index.js';
import { integerOption } from '../../src/internal.js';

export interface AmqpStoreOptions {
  /** Broker URL. @example 'amqp://guest:guest@127.0.0.1:5672' */
  readonly url: string;
  /** Durable topic exchange every event is published to; declared if missing. @default 'evmesh' */
  readonly exchange?: string;
  /** Each durable name is the durable queue `<queuePrefix><durable>`. @default 'evmesh.' */
  readonly queuePrefix?: string;
  /** Bound on the first connect (TCP and AMQP handshake), ms. @default 2000 */
  readonly connectTimeout?: number;
  /** First delay before reconnecting after a connection loss, ms; doubles up to 5 s. @default 100 */
  readonly reconnectDelay?: number;
  /**
   * How long `append` waits for a publisher confirm, reconnecting and resending as
   * needed, before it rejects with `ERR_MESH_STORE_UNAVAILABLE`, ms. @default 15000
   */
  readonly publishTimeout?: number;
  /** AMQP heartbeat, s: how soon a silent broker is noticed. @default 10 */
  readonly heartbeat?: number;
  /** Where failures outside any call (an undecodable message, a lost consumer) go. @default console.warn */
  readonly onError?: (err: MeshError) => void;
}

export interface ResolvedAmqpOptions {
  readonly url: string;
  readonly exchange: string;
  readonly queuePrefix: string;
  readonly connectTimeout: number;
  readonly reconnectDelay: number;
  readonly publishTimeout: number;
  readonly heartbeat: number;
  readonly onError: (err: MeshError) => void;
}

export function resolveOptions(options: AmqpStoreOptions): ResolvedAmqpOptions {
  if (typeof options !== 'object' || options === null || typeof options.url !== 'string' || options.url.length === 0) {
    throw invalid('amqpStore needs an options object with a `url`');
  }
  const exchange = options.exchange ?? 'evmesh';
  if (exchange.length === 0 || exchange.startsWith('amq.')) throw invalid('exchange must be a non-empty name not starting with "amq."');
  const queuePrefix = options.queuePrefix ?? 'evmesh.';
  if (typeof queuePrefix !== 'string' || queuePrefix.startsWith('amq.')) throw invalid('queuePrefix must not start with "amq."');
  return {
    url: options.url,
    exchange,
    queuePrefix,
    connectTimeout: integerOption(options.connectTimeout, 2000, 'connectTimeout', 1),
    reconnectDelay: integerOption(options.reconnectDelay, 100, 'reconnectDelay', 1),
    publishTimeout: integerOption(options.publishTimeout, 15_000, 'publishTimeout', 1),
    heartbeat: integerOption(options.heartbeat, 10, 'heartbeat', 0),
    onError: options.onError ?? ((err) => console.warn(`[evmesh amqpStore] ${err.code}: ${err.message}`)),
  };
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
