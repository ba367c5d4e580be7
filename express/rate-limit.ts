import type { IncomingMessage, ServerResponse } from 'node:http';
import { MeshError, type Mesh } from '../src/index.js';
import { publishLimiterOf } from '../src/internal.js';
import { problemOf, sendProblem } from './problem.js';

/**
 * The identity an HTTP caller's events are counted under for `limits.publishRate`: its
 * remote address (the router has no other identity for a caller yet).
 */
function callerOf(req: IncomingMessage): string {
  return `http:${req.socket.remoteAddress ?? ''}`;
}

/**
 * `limits.publishRate` of the mesh: a request whose events would take its caller over the
 * rate is answered 429 (`ERR_MESH_RATE_LIMITED`, `Retry-After`) and none of them is published.
 */
export function overRate(mesh: Mesh, req: IncomingMessage, res: ServerResponse, events: number): boolean {
  const limiter = publishLimiterOf(mesh);
  if (limiter === undefined || limiter.take(callerOf(req), events)) return false;
  const err = new MeshError('ERR_MESH_RATE_LIMITED', `this caller publishes faster than limits.publishRate allows; none of the ${String(events)} event(s) was published`);
  sendProblem(res, problemOf(err), { 'Retry-After': String(limiter.secondsFor(events)) });
  return true;
}
