import { asMeshError } from '../../../errors.js';
import type { MeshEvent } from '../../../event/mesh-event.js';
import type { WireFrame } from '../../../wire/frame.js';
import { inboundEvent, replyFrame } from '../stock-frames.js';
import type { HandlerSession } from './handler-session.js';

/**
 * PROTOCOL §8.5: a RESPONSE_TO_SERVER answers the REQUEST_TO_CLIENT whose event id
 * its `inreplyto` extension names, or else its own id (the SDK idiom of sending the
 * request event back). Its `data` is the answer. Success sends no frame
 * (PROTOCOL §11.3); an unreadable event is answered with code 1; an unknown one is ignored.
 */
export function response(session: HandlerSession, frame: WireFrame): void {
  let reply: MeshEvent;
  try {
    reply = session.host.toEvent(inboundEvent(frame));
  } catch (err) {
    return session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_INVALID_EVENT')));
  }
  const asked = session.awaited(reply['inreplyto']) ?? session.awaited(reply.id);
  if (asked === undefined) return;
  session.answered(asked);
  session.host.answer(asked, reply.data ?? null);
}
