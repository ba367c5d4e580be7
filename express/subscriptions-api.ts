import type { IncomingMessage, ServerResponse } from 'node:http';
import { MeshError, type Mesh } from '../src/index.js';
import { callerGrant } from './access.js';
import { admitted } from './admit.js';
import { sendJson } from './admin-routes.js';
import { BodyAborted, readBody } from './body.js';
import { isJson, mediaType } from './http-binding.js';
import { fail, problemOf, sendProblem, unexpected, type Next } from './problem.js';
import type { SubscriptionRecord } from './subscription-record.js';
import { bad, parseSubscription } from './subscription-request.js';
import { SubscriptionSet } from './subscription-set.js';
import { resolveSubscriptionsOptions, type ResolvedSubscriptionsOptions, type SubscriptionsAccess, type SubscriptionsApiOptions } from './subscriptions-options.js';

/**
 * The CloudEvents Subscriptions API, a request handler for Express 4 and 5 (and plain
 * `node:http`): `app.use('/subscriptions', subscriptionsApi(mesh, options))`. Serves
 * `POST /`, `GET /`, `GET /{id}`, `DELETE /{id}` (and OPTIONS) where it is mounted and
 * passes anything else to `next()`.
 */
export interface SubscriptionsApi {
  (req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** Resolves once every catalogued subscription is restored; requests wait for it. Rejects (and requests answer 503) if the catalogue cannot be restored. */
  readonly ready: Promise<void>;
  /** Subscriptions held now. */
  readonly size: number;
  /** Stops every sink, e.g. before `mesh.close()`; the catalogue and the events kept for the subscriptions stay. */
  close(): Promise<void>;
}

const COLLECTION = 'GET, HEAD, POST, OPTIONS';
const ITEM = 'GET, HEAD, DELETE, OPTIONS';

export function subscriptionsApi(mesh: Mesh, options?: SubscriptionsApiOptions): SubscriptionsApi {
  const opts = resolveSubscriptionsOptions(options);
  const set = new SubscriptionSet(mesh, opts);
  const ready = set.restore();
  // Reported to each request (503) and to whoever awaits `ready`; never unhandled.
  ready.catch(() => undefined);
  const handle = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const id = path === '/' || path === '' ? undefined : itemId(path);
    if (id === null) {
      if (next !== undefined) next();
      else {
        res.statusCode = 404;
        res.end();
      }
      return;
    }
    const allow = id === undefined ? COLLECTION : ITEM;
    const method = req.method === 'HEAD' ? 'GET' : req.method ?? '';
    if (method === 'OPTIONS') {
      res.writeHead(204, { Allow: allow });
      res.end();
    } else if (!allow.split(', ').includes(method)) {
      fail(res, 'ERR_MESH_METHOD_NOT_ALLOWED', `${id === undefined ? 'The collection' : 'A subscription'} answers ${allow}, not ${req.method ?? ''}`, { Allow: allow });
    } else {
      serve(mesh, opts, set, ready, { method, id }, req, res).catch((err: unknown) => unexpected(err, res, next));
    }
  };
  return Object.defineProperties(handle, {
    ready: { value: ready },
    size: { get: () => set.size },
    close: { value: () => set.close() },
  }) as SubscriptionsApi;
}

