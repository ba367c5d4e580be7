import { EventIds } from '../event/event-ids.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { toMeshEvent, type EventFactory } from '../event/normalize.js';

// Stored events always carry their id and source; the factory only satisfies the type.
const STORED: EventFactory = { ids: new EventIds(), source: '/evmesh/store' };

/**
 * The one form adapters store an event in: CloudEvents structured-mode JSON
 * (binary data as `data_base64`), so any tool reading the engine sees plain
 * CloudEvents.
 */
export function encodeStoredEvent(event: MeshEvent): string {
  return JSON.stringify(event);
}

/** Reads back what `encodeStoredEvent` wrote; the attributes are validated again. */
export function decodeStoredEvent(text: string | Buffer): MeshEvent {
  return toMeshEvent(STORED, JSON.parse(typeof text === 'string' ? text : text.toString('utf8')));
}
