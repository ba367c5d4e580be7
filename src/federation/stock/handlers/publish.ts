import { asMeshError } from '../../../errors.js';
import type { MeshEvent } from '../../../event/mesh-event.js';
import type { WireFrame } from '../../../wire/frame.js';
import { inboundEvent, replyFrame, subjectOf } from '../stock-frames.js';
import { forbidden } from './forbidden.js';
import type { HandlerSession } from './handler-session.js';

/**
 * PROTOCOL §8.4: ASYNC_/BROADCAST_MESSAGE_TO_SERVER is published, routed by its
 * subject, and acknowledged with the matching `_ACK` once the mesh accepted it (by
 * the store too where durable). Whether it is spread or broadcast is the
 * subscribers' mode (PROTOCOL §11.11). An invalid event gets code 1; the session stays.
 */
export function publish(session: HandlerSession, frame: WireFrame): void {
  const k = session.host;
  let event: MeshEvent;
  try {
    k.assertOpen();
    event = k.toEvent(inboundEvent(frame));
    subjectOf(event);
    if (!session.mayBringIn(event)) throw forbidden(event);
  } catch (err) {
    return session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_INVALID_EVENT')));
  }
  k.publishBy(event, subjectOf).then(
    () => session.send(replyFrame(frame)),
    (err: unknown) => session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_PIPELINE_FAILED'))),
  );
}
