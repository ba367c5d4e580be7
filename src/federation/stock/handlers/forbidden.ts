import { MeshError } from '../../../errors.js';
import type { MeshEvent } from '../../../event/mesh-event.js';

/** A client's event a hook refused: answered with code 1, `desc` starting with the code. */
export function forbidden(event: MeshEvent): MeshError {
  return new MeshError('ERR_MESH_FORBIDDEN', `event ${event.id} is refused for this client`, { details: { eventId: event.id, subject: event.subject } });
}
