import type { IncomingMessage } from 'node:http';
import { MeshError } from '../src/index.js';
import { integerOption } from '../src/internal.js';
import { TopicPolicy, type AllowedTopics, type AuthHook } from './access.js';

export interface MeshRouterOptions {
  /**
   * Runs first on every request, before the body is read: `true` lets it through,
   * `false` answers 401, `{ status: 401 | 403, detail?, headers? }` picks the answer.
   * May be async.
   * @example auth: (req) => req.headers.authorization === `Bearer ${token}`
   */
  readonly auth?: AuthHook;
  /**
   * Mesh patterns the caller may use: a POSTed event whose type matches none is
   * refused (403, and nothing of that request is published); a stream pattern that
   * could match a topic outside them is refused (403). A function is asked per request.
   * @default every topic
   * @example allowedTopics: ['com.shop.order.*', 'com.shop.audit.#']
   */
  readonly allowedTopics?: AllowedTopics;
  /**
   * Largest request body in bytes; larger answers 413.
   * @default 1048576 (1 MiB)
   */
  readonly limit?: number;
  /**
   * Milliseconds the whole request body may take to arrive, counted from when the router
   * starts reading it; slower answers 408 (`ERR_MESH_BODY_TIMEOUT`) and closes the
   * connection, so a client trickling bytes cannot hold a request open. 0 waits forever.
   * @default 30000
   */
  readonly bodyTimeout?: number;
  /**
   * Server-Sent Event streams this router serves at once; one more answers 503
   * (`ERR_MESH_TOO_MANY_STREAMS`) with `Retry-After`. Each stream holds a socket and a
   * mesh subscription (a durable one while it resumes).
   * @default 1000
   */
  readonly maxStreams?: number;
  /**
   * Interval of the SSE heartbeat comments in ms (keeps proxies from closing an idle stream); 0 sends none.
   * @default 15000
   */
  readonly heartbeat?: number;
  /**
   * Reconnection delay in ms advised to SSE clients (the `retry:` field); unset leaves the client's default.
   */
  readonly reconnect?: number;
  /**
   * Bytes an SSE client may fall behind before its stream is cut (it reconnects with Last-Event-ID).
   * @default 1048576 (1 MiB)
   */
  readonly maxStreamBuffer?: number;
}

export interface ResolvedRouterOptions {
  readonly auth: AuthHook | undefined;
  /** Undefined: every topic. A function: asked per request. */
  readonly topics: TopicPolicy | ((req: IncomingMessage) => Promise<TopicPolicy>) | undefined;
  readonly limit: number;
  readonly bodyTimeout: number;
  readonly maxStreams: number;
  readonly heartbeat: number;
  readonly reconnect: number | undefined;
  readonly maxStreamBuffer: number;
}

/** Validates once, at `meshRouter(…)`: a bad option throws there, not on some later request. */
export function resolveRouterOptions(options: MeshRouterOptions = {}): ResolvedRouterOptions {
  if (typeof options !== 'object' || options === null) throw invalid('meshRouter options must be an object');
  const { auth, allowedTopics } = options;
  if (auth !== undefined && typeof auth !== 'function') throw invalid('auth must be a function');
  return {
    auth,
    topics: topicsOf(allowedTopics),
    limit: integerOption(options.limit, 1024 * 1024, 'limit', 0),
    bodyTimeout: integerOption(options.bodyTimeout, 30_000, 'bodyTimeout', 0),
    maxStreams: integerOption(options.maxStreams, 1000, 'maxStreams', 1),
    heartbeat: integerOption(options.heartbeat, 15_000, 'heartbeat', 0),
    reconnect: options.reconnect === undefined ? undefined : integerOption(options.reconnect, 0, 'reconnect', 0),
    maxStreamBuffer: integerOption(options.maxStreamBuffer, 1024 * 1024, 'maxStreamBuffer', 1),
  };
}

function topicsOf(allowed: AllowedTopics | undefined): ResolvedRouterOptions['topics'] {
  if (allowed === undefined) return undefined;
  if (typeof allowed === 'function') {
    return async (req) => {
      const patterns = await allowed(req);
      if (!Array.isArray(patterns)) throw invalid('allowedTopics(req) must return an array of patterns');
      return new TopicPolicy(patterns);
    };
  }
  if (!Array.isArray(allowed)) throw invalid('allowedTopics must be an array of patterns or a function');
  return new TopicPolicy(allowed);
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
