import { Observable } from 'rxjs';
import type { MeshEvent } from '../event/mesh-event.js';
import type { EventHandler, SubscribeOptions, Subscription } from '../delivery/subscription.js';

export type ObserveOptions = Omit<SubscribeOptions, 'pipe'>;

type Subscribe = (pattern: string, handler: EventHandler, options?: SubscribeOptions) => Subscription & { onEnd: (() => void) | undefined };

/**
 * A cold Observable over a pattern: each RxJS subscriber gets its own mesh
 * subscription, made on subscribe and removed on unsubscribe; it completes when
 * the mesh closes. Arguments were validated by the caller, so subscribing cannot
 * fail later for bad input. An observer that throws follows RxJS rules (reported
 * as an unhandled error, not through the mesh): use `subscribe()` for handlers
 * whose errors the mesh should isolate, retry and dead-letter.
 */
export function observe<T = unknown>(subscribe: Subscribe, pattern: string, options?: ObserveOptions): Observable<MeshEvent<T>> {
  return new Observable<MeshEvent<T>>((subscriber) => {
    const sub = subscribe(pattern, (event) => {
      subscriber.next(event as MeshEvent<T>);
    }, options);
    sub.onEnd = () => subscriber.complete();
    return () => {
      void sub.unsubscribe();
    };
  });
}
