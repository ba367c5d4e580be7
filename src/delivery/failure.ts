import { toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { hostOf, type MeshSubscription } from './subscription.js';

/**
 * Reports a failed attempt and decides what follows: the delay before the next
 * attempt, or -1 when attempts are exhausted (the event is then dead-lettered,
 * if the subscription has a dead-letter topic).
 */
export function handleFailure(sub: MeshSubscription, event: MeshEvent, attempt: number, error: unknown): number {
  const retry = sub.policy.retry;
  const willRetry = attempt < retry.attempts;
  const host = hostOf(sub);
  host.report(toMeshError('ERR_MESH_HANDLER_FAILED', error, {
    eventId: event.id,
    type: event.type,
    subscription: sub.name,
    pattern: sub.pattern,
    attempt,
    willRetry,
  }));
  if (willRetry) {
    try {
      return retry.delay(attempt);
    } catch (err) {
      // A backoff function that throws ends the retries; it must not crash delivery.
      host.report(toMeshError('ERR_MESH_INVALID_OPTIONS', err, { subscription: sub.name, stage: 'retry.backoff' }));
    }
  }
  if (sub.policy.deadLetter !== undefined) host.deadLetter(sub, event, attempt, error);
  return -1;
}