/** `/{id}` decoded; null for anything deeper or not decodable (not this router's). */
function itemId(path: string): string | null {
  const raw = path.slice(1).replace(/\/$/, '');
  if (raw === '' || raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

interface Route {
  readonly method: string;
  readonly id: string | undefined;
}

async function serve(
  mesh: Mesh, opts: ResolvedSubscriptionsOptions, set: SubscriptionSet, ready: Promise<void>, route: Route, req: IncomingMessage, res: ServerResponse,
): Promise<void> {
  const access: SubscriptionsAccess = route.id === undefined
    ? { action: 'subscriptions', operation: route.method === 'POST' ? 'create' : 'list' }
    : { action: 'subscriptions', operation: route.method === 'DELETE' ? 'delete' : 'get', id: route.id };
  const caller = await admitted(opts.auth, req, res, access);
  if (caller === undefined) return;
  try {
    await ready;
  } catch (err) {
    if (!(err instanceof MeshError)) throw err;
    sendProblem(res, problemOf(err, undefined, 503));
    return;
  }
  try {
    await answer(mesh, opts, set, access, caller.identity, req, res);
  } catch (err) {
    if (err instanceof BodyAborted) return;
    if (!(err instanceof MeshError)) throw err;
    const field = err.details?.['field'];
    const status = err.code === 'ERR_MESH_INVALID_OPTIONS' && field !== undefined ? 400 : undefined;
    // The rest of a refused body is not read: close the connection rather than drain it.
    const unread = err.code === 'ERR_MESH_PAYLOAD_TOO_LARGE' || err.code === 'ERR_MESH_BODY_TIMEOUT';
    sendProblem(res, problemOf(err, { ...(field === undefined ? undefined : { field }), ...supported(err) }, status), unread ? { Connection: 'close' } : undefined);
  }
}

async function answer(
  mesh: Mesh, opts: ResolvedSubscriptionsOptions, set: SubscriptionSet, access: SubscriptionsAccess, identity: string | undefined, req: IncomingMessage, res: ServerResponse,
): Promise<void> {
  switch (access.operation) {
    case 'list':
      return sendJson(res, 200, set.list().map(view));
    case 'get':
    case 'delete': {
      const id = access.id as string;
      const record = access.operation === 'get' ? set.get(id) : await set.remove(id);
      if (record === undefined) throw new MeshError('ERR_MESH_SUBSCRIPTION_NOT_FOUND', `No subscription ${id}`, { details: { id } });
      // DELETE answers the subscription it removed (§3.2.5.5; 200 in the spec's OpenAPI).
      return sendJson(res, 200, view(record));
    }
    case 'create':
      return create(mesh, opts, set, identity, req, res);
  }
}

async function create(
  mesh: Mesh, opts: ResolvedSubscriptionsOptions, set: SubscriptionSet, identity: string | undefined, req: IncomingMessage, res: ServerResponse,
): Promise<void> {
  const type = mediaType(req.headers['content-type']);
  if (type !== undefined && !isJson(type)) {
    throw new MeshError('ERR_MESH_UNSUPPORTED_MEDIA_TYPE', `A subscription is sent as application/json, not ${type.essence}`);
  }
  const raw = await readBody(req, opts.limit, opts.bodyTimeout);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw bad('(body)', `The body is not JSON: ${(err as Error).message}`, err);
  }
  const input = parseSubscription(body);
  const grant = callerGrant(mesh, identity);
  (input.types ?? ['#']).forEach((t, i) => {
    // A subscription receives events: the caller's acl `subscribe` grant must cover them.
    if (grant !== undefined && !grant.allowsPattern(t)) {
      throw bad(input.types === undefined ? 'types' : `types[${i}]`, `${identity ?? ''} may not receive ${t === '#' ? 'every type' : t} (acl)`, undefined, { identity }, 'ERR_MESH_FORBIDDEN');
    }
  });
  const record = await set.create(input);
  const base = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0]?.replace(/\/$/, '') ?? '';
  res.setHeader('Location', `${base}/${encodeURIComponent(record.id)}`);
  sendJson(res, 201, view(record));
}

// Credentials a subscriber put in its headers are write-only, as the spec asks of
// `sinkcredential` secrets (§3.2.1): listed by name, never by value.
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** A record as answered: secret header values masked. */
function view(record: SubscriptionRecord): SubscriptionRecord {
  const headers = record.protocolsettings?.headers;
  if (headers === undefined || !Object.keys(headers).some((h) => SECRET_HEADERS.has(h.toLowerCase()))) return record;
  const masked = Object.fromEntries(Object.entries(headers).map(([h, v]) => [h, SECRET_HEADERS.has(h.toLowerCase()) ? '***' : v]));
  return { ...record, protocolsettings: { ...record.protocolsettings, headers: masked } };
}

function supported(err: MeshError): Readonly<Record<string, unknown>> | undefined {
  const list = err.details?.['supported'];
  return list === undefined ? undefined : { supported: list };
}
