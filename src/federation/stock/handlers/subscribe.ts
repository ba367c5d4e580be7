import { MeshError, asMeshError } from '../../../errors.js';
import { decodeSubscription } from '../../../wire/bodies/subscription.js';
import type { WireFrame } from '../../../wire/frame.js';
import { replyFrame } from '../stock-frames.js';
import { topicFilter } from '../topic-filter.js';
import type { HandlerSession } from './handler-session.js';

function notSub(): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', 'client purpose config is not sub');
}

/**
 * PROTOCOL §8.2: SUBSCRIBE_REQUEST records its items (all or none: a topic that is
 * no valid stock topic refuses the request with code 1). They become mesh
 * subscriptions at LISTEN, so nothing is pushed, and no group member is taken, before.
 * A body that is not a Subscription ends the connection (PROTOCOL §11.6: Java's decoder fails).
 */
export function subscribeItems(session: HandlerSession, frame: WireFrame): void {
  if (session.purpose !== 'sub') return session.send(replyFrame(frame, notSub()));
  const { topicList } = decodeSubscription(frame.body);
  try {
    // Checked first: a request with an item that is refused changes nothing.
    for (const item of topicList) {
      topicFilter(item.topic);
      if (session.listening) session.allow(item);
    }
    for (const item of topicList) session.items.set(item.topic, item);
    if (session.listening) session.registerAll();
  } catch (err) {
    return session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_INVALID_PATTERN')));
  }
  session.send(replyFrame(frame));
}

/** PROTOCOL §11.3 (UnSubscribeProcessor): every topic of the session goes; the body is ignored. */
export function unsubscribeAll(session: HandlerSession, frame: WireFrame): void {
  session.items.clear();
  session.unregisterAll();
  session.send(replyFrame(frame));
}

/** PROTOCOL §11.9: LISTEN starts the pushes; a pub session is refused with code 1. Repeating it is harmless. */
export function listen(session: HandlerSession, frame: WireFrame): void {
  if (session.purpose !== 'sub') return session.send(replyFrame(frame, notSub()));
  if (!session.listening) {
    try {
      for (const item of session.items.values()) session.allow(item);
      session.registerAll();
    } catch (err) {
      session.unregisterAll();
      return session.send(replyFrame(frame, asMeshError(err, 'ERR_MESH_INVALID_OPTIONS')));
    }
    session.listening = true;
  }
  session.send(replyFrame(frame));
}
