import type { MeshEvent } from '../event/mesh-event.js';
import { handleFailure } from './failure.js';
import { Scheduler, isThenable } from './scheduler.js';
import { hostOf, type MeshSubscription } from './subscription.js';

/**
 * Delivers one routed event to one subscription: filter, then the subscription's
 * RxJS pipe if it has one, then the handler. This is the publish hot path: no
 * closures, no promises and no allocation for a synchronous handler.
 */
export function deliver(sub: MeshSubscription, event: MeshEvent): void {
  if (!sub.live || (sub.filter !== undefined && !sub.filter(event))) return;
  if (sub.pipeIn !== undefined) sub.pipeIn.next(event);
  else accept(sub, event);
}

/** Like `deliver`, for an event whose filter was already checked (group picks). */
export function deliverMatched(sub: MeshSubscription, event: MeshEvent): void {
  if (sub.pipeIn !== undefined) sub.pipeIn.next(event);
  else accept(sub, event);
}

/** Hands an event that passed filter and pipe to the handler, now or in its lane. */
export function accept(sub: MeshSubscription, event: MeshEvent): void {
  if (sub.sched !== undefined) {
    sub.sched.push(event);
    return;
  }
  if (sub.busy) {
    // Re-entrant delivery (the handler published to itself): queue behind the
    // running call so concurrency 1 still means one at a time, in order.
    (sub.sched = new Scheduler(sub, 1)).push(event);
    return;
  }
  sub.busy = true;
  let result: unknown;
  try {
    result = sub.handler(event, sub.ctx ?? sub.contextFor(1));
  } catch (err) {
    sub.busy = false;
    failedNow(sub, event, err, sub.sched as Scheduler | undefined);
    return;
  }
  sub.busy = false;
  // The handler may have re-entered and created a scheduler holding this call's slot.
  const sched = sub.sched as Scheduler | undefined;
  if (result !== undefined) {
    if (isThenable(result)) {
      (sched ?? (sub.sched = new Scheduler(sub, 1))).adoptPromise(event, result);
      return;
    }
    const host = hostOf(sub);
    if (host.openRequests > 0) host.answer(event, result);
  }
  sched?.release();
}

function failedNow(sub: MeshSubscription, event: MeshEvent, err: unknown, sched: Scheduler | undefined): void {
  if (sub.policy.retry.attempts > 1) {
    (sched ?? (sub.sched = new Scheduler(sub, 1))).adoptFailure(event, err);
    return;
  }
  handleFailure(sub, event, 1, err);
  sched?.release();
}
