import type { MeshError } from '../../src/index.js';
import { OptionChecks } from '../shared/option-checks.js';

export interface AmqpStoreOptions {
  /** Broker URL. @example 'amqp://guest:guest@127.0.0.1:5672' */
  readonly url: string;
  /** Durable topic exchange every event is published to; declared if missing. @default 'evmesh' */
  readonly exchange?: string;
  /** Each durable name is the durable queue `<queuePrefix><durable>`. @default 'evmesh.' */
  readonly queuePrefix?: string;
  /**
   * Bound on the first connect (TCP and AMQP handshake), ms; also how long `ping` and
   * `backlog` wait for the broker (and for a connection, while it redials).
   * @default 2000
   */
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
  /**
   * Also receives the failures met outside any call (a lost connection, an undecodable
   * message, a durable that could not be re-attached). They reach `mesh.on('error')`
   * of every mesh that has the store open either way; with no mesh and no `onError`
   * they are logged with console.error.
   * @default none
   */
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
  readonly onError: ((err: MeshError) => void) | undefined;
}

export function resolveOptions(options: AmqpStoreOptions): ResolvedAmqpOptions {
  const check = new OptionChecks('amqpStore');
  const o = check.object(options, 'an options object with a `url`');
  const notReserved = (name: string): boolean => !name.startsWith('amq.');
  return {
    url: check.string('url', o.url, undefined, (u) => /^amqps?:\/\//.test(u), 'amqp://… or amqps://…'),
    exchange: check.string('exchange', o.exchange, 'evmesh', notReserved, 'a non-empty name not starting with "amq."'),
    queuePrefix: check.matching('queuePrefix', o.queuePrefix, 'evmesh.', /^(?!amq\.)/, 'a string not starting with "amq."'),
    connectTimeout: check.integer('connectTimeout', o.connectTimeout, 2000, 1),
    reconnectDelay: check.integer('reconnectDelay', o.reconnectDelay, 100, 1),
    publishTimeout: check.integer('publishTimeout', o.publishTimeout, 15_000, 1),
    heartbeat: check.integer('heartbeat', o.heartbeat, 10, 0),
    onError: check.callback('onError', o.onError),
  };
}
