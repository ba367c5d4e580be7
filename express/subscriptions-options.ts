import { MeshError, assertTopic, type RetryPolicy } from '../src/index.js';
import { integerOption, resolveRetry } from '../src/internal.js';
import type { AuthHook } from './access.js';
import { memoryCatalogue, type SubscriptionCatalogue } from './subscription-record.js';

/** What a Subscriptions API request wants, as the auth hook sees it. */
export interface SubscriptionsAccess {
  readonly action: 'subscriptions';
  readonly operation: 'create' | 'list' | 'get' | 'delete';
  /** The subscription asked for (`get`, `delete`). */
  readonly id?: string;
}

/** Sinks a caller may name: URL prefixes (same origin, path under theirs), or a predicate. */
export type AllowedSinks = readonly string[] | ((sink: URL) => boolean);

export interface SubscriptionsApiOptions {
  /**
   * Asked on every request but OPTIONS, before the body is read (as `meshRouter`'s):
   * `true` or `{ identity }` lets it through (an identity is held to the mesh's `acl`: it
   * may only subscribe to types its `subscribe` grant covers), `false` answers 401,
   * `{ status: 401 | 403, detail?, headers? }` picks the answer.
   * @example auth: (req, { operation }) => operation === 'list' || req.headers.authorization === `Bearer ${token}`
   */
  readonly auth?: AuthHook<SubscriptionsAccess>;
  /**
   * Where the definitions are kept; the router restores every one when it is made.
   * Pair a persistent one (`fileCatalogue(path)`) with a persistent store, so both the
   * definitions and the events kept for them survive a restart.
   * @default memoryCatalogue()
   */
  readonly catalogue?: SubscriptionCatalogue;
  /**
   * Retry policy of every sink: a sink that fails (non-2xx, timeout, network) is retried
   * with backoff, its later events waiting in the store meanwhile.
   * @default { attempts: 5, backoff: 1000, maxBackoff: 60000 }
   */
  readonly retry?: RetryPolicy;
  /** Topic an event goes to once every attempt at a sink failed; no subscription of this router receives it. @default none (dropped) */
  readonly deadLetter?: string;
  /**
   * Subscriptions this router holds at once; one more answers 409
   * (`ERR_MESH_TOO_MANY_SUBSCRIPTIONS`). Each is a durable consumer in the store.
   * @default 1000
   */
  readonly maxSubscriptions?: number;
  /**
   * Sinks that may be named. Without it any http(s) URL is accepted, so whoever may
   * create subscriptions makes this node POST to any address it reaches (internal
   * services, cloud metadata endpoints): on a public node, set it or `auth`.
   * @default every http(s) URL
   * @example allowedSinks: ['https://hooks.example.com/']
   */
  readonly allowedSinks?: AllowedSinks;
  /**
   * Per delivery attempt, in ms.
   * @default 10000
   */
  readonly timeout?: number;
  /**
   * Largest request body in bytes (413 above).
   * @default 65536
   */
  readonly limit?: number;
  /**
   * Milliseconds a request body may take to arrive (408 after); 0 waits forever.
   * @default 30000
   */
  readonly bodyTimeout?: number;
}

export interface ResolvedSubscriptionsOptions {
  readonly auth: AuthHook<SubscriptionsAccess> | undefined;
  readonly catalogue: SubscriptionCatalogue;
  readonly retry: RetryPolicy;
  readonly deadLetter: string | undefined;
  readonly maxSubscriptions: number;
  readonly allowsSink: (sink: URL) => boolean;
  readonly timeout: number;
  readonly limit: number;
  readonly bodyTimeout: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoff: 1000, maxBackoff: 60_000 };

/** Validates once, at `subscriptionsApi(…)`: a bad option throws there, not on some later request. */
export function resolveSubscriptionsOptions(options: SubscriptionsApiOptions = {}): ResolvedSubscriptionsOptions {
  if (typeof options !== 'object' || options === null) throw invalid('subscriptionsApi options must be an object');
  const { auth, catalogue = memoryCatalogue(), retry = DEFAULT_RETRY, deadLetter } = options;
  if (auth !== undefined && typeof auth !== 'function') throw invalid('auth must be a function');
  if (typeof catalogue !== 'object' || catalogue === null || !(['load', 'put', 'remove'] as const).every((m) => typeof catalogue[m] === 'function')) {
    throw invalid('catalogue must have load(), put(record) and remove(id)');
  }
  resolveRetry(retry);
  if (deadLetter !== undefined) assertTopic(deadLetter);
  return {
    auth, catalogue, retry, deadLetter,
    maxSubscriptions: integerOption(options.maxSubscriptions, 1000, 'maxSubscriptions', 1),
    allowsSink: sinkPolicy(options.allowedSinks),
    timeout: integerOption(options.timeout, 10_000, 'timeout', 1),
    limit: integerOption(options.limit, 64 * 1024, 'limit', 0),
    bodyTimeout: integerOption(options.bodyTimeout, 30_000, 'bodyTimeout', 0),
  };
}

function sinkPolicy(allowed: AllowedSinks | undefined): (sink: URL) => boolean {
  if (allowed === undefined) return () => true;
  if (typeof allowed === 'function') return (sink) => allowed(sink) === true;
  if (!Array.isArray(allowed)) throw invalid('allowedSinks must be a list of URL prefixes or a function');
  const prefixes = allowed.map((p) => {
    try {
      return new URL(p);
    } catch (err) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `allowedSinks: ${String(p)} is not an absolute URL`, { cause: err, details: { option: 'allowedSinks' } });
    }
  });
  // Compared as URLs, not strings: the prefix `https://hooks.example` must not let
  // `https://hooks.example.evil.net/` through, nor `http:` stand for `https:`.
  return (sink) => prefixes.some((p) => sink.origin === p.origin && sink.pathname.startsWith(p.pathname) && (p.search === '' || sink.search === p.search));
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message, { details: { option: 'subscriptionsApi' } });
}
