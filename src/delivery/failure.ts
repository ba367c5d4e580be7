import { toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { RequestFailure } from './request-takers.js';
import { hostOf, type FailureCounts, type MeshSubscription } from './subscription.js';

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
      const delay = retry.delay(attempt);
      failuresOf(sub).retried++;
      return delay;
    } catch (err) {
      // A backoff function that throws ends the retries; it must not crash delivery.
      host.report(toMeshError('ERR_MESH_INVALID_OPTIONS', err, { subscription: sub.name, stage: 'retry.backoff' }));
    }
  }
  const failures = failuresOf(sub);
  failures.failed++;
  if (sub.policy.deadLetter !== undefined) {
    failures.deadLettered++;
    host.deadLetter(sub, event, attempt, error);
  }
  return -1;
}

function failuresOf(sub: MeshSubscription): FailureCounts {
  return (sub.failures ??= { retried: 0, failed: 0, deadLettered: 0 });
}

/**
 * The code and message a requester learns from a failed responder (api.md): a
 * MeshError's code, an error's `code` property when it is a string, else its name
 * (`Error`, `TypeError`…); something thrown that is no error is code `Error`.
 */
export function describeError(error: unknown): { code: string; message: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; name?: unknown };
  const named = error instanceof Error && error.name.length > 0 ? error.name : 'Error';
  const code = typeof e.code === 'string' && e.code.length > 0 ? e.code : named;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return { code, message };
}

/** A failed taker of a request, as RequestTakers keeps it. */
export function requestFailure(sub: MeshSubscription, error: unknown, node: string): RequestFailure {
  return { ...describeError(error), subscription: sub.name, node, cause: error };
}
