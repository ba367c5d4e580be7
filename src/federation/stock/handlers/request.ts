import { MeshError, asMeshError } from '../../../errors.js';
import type { MeshEvent } from '../../../event/mesh-event.js';
import type { WireFrame } from '../../../wire/frame.js';
import { inboundEvent, replyFrame, responseFrame, subjectOf } from '../stock-frames.js';
import { forbidden } from './forbidden.js';
import type { HandlerSession } from './handler-session.js';

/** PROTOCOL §11.13: the request/reply timeout of a stock request. */
const DEFAULT_TTL = 3000;

function ttlOf(event: MeshEvent): number {
  const ttl = event['ttl'];
  if (ttl === undefined) return DEFAULT_TTL;
  const ms = Number(ttl);
  if (!Number.isFinite(ms) || ms <= 0) throw new MeshError('ERR_MESH_INVALID_EVENT', `ttl ${JSON.stringify(ttl)} is not a positive number of ms`);
  return ms; // past the timer range the request table waits its longest timer
}

/**
 * The answer as RESPONSE_TO_CLIENT; one the JSON format cannot carry (a BigInt, a
 * cycle) is code 1 instead: thrown in the reply's callback it would be an unhandled
 * rejection, and the requester would get nothing.
 */
function answerFrame(session: HandlerSession, request: WireFrame, answer: MeshEvent): WireFrame {
  try {
    return responseFrame(request.header.seq, answer);
  } catch (err) {
    const error = asMeshError(err, 'ERR_MESH_WIRE_BAD_BODY', { eventId: answer.id });
    session.host.report(error);
    return replyFrame(request, error);
  }
}

/**
 * PROTOCOL §8.5: REQUEST_TO_SERVER is a mesh request routed by subject; the reply
 * comes back as RESPONSE_TO_CLIENT with the request's seq, a failure (no responder,
 * timeout from the `ttl` extension, invalid event) as RESPONSE_TO_CLIENT code 1.
 */
export function request(session: HandlerSession, frame: WireFrame): void {
  const k = session.host;
  try {
    k.assertOpen();
    const event = k.toEvent(inboundEvent(frame));
    if (!session.mayBringIn(event)) throw forbidden(event);
    const reply = k.requestBy(event, subjectOf, ttlOf(event));
    session.asking.add(event);
    reply.then(
      (answer) => {
        session.asking.delete(event);
        session.send(answerFrame(session, frame, answer));
      },
      (err: unknown) => {
        session.asking.delete(event);
        session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_TIMEOUT')));
      },
    );
  } catch (err) {
    session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_INVALID_EVENT')));
  }
}
