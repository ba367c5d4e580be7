import { MeshError } from '../errors.js';
import { eventJson } from '../event/event-json.js';
import { EventReader } from '../event/event-reader.js';
import type { MeshEvent } from '../event/mesh-event.js';

/**
 * The one form adapters store an event in: CloudEvents structured-mode JSON
 * (binary data as `data_base64`), so any tool reading the engine sees plain
 * CloudEvents. Written by the exact writer the federation uses (the bytes of
 * `JSON.stringify(event)`, without `toJSON`'s intermediate object).
 */
export function encodeStoredEvent(event: MeshEvent): string {
  return eventJson(event);
}

// One reader for every adapter: its memo of the last type and time is invisible to
// callers, so sharing it across stores of a process changes nothing they can see.
const reader = new EventReader({
  malformed: (problem, cause) => new MeshError('ERR_MESH_INVALID_EVENT', `Stored event is malformed: ${problem}`, { cause }),
  badTopic: (type, problem) => new MeshError('ERR_MESH_INVALID_TOPIC', `Stored event type ${JSON.stringify(type)}: ${problem}`, { details: { topic: type } }),
}, false);

/**
 * Reads back what `encodeStoredEvent` wrote: checked for shape, not validated again
 * (it was a valid MeshEvent when appended, see EventReader). Anything else (a corrupt
 * row, something another tool wrote) throws `ERR_MESH_INVALID_EVENT` or
 * `ERR_MESH_INVALID_TOPIC`, which the adapter reports and skips.
 */
export function decodeStoredEvent(text: string | Buffer): MeshEvent {
  return reader.read(typeof text === 'string' ? text : text.toString('utf8'));
}
