import { EventIds, toMeshEvent, type MeshEvent } from '../../src/internal.js';

// Only consulted for a stored event without an id (written by a foreign producer);
// events written by a mesh always carry theirs.
const FACTORY = { ids: new EventIds(), source: '/' };

/** CloudEvents JSON (structured content mode): what the broker adapters store as the message body. */
export const CONTENT_TYPE = 'application/cloudevents+json';

export function encodeEvent(event: MeshEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

/**
 * Parses and validates a stored body. Throws a MeshError (`ERR_MESH_INVALID_EVENT`,
 * `ERR_MESH_INVALID_TOPIC`) or a SyntaxError for a body that is not a CloudEvent.
 */
export function decodeEvent(body: Uint8Array): MeshEvent {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return toMeshEvent(FACTORY, JSON.parse(text));
}
