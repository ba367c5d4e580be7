import type { MeshErrorCode } from '../errors.js';

/**
 * Reported conditions an operator should see but the mesh rides out by itself (a peer or
 * store away and redialed, a connection or topic refused): logged at `warn` whether or not
 * an `'error'` listener got them. Every other reported error is logged at `error`, and
 * only when no listener got it.
 */
const WARN_CODES: ReadonlySet<MeshErrorCode> = new Set<MeshErrorCode>([
  'ERR_MESH_STORE_UNAVAILABLE',
  'ERR_MESH_PEER_UNREACHABLE',
  'ERR_MESH_PEER_REFUSED',
  'ERR_MESH_CONNECTION_REFUSED',
  'ERR_MESH_RATE_LIMITED',
  'ERR_MESH_FORBIDDEN',
  'ERR_MESH_UNAUTHORIZED',
  'ERR_MESH_WIRE_BACKPRESSURE',
]);

/** The level a reported error is logged at (see WARN_CODES). */
export function reportLevel(code: MeshErrorCode): 'warn' | 'error' {
  return WARN_CODES.has(code) ? 'warn' : 'error';
}
