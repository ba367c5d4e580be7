import type { MeshEvent } from '../event/mesh-event.js';
import { handleFailure } from './failure.js';
import { Scheduler, isThenable } from './scheduler.js';
import { hostOf, type MeshSubscription } from './subscription.js';

/**
 * Delivers one routed event to one subscription: filter, then the subscription's
 * RxJS pipe if it has one, then the handler. This is the publish hot path: no
 * closures, no promises and no allocation for a synchronous handler.
 * False only when the subscription is full (`maxQueued` events wait for its handler)
 * and did not take the event: the caller parks it (`publish`) or refuses it
 * (`refuseFull`). The check happens before the pipe, so a parked event enters the
 * pipe when it gets its place.
 */
export function deliver(sub: MeshSubscription, event: MeshEvent): boolean {
  if (!sub.live || (sub.filter !== undefined && !sub.filter(event))) return true;
  return sub.pipeIn === undefined ? accept(sub, event) : intoPipe(sub, event);
}

/** Like `deliver`, for an event whose filter was already checked (group picks). */
export function deliverMatched(sub: MeshSubscription, event: MeshEvent): boolean {
  return sub.pipeIn === undefined ? accept(sub, event) : intoPipe(sub, event);
}

function intoPipe(sub: MeshSubscription, event: MeshEvent): boolean {
  if (sub.sched !== undefined && sub.sched.full) return false;
  (sub.pipeIn as NonNullable<MeshSubscription['pipeIn']>).next(event);
  return true;
}

/**
 * Hands an event that passed filter and pipe to the handler, now or in its lane.
 * False when the subscription's queue is full and the event was not taken.
 */
export function accept(sub: MeshSubscription, event: MeshEvent): boolean {
  if (sub.sched !== undefined) return sub.sched.push(event);
  if (sub.busy) {
    // Re-entrant delivery (the handler published to itself): queue behind the
    // running call so concurrency 1 still means one at a time, in order.
    return (sub.sched = new Scheduler(sub, 1)).push(event);
  }
  sub.busy = true;
  let result: unknown;
  try {
    result = sub.handler(event, sub.ctx ?? sub.contextFor(1));
  } catch (err) {
    sub.busy = false;
    failedNow(sub, event, err, sub.sched as Scheduler | undefined);
    return true;
  }
  sub.busy = false;
  // The handler may have re-entered and created a scheduler holding this call's slot.
  const sched = sub.sched as Scheduler | undefined;
  if (result !== undefined) {
    if (isThenable(result)) {
      (sched ?? (sub.sched = new Scheduler(sub, 1))).adoptPromise(event, result);
      return true;
    }
    const host = hostOf(sub);
    if (host.openRequests > 0) host.answer(event, result);
  }
  sub.delivered++;
  sched?.release();
  return true;
}

function failedNow(sub: MeshSubscription, event: MeshEvent, err: unknown, sched: Scheduler | undefined): void {
  if (sub.policy.retry.attempts > 1) {
    (sched ?? (sub.sched = new Scheduler(sub, 1))).adoptFailure(event, err);
    return;
  }
  handleFailure(sub, event, 1, err);
  // A request this handler was asked fails with it, unless another taker still works on it.
  const host = hostOf(sub);
  if (host.openRequests > 0 && host.tookRequest(event)) host.requestSettled(event, sub, true, err);
  sched?.release();
}
