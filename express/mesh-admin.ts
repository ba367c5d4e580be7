import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mesh } from '../src/index.js';
import { admitted, verdict } from './admit.js';
import { health } from './admin-health.js';
import { resolveAdminOptions, type AdminRoute, type MeshAdminOptions, type ResolvedAdminOptions } from './admin-options.js';
import { metrics, part, snapshot } from './admin-routes.js';
import { fail, unexpected, type Next } from './problem.js';

/**
 * The admin endpoint, a request handler for Express 4 and 5 (and plain `node:http`):
 * `app.use('/admin', meshAdmin(mesh, { auth }))`. Serves `GET /`, `/metrics`, `/health`,
 * `/subscriptions` and `/peers` relative to where it is mounted; passes anything else to `next()`.
 */
export type MeshAdmin = (req: IncomingMessage, res: ServerResponse, next?: Next) => void;

const ROUTES: ReadonlyMap<string, AdminRoute> = new Map([
  ['/', 'snapshot'], ['/metrics', 'metrics'], ['/health', 'health'], ['/subscriptions', 'subscriptions'], ['/peers', 'peers'],
]);

const ALLOW = 'GET, HEAD';

export function meshAdmin(mesh: Mesh, options?: MeshAdminOptions): MeshAdmin {
  const opts = resolveAdminOptions(options);
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Express mounts `/admin` and `/admin/` both as `/`; `/metrics/` is `/metrics` as in Express's routing.
    const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    const route = ROUTES.get(path === '' ? '/' : path);
    if (route === undefined) {
      if (next !== undefined) next();
      else {
        res.statusCode = 404;
        res.end();
      }
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      fail(res, 'ERR_MESH_METHOD_NOT_ALLOWED', `${route === 'snapshot' ? '/' : path} answers ${ALLOW} only, not ${req.method ?? ''}`, { Allow: ALLOW });
    } else {
      serve(mesh, opts, route, url, req, res).catch((err: unknown) => unexpected(err, res, next));
    }
  };
}

async function serve(mesh: Mesh, opts: ResolvedAdminOptions, route: AdminRoute, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const access = { action: 'admin', route } as const;
  if (opts.public.has(route)) {
    // Served to anyone; auth, if any, only decides whether /health shows its reasons.
    const details = route !== 'health' || !('refused' in (await verdict(opts.auth, req, access)));
    await answer(mesh, opts, route, url, details, res);
  } else if ((await admitted(opts.auth, req, res, access)) !== undefined) {
    await answer(mesh, opts, route, url, true, res);
  }
}

async function answer(mesh: Mesh, opts: ResolvedAdminOptions, route: AdminRoute, url: URL, details: boolean, res: ServerResponse): Promise<void> {
  switch (route) {
    case 'snapshot':
      return snapshot(mesh, opts, res);
    case 'metrics':
      return metrics(mesh, res);
    case 'health':
      return health(mesh, opts, url.searchParams, details, res);
    case 'subscriptions':
    case 'peers':
      return part(mesh, route, res);
  }
}
