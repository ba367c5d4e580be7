import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mesh } from '../src/index.js';
import { meshAdmin, meshRouter, subscriptionsApi, type AuthDecision, type MeshRouter, type SubscriptionsApi, type SubscriptionsApiOptions } from '../express/index.js';

/** A handler mounted at a prefix, as Express would: it sees `req.url` relative to the prefix. */
export type Mounted = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export interface NodeRoutes {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** The `/events` router, whose Server-Sent Event streams a shutdown ends. */
  readonly events: MeshRouter;
  /** The `/subscriptions` router: its `ready` is awaited before the port opens, its `close()` before the mesh's. */
  readonly subscriptions: SubscriptionsApi;
}

export interface RouteOptions {
  readonly auth: ((req: IncomingMessage) => AuthDecision) | undefined;
  readonly metricsPublic: boolean;
  /** The Subscriptions API's options but `auth`, which is the node's (`auth` above). */
  readonly subscriptions: Omit<SubscriptionsApiOptions, 'auth'>;
  /** Told what a mounted handler passed to `next(err)` (the caller gets a bare 500). */
  readonly onError: (err: unknown) => void;
}

/**
 * The node's HTTP side on `node:http` (Express is an optional peer, not a dependency):
 * `/events` (meshRouter: POST, GET /stream), `/admin` (meshAdmin: snapshot, metrics,
 * health, subscriptions, peers), `/metrics` and `/health` at the root, and
 * `/subscriptions` (the CloudEvents Subscriptions API). `/health` is always answered
 * (probes send no credentials); with auth on, a caller without the token gets `{ ok }` only.
 */
export function nodeRoutes(mesh: Mesh, options: RouteOptions): NodeRoutes {
  const events = meshRouter(mesh, { auth: options.auth });
  const admin = meshAdmin(mesh, { auth: options.auth, public: options.metricsPublic ? ['health', 'metrics'] : ['health'] });
  // The node's bearer tokens; an identity they name is held by the API to its acl `subscribe` grant.
  const subscriptions = subscriptionsApi(mesh, { ...options.subscriptions, auth: options.auth });
  const mounts: [prefix: string, handler: Mounted][] = [
    ['/events', events],
    ['/admin', admin],
    ['/subscriptions', subscriptions],
  ];
  const rootAdmin = new Set(['/metrics', '/health']);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0] as string;
    const fail = (err?: unknown): void => {
      if (err === undefined) return notFound(res, path);
      options.onError(err);
      serverError(res);
    };
    if (rootAdmin.has(path)) return admin(req, res, fail);
    for (const [prefix, handler] of mounts) {
      if (path === prefix || path.startsWith(`${prefix}/`)) {
        // As Express keeps it: what the client asked for (the Subscriptions API builds `Location` from it).
        (req as { originalUrl?: string }).originalUrl ??= url;
        req.url = url.slice(prefix.length) === '' || url.slice(prefix.length).startsWith('?') ? `/${url.slice(prefix.length)}` : url.slice(prefix.length);
        return handler(req, res, fail);
      }
    }
    notFound(res, path);
  };
  return { handle, events, subscriptions };
}

function notFound(res: ServerResponse, path: string): void {
  send(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: `Nothing here at ${path}: this node serves /events, /events/stream, /health, /metrics, /admin and /subscriptions` });
}

/** A mounted handler failed: the error is logged, not shown to the caller (it may name internals). */
function serverError(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, 500, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The node failed to answer this request; see its log' });
}

function send(res: ServerResponse, status: number, problem: Record<string, unknown>): void {
  const body = JSON.stringify(problem);
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
