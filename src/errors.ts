/**
 * The one table of evmesh error codes. `MeshErrorCode` is derived from it and the
 * README documents every row (a test keeps the two in sync). Codes are stable API:
 * match on `error.code`, never on the message.
 */
export const MESH_ERROR_CODES = {
  ERR_MESH_INVALID_EVENT: { retryable: false, summary: 'The input is not a valid CloudEvent 1.0 (missing or malformed attribute).' },
  ERR_MESH_INVALID_TOPIC: { retryable: false, summary: 'A topic (event type) breaks the topic grammar: empty level, wildcard, whitespace.' },
  ERR_MESH_INVALID_PATTERN: { retryable: false, summary: 'A subscription pattern breaks the pattern grammar.' },
  ERR_MESH_INVALID_FILTER: { retryable: false, summary: 'A declarative filter is malformed (unknown dialect, wrong value types, empty), or a CESQL expression does not parse (`details.position`) or calls a function that does not exist.' },
  ERR_MESH_UNSUPPORTED_FILTER: { retryable: false, summary: 'A filter dialect this version does not evaluate. Every dialect is evaluated now (`sql` since CESQL); a node of an earlier version raises it for `sql`.' },
  ERR_MESH_INVALID_OPTIONS: { retryable: false, summary: 'An option passed to createMesh, start, subscribe, request or a decorator is invalid, or a field of a Subscriptions API request (HTTP 400, `field`).' },
  ERR_MESH_CLOSED: { retryable: false, summary: 'The mesh is closing or closed; nothing new is accepted.' },
  ERR_MESH_TIMEOUT: { retryable: true, summary: 'A request got no reply within its timeout.' },
  ERR_MESH_NO_RESPONDER: { retryable: true, summary: 'A request matched no subscriber anywhere; rejected at once.' },
  ERR_MESH_HANDLER_FAILED: { retryable: true, summary: 'A subscriber threw or rejected; reported on every failed attempt. A request whose responder failed its last attempt rejects with it (`details.remote`: the responder\'s code and message).' },
  ERR_MESH_PIPELINE_FAILED: { retryable: false, summary: 'A `use` chain threw (that publish rejects; emit reports it) or a subscription `pipe` threw (reported, pipe rebuilt).' },
  ERR_MESH_HOOK_FAILED: { retryable: false, summary: 'An internal hook (metrics, tracing, access control) threw; the event goes on, an inbound check that throws refuses.' },
  ERR_MESH_DEAD_LETTER_FAILED: { retryable: true, summary: 'An event that exhausted its retries could not be republished to its dead-letter topic.' },
  ERR_MESH_DRAIN_TIMEOUT: { retryable: false, summary: 'close() gave up waiting for in-flight handlers after its deadline; details list the deliveries left (event ids, subscriptions, which are durable).' },
  ERR_MESH_SLOW_CONSUMER: { retryable: true, summary: 'A subscription already holds `maxQueued` events for its busy handler: an event emitted (or from a peer) was not queued for it; `publish` waits for room instead.' },
  ERR_MESH_STORE_FULL: { retryable: true, summary: 'The store refused an event because a bounded queue is full.' },
  ERR_MESH_STORE_FAILED: { retryable: true, summary: 'The store failed to accept or deliver an event.' },
  ERR_MESH_STORE_UNAVAILABLE: { retryable: true, summary: 'The store\'s engine (broker, database) cannot be reached; raised quickly at open, never a hang; reported when a store loses it later.' },
  ERR_MESH_STORE_UNSUPPORTED: { retryable: false, summary: 'The store lacks what was asked of it: `from` on a store without replay (thrown by subscribe), `deleteDurable` on one that cannot delete.' },
  ERR_MESH_ADAPTER_MISSING_DEP: { retryable: false, summary: 'A store adapter or integration needs an optional peer dependency that is not installed; the message names the package.' },
  ERR_MESH_PEER_REFUSED: { retryable: true, summary: 'A peer answered our HELLO with code 1 (refused); the link closes.' },
  ERR_MESH_PEER_UNREACHABLE: { retryable: true, summary: 'A configured peer is not linked: its address could not be reached or closed the connection before the HELLO completed (reported once per change, not per redial), or `start({ waitForPeers })` ran out of time (`details.peers` lists the addresses not linked).' },
  ERR_MESH_PEER_SAME_ID: { retryable: false, summary: 'The peer at a configured address has this node\'s own id (a node dialing itself, or two nodes given one id): refused with code 1; that address is redialed only at the slowest backoff.' },
  ERR_MESH_LISTEN_FAILED: { retryable: true, summary: '`start()` could not listen on `listen` (port in use, no permission, address not local): `details` has `host` and `port`, `cause` the socket error.' },
  ERR_MESH_CONNECTION_REFUSED: { retryable: true, summary: 'Connections were refused or closed by `limits` (`maxConnections`, `maxPeers`, `maxStockSessions`, `helloTimeout`): reported once per burst, at most once a second, with `details.refused` (the count) and `details.reasons` (the count per limit).' },
  ERR_MESH_RATE_LIMITED: { retryable: true, summary: 'An identity publishes faster than `limits.publishRate` allows: a stock client gets code 1 with the code at the start of `desc`, an HTTP caller 429.' },
  ERR_MESH_NOT_REGISTERED: { retryable: false, summary: 'A @Publish method was called on an instance no mesh has registered.' },
  ERR_MESH_UNAUTHORIZED: { retryable: false, summary: 'evmesh/express: the auth hook did not accept the request\'s credentials (HTTP 401).' },
  ERR_MESH_FORBIDDEN: { retryable: false, summary: 'Refused by access control: a peer, stock client or HTTP caller may not publish that topic or receive that pattern (`acl`, `details.identity`; stock: code 1, HTTP 403), or `evmesh/express`\'s auth hook or `allowedTopics` refused it (HTTP 403).' },
  ERR_MESH_PAYLOAD_TOO_LARGE: { retryable: false, summary: 'evmesh/express: a request body is larger than the router\'s body limit (HTTP 413).' },
  ERR_MESH_UNSUPPORTED_MEDIA_TYPE: { retryable: false, summary: 'evmesh/express: a POST is neither a binary, structured nor batch CloudEvent in JSON, or is compressed; or a Subscriptions API body is not JSON (HTTP 415).' },
  ERR_MESH_BODY_TIMEOUT: { retryable: true, summary: 'evmesh/express: a request body did not arrive whole within the router\'s `bodyTimeout` (HTTP 408).' },
  ERR_MESH_TOO_MANY_STREAMS: { retryable: true, summary: 'evmesh/express: the router already serves `maxStreams` Server-Sent Event streams (HTTP 503 with Retry-After).' },
  ERR_MESH_METHOD_NOT_ALLOWED: { retryable: false, summary: 'evmesh/express: a method the route does not serve, e.g. other than GET and HEAD on the admin endpoint (HTTP 405 with `Allow`).' },
  ERR_MESH_SUBSCRIPTION_NOT_FOUND: { retryable: false, summary: 'evmesh/express: the Subscriptions API has no subscription with that id (HTTP 404).' },
  ERR_MESH_TOO_MANY_SUBSCRIPTIONS: { retryable: false, summary: 'evmesh/express: the Subscriptions API already holds `maxSubscriptions` subscriptions (HTTP 409); delete one first.' },
  ERR_MESH_CATALOGUE_FAILED: { retryable: true, summary: 'evmesh/express: the subscriptions catalogue could not be read or written (a corrupt file, an I/O error; `details.path`); a router that could not restore from it answers 503.' },
  ERR_MESH_TRANSFORM_FAILED: { retryable: false, summary: "A subscription's transform found nothing at one of its paths in an event; the subscription retries and dead-letters it." },
  ERR_MESH_WEBHOOK_FAILED: { retryable: true, summary: 'A webhook sink got a non-2xx answer, a timeout or a network error; the subscription retries and dead-letters it.' },
  ERR_MESH_WIRE_BAD_MAGIC: { retryable: false, summary: 'An inbound TCP frame does not start with the magic `EventMesh`; the connection is closed.' },
  ERR_MESH_WIRE_BAD_VERSION: { retryable: false, summary: 'An inbound TCP frame carries a protocol version other than `0000`; the connection is closed.' },
  ERR_MESH_WIRE_FRAME_TOO_LARGE: { retryable: false, summary: 'A TCP frame is larger than the configured limit (default 4 MiB in total); refused before it is buffered or sent.' },
  ERR_MESH_WIRE_BAD_LENGTH: { retryable: false, summary: 'A TCP frame declares a negative length or one too short for its header (e.g. legacy <=1.8 framing).' },
  ERR_MESH_WIRE_BAD_HEADER: { retryable: false, summary: 'A TCP frame header is missing, not JSON, or has a field of the wrong type.' },
  ERR_MESH_WIRE_UNKNOWN_COMMAND: { retryable: false, summary: 'A TCP frame header names a command that is not in the EventMesh command table.' },
  ERR_MESH_WIRE_BAD_BODY: { retryable: false, summary: 'A TCP frame body does not match the schema its command or protocol type requires.' },
  ERR_MESH_WIRE_BACKPRESSURE: { retryable: true, summary: 'A peer reads too slowly: its outbound frame queue reached its byte limit, so the frame was refused.' },
} as const satisfies Record<string, { readonly retryable: boolean; readonly summary: string }>;

