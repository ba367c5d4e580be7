import { MeshError, type HealthOptions } from '../src/index.js';
import { integerOption } from '../src/internal.js';
import type { AuthHook } from './access.js';

/** The admin endpoint's routes, as `auth` and `public` name them. */
export type AdminRoute = 'snapshot' | 'metrics' | 'health' | 'subscriptions' | 'peers';

const ROUTES: readonly AdminRoute[] = ['snapshot', 'metrics', 'health', 'subscriptions', 'peers'];

/** What an admin request wants, as the auth hook sees it. */
export interface AdminAccess {
  readonly action: 'admin';
  readonly route: AdminRoute;
}

export interface MeshAdminOptions {
  /**
   * Asked on every request (as `meshRouter`'s): `true` or `{ identity }` lets it through,
   * `false` answers 401, `{ status: 401 | 403, detail?, headers? }` picks the answer. May
   * be async. Without it every route is open to whoever reaches the server.
   * @example auth: (req) => req.headers.authorization === `Bearer ${token}`
   */
  readonly auth?: AuthHook<AdminAccess>;
  /**
   * Routes served to callers `auth` refuses, e.g. `['health']` for Kubernetes probes
   * (which send no credentials) or `['metrics']` for an unauthenticated scrape. A public
   * `/health` still asks `auth`: a refused caller gets the status code and `{ ok }` only,
   * without the reasons (they name peers and store hosts).
   * @default [] (auth guards every route)
   */
  readonly public?: readonly AdminRoute[];
  /**
   * What `GET /health` checks by default; `?store=` and `?peers=` override it per request
   * (e.g. a liveness probe on `/health`, a readiness probe on `/health?store=1&peers=1`).
   * `timeout` also bounds the backlog read of `GET /`.
   * @default { } (started only)
   */
  readonly health?: HealthOptions;
  /**
   * `GET /` reads each durable's backlog from the store first (at most `health.timeout` ms;
   * the last reading is shown if the store is slower). `false` shows the last reading only.
   * @default true
   */
  readonly backlog?: boolean;
}

export interface ResolvedAdminOptions {
  readonly auth: AuthHook<AdminAccess> | undefined;
  readonly public: ReadonlySet<AdminRoute>;
  readonly health: HealthOptions & { readonly timeout: number };
  readonly backlog: boolean;
}

/** Validates once, at `meshAdmin(…)`: a bad option throws there, not on some later request. */
export function resolveAdminOptions(options: MeshAdminOptions = {}): ResolvedAdminOptions {
  if (typeof options !== 'object' || options === null) throw invalid('meshAdmin options must be an object');
  const { auth, backlog = true, health = {} } = options;
  const open = options.public ?? [];
  if (auth !== undefined && typeof auth !== 'function') throw invalid('auth must be a function');
  if (!Array.isArray(open) || open.some((r) => !ROUTES.includes(r))) throw invalid(`public must list routes among ${ROUTES.join(', ')}`);
  if (typeof backlog !== 'boolean') throw invalid('backlog must be a boolean');
  return { auth, public: new Set(open), health: resolveHealth(health), backlog };
}

function resolveHealth(health: HealthOptions): ResolvedAdminOptions['health'] {
  if (typeof health !== 'object' || health === null) throw invalid('health must be an object');
  const { peers = false, store = false } = health;
  if (typeof peers !== 'boolean' && !(Array.isArray(peers) && peers.every((p) => typeof p === 'string' && p.length > 0))) {
    throw invalid('health.peers must be a boolean or a list of node ids and peer addresses');
  }
  if (typeof store !== 'boolean') throw invalid('health.store must be a boolean');
  return { peers, store, timeout: integerOption(health.timeout, 2000, 'health.timeout', 1) };
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message, { details: { option: 'meshAdmin' } });
}
