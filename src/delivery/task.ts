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
  /** The event is an open request that counts this delivery among its takers (RequestTable). */
  request = false;
  /** Links in the scheduler's list of running tasks (intrusive: no allocation per task). */
  prev: Task | undefined = undefined;
  next: Task | undefined = undefined;

  constructor(readonly event: MeshEvent, readonly key: string | undefined, readonly done: DeliveryDone | undefined) {}
}

/** The tasks holding a slot (running, or waiting for a retry): O(1) in and out, walked only by close(). */
export class RunningTasks {
  private head: Task | undefined = undefined;

  add(task: Task): void {
    task.next = this.head;
    if (this.head !== undefined) this.head.prev = task;
    this.head = task;
  }

  remove(task: Task): void {
    if (task.prev !== undefined) task.prev.next = task.next;
    else if (this.head === task) this.head = task.next;
    if (task.next !== undefined) task.next.prev = task.prev;
    task.prev = undefined;
    task.next = undefined;
  }

  *[Symbol.iterator](): Iterator<Task> {
    for (let t = this.head; t !== undefined; t = t.next) yield t;
  }
}
