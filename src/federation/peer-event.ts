import { MeshError } from '../errors.js';
import { EventReader } from '../event/event-reader.js';
import type { MeshEvent } from '../event/mesh-event.js';

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';

/**
 * Reads the CloudEvents peers send (PROTOCOL §5.2, §6.3): checked for shape, not
 * validated again (the origin did, see EventReader). Anything else is
 * `ERR_MESH_WIRE_BAD_BODY`, which costs the sender its link (PROTOCOL §1.3).
 */
export class PeerEvents {
  private readonly reader = new EventReader({
    malformed: (problem, cause) => new MeshError(BAD_BODY, `Peer event is malformed: ${problem}`, { cause }),
    badTopic: (type, problem) => new MeshError(BAD_BODY, `Peer event type ${JSON.stringify(type)}: ${problem}`),
  }, true);

  read(body: Buffer | undefined): MeshEvent {
    if (body === undefined) throw new MeshError(BAD_BODY, 'Peer event has no body');
    return this.reader.read(body.toString('utf8'));
  }
}
