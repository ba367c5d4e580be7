import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { hostOf, type MeshSubscription } from './subscription.js';

/**
 * A full subscription (`maxQueued` events waiting for its handler) is not given
 * `event`, which came from `emit`, a `request`, a peer or its pipe, none of which can
 * wait: reported once for this event and subscription as ERR_MESH_SLOW_CONSUMER
 * (other subscriptions got the event). An open request counts it as a taker that
 * failed, so it rejects at once unless another taker answers.
 */
export function refuseFull(sub: MeshSubscription, event: MeshEvent): void {
  const host = hostOf(sub);
  const maxQueued = sub.policy.maxQueued;
  const error = new MeshError('ERR_MESH_SLOW_CONSUMER', `${sub.name} already holds ${maxQueued} events for its handler: ${event.id} was not queued`, {
    details: { eventId: event.id, type: event.type, subscription: sub.name, pattern: sub.pattern, maxQueued },
  });
  host.report(error);
  if (host.openRequests > 0 && host.tookRequest(event)) host.requestSettled(event, sub, true, error);
}