export type MeshErrorCode = keyof typeof MESH_ERROR_CODES;

/** Extra facts about a failure, e.g. which event and subscription it concerns. */
export type MeshErrorDetails = Readonly<Record<string, unknown>>;

export interface MeshErrorOptions {
  readonly cause?: unknown;
  readonly details?: MeshErrorDetails;
}

// A brand instead of prototype identity: the ESM and CJS builds (or two installed
// copies) each have their own class, and `instanceof MeshError` must hold for both.
const BRAND = Symbol.for('evmesh.MeshError');

export class MeshError extends Error {
  override readonly name = 'MeshError';
  readonly code: MeshErrorCode;
  readonly retryable: boolean;
  readonly details: MeshErrorDetails | undefined;

  constructor(code: MeshErrorCode, message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = MESH_ERROR_CODES[code].retryable;
    this.details = options.details;
  }

  get [BRAND](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Wraps anything thrown by user code or a dependency, keeping it as `cause`. */
export function toMeshError(code: MeshErrorCode, err: unknown, details?: MeshErrorDetails): MeshError {
  const message = err instanceof Error ? err.message : String(err);
  return new MeshError(code, message, { cause: err, details });
}

/** Passes a MeshError through unchanged; wraps anything else under `code`. */
export function asMeshError(err: unknown, code: MeshErrorCode, details?: MeshErrorDetails): MeshError {
  return err instanceof MeshError ? err : toMeshError(code, err, details);
}
