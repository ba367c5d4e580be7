import type { MeshEvent } from '../event/mesh-event.js';
import type { SubscribeOptions, Subscription } from '../delivery/subscription.js';
import type { Mesh } from '../mesh/mesh.js';

export interface CapturedEvents<T = unknown> {
  /** Every event received so far, in delivery order. */
  readonly events: readonly MeshEvent<T>[];
  readonly subscription: Subscription;
  /** Resolves once `count` events arrived; rejects after `timeout` ms with what did arrive. */
  waitFor(count: number, timeout?: number): Promise<readonly MeshEvent<T>[]>;
  stop(): Promise<void>;
}

/** Subscribes to `pattern` and records what arrives, so tests wait on conditions, not sleeps. */
export function captureEvents<T = unknown>(mesh: Mesh, pattern: string, options?: SubscribeOptions): CapturedEvents<T> {
  const events: MeshEvent<T>[] = [];
  const waiters = new Set<() => void>();
  const subscription = mesh.subscribe<T>(pattern, (event) => {
    events.push(event);
    for (const wake of waiters) wake();
  }, options);
  return {
    events,
    subscription,
    waitFor(count, timeout = 2000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (events.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(events.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} events on ${pattern}, got ${events.length}`));
        }, timeout);
        waiters.add(check);
        check();
      });
    },
    stop: () => subscription.unsubscribe(),
  };
}
