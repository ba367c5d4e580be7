import type { ServerResponse } from 'node:http';
import { MeshError, type HealthOptions, type Mesh } from '../src/index.js';
import type { ResolvedAdminOptions } from './admin-options.js';
import { sendJson } from './admin-routes.js';
import { problemOf, sendProblem } from './problem.js';

const YES = new Set(['1', 'true', 'yes']);
const NO = new Set(['0', 'false', 'no']);

/**
 * `GET /health`: 200 with the report when every check passes, 503 with it otherwise.
 * `?store=` and `?peers=` (1/0, true/false) override the configured checks for this request,
 * so one endpoint serves a liveness probe (started) and a readiness probe (store, peers).
 * `details: false` (a public route, a caller auth refused) answers `{ ok }` only.
 */
export async function health(mesh: Mesh, opts: ResolvedAdminOptions, query: URLSearchParams, details: boolean, res: ServerResponse): Promise<void> {
  let options: HealthOptions;
  try {
    options = healthOptions(opts.health, query);
  } catch (err) {
    if (!(err instanceof MeshError)) throw err;
    sendProblem(res, problemOf(err, undefined, 400));
    return;
  }
  const report = await mesh.health(options);
  sendJson(res, report.ok ? 200 : 503, details ? report : { ok: report.ok });
}

function healthOptions(defaults: ResolvedAdminOptions['health'], query: URLSearchParams): HealthOptions {
  const store = flag(query, 'store');
  const peers = flag(query, 'peers');
  return {
    timeout: defaults.timeout,
    store: store ?? defaults.store,
    // Asked for peers: the configured list if there is one, else every configured peer.
    peers: peers === undefined ? defaults.peers : peers && (defaults.peers === false ? true : defaults.peers),
  };
}

function flag(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const v = value.toLowerCase();
  if (YES.has(v) || v === '') return true;
  if (NO.has(v)) return false;
  throw new MeshError('ERR_MESH_INVALID_OPTIONS', `?${name}= must be 1 or 0 (true or false), not ${JSON.stringify(value)}`, { details: { option: name } });
}
