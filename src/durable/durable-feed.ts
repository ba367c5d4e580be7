import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { DeliveryDone, Scheduler } from '../delivery/scheduler.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import type { StoreHandler } from '../store/store.js';

/** The answer to every delivery that was handled before the store's callback returned. */
const ACKED: Promise<void> = Promise.resolve();

/**
 * The store's handler for one durable subscription. A delivery is acknowledged once the
 * handler is done with it, retries and dead-lettering included; events the filter
 * rejects are acknowledged at once; events offered after unsubscribe, or once the mesh
 * stopped draining (`halted()`), are refused, so the store keeps them. `unacked` holds
 * the settle function of every delivery handed over and not finished: close() settles
 * them as refused when its deadline passes.
 */
export function durableFeed(sub: MeshSubscription, unacked: Set<DeliveryDone>, halted: () => boolean): StoreHandler {
  const sched = sub.sched as Scheduler;
  const tracked = (event: MeshEvent, start: (settle: DeliveryDone) => void): Promise<void> => new Promise<void>((resolve, reject) => {
    const settle = (acked: boolean): void => {
      if (!unacked.delete(settle)) return;
      if (acked) resolve();
      else reject(new MeshError('ERR_MESH_CLOSED', `Delivery of ${event.id} did not finish`, { details: { eventId: event.id } }));
    };
    unacked.add(settle);
    start(settle);
  });
  return (event: MeshEvent): Promise<void> => {
    if (!sub.live || halted()) {
      return Promise.reject(new MeshError('ERR_MESH_CLOSED', `Durable ${sub.durable ?? sub.name} is not consuming`, { details: { eventId: event.id } }));
    }
    if (sub.filter !== undefined && !sub.filter(event)) return ACKED;
    if (sched.idle) {
      // The common case, a synchronous handler with a slot free, is over before this
      // returns: acknowledged with one shared settled promise, nothing to track.
      let pending: Promise<void> | undefined;
      const ran = sched.runNow(event, () => {
        let done!: DeliveryDone;
        pending = tracked(event, (settle) => (done = settle));
        return done;
      });
      return ran ? ACKED : pending as Promise<void>;
    }
    return tracked(event, (settle) => sched.push(event, settle));
  };
}
