import type { MeshEvent } from '../event/mesh-event.js';

/**
 * Called once per delivery when it is over: true when the subscription's policy
 * ran its course (success, or retries and dead letter spent); false when the task
 * was dropped unhandled (subscription ended, mesh halted), so a store keeps it.
 */
export type DeliveryDone = (handled: boolean) => void;

/** One delivery a scheduler holds: queued, running, or waiting for its retry. */
export class Task {
  attempt = 1;
  /** When the current attempt started (performance.now()), while delivery hooks watch; else -1. */
  started = -1;

  constructor(readonly event: MeshEvent, readonly key: string | undefined, readonly done: DeliveryDone | undefined) {}
}
