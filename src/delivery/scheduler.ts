import type { MeshEvent } from '../event/mesh-event.js';
import { Fifo } from './fifo.js';
import { handleFailure } from './failure.js';
import type { MeshSubscription } from './subscription.js';

/** Called once per delivery when it is over: true if the handler succeeded. */
export type DeliveryDone = (ok: boolean) => void;

class Task {
  attempt = 1;
  constructor(readonly event: MeshEvent, readonly key: string | undefined, readonly done: DeliveryDone | undefined) {}
}

/**
 * Real queuing for one subscription: at most `concurrency` handlers at once, in
 * publish order per ordering lane (the whole subscription when there is no
 * orderingKey). A task keeps its slot through retries and their backoff, so a
 * failing event never lets later events of its lane overtake it.
 * Created lazily: a subscription whose handlers stay synchronous never has one.
 */
export class Scheduler {
  private running = 0;
  private pumping = false;
  private readonly queue = new Fifo<Task>();
  /** Keyed mode: a lane exists while its key has a task running or queued. */
  private readonly lanes = new Map<string, Fifo<Task>>();
  /** Keyed mode: keys whose next task waits for a free slot, in arrival order. */
  private readonly waiting = new Fifo<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly sub: MeshSubscription, heldSlots = 0) {
    this.running = heldSlots;
  }

  push(event: MeshEvent, done?: DeliveryDone): void {
    this.sub.host.drain.add();
    const keyOf = this.sub.policy.keyOf;
    if (keyOf === undefined) {
      const task = new Task(event, undefined, done);
      if (this.running < this.sub.policy.concurrency && this.queue.length === 0) this.start(task);
      else this.queue.push(task);
      return;
    }
    const key = keyOf(event);
    const task = new Task(event, key, done);
    const lane = this.lanes.get(key);
    if (lane !== undefined) {
      lane.push(task);
    } else if (this.running < this.sub.policy.concurrency) {
      this.lanes.set(key, new Fifo());
      this.start(task);
    } else {
      const fresh = new Fifo<Task>();
      fresh.push(task);
      this.lanes.set(key, fresh);
      this.waiting.push(key);
    }
  }

  /** The fast path's running handler returned a promise: it becomes a task holding its slot. */
  adoptPromise(event: MeshEvent, promise: PromiseLike<unknown>): void {
    this.sub.host.drain.add();
    this.track(new Task(event, undefined, undefined), promise);
  }

  /** The fast path's handler threw and may be retried: the retry holds the slot. */
  adoptFailure(event: MeshEvent, error: unknown): void {
    this.sub.host.drain.add();
    this.fail(new Task(event, undefined, undefined), error);
  }

  /** The fast path's synchronous run is over: free its slot. */
  release(): void {
    this.running--;
    this.pump();
  }

  /** Resolves when nothing is running or queued. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && this.queue.length === 0 && this.lanes.size === 0;
  }

  private start(task: Task): void {
    this.running++;
    this.run(task);
  }

  private run(task: Task): void {
    const sub = this.sub;
    let result: unknown;
    try {
      result = sub.handler(task.event, sub.contextFor(task.attempt));
    } catch (err) {
      this.fail(task, err);
      return;
    }
    if (isThenable(result)) this.track(task, result);
    else this.succeed(task, result);
  }

  private track(task: Task, promise: PromiseLike<unknown>): void {
    promise.then(
      (value) => this.succeed(task, value),
      (err: unknown) => this.fail(task, err),
    );
  }

  private succeed(task: Task, value: unknown): void {
    if (value !== undefined && this.sub.host.openRequests > 0) this.sub.host.answer(task.event, value);
    this.finish(task, true);
  }

  private fail(task: Task, error: unknown): void {
    const retryIn = handleFailure(this.sub, task.event, task.attempt, error);
    if (retryIn < 0) {
      this.finish(task, false);
      return;
    }
    const timers = this.sub.host.timers;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task.attempt++;
      this.run(task);
    }, retryIn);
    timers.add(timer);
  }

  private finish(task: Task, ok: boolean): void {
    this.running--;
    this.sub.host.drain.done();
    task.done?.(ok);
    if (task.key !== undefined) {
      const lane = this.lanes.get(task.key);
      if (lane !== undefined && lane.length > 0) this.waiting.push(task.key);
      else this.lanes.delete(task.key);
    }
    this.pump();
  }

  private pump(): void {
    // Synchronous handlers finish inside start(); the flag turns what would be
    // recursion (start → finish → pump → start …) into this loop.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.sub.policy.concurrency) {
        const task = this.nextTask();
        if (task === undefined) break;
        this.start(task);
      }
    } finally {
      this.pumping = false;
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private nextTask(): Task | undefined {
    if (this.sub.policy.keyOf === undefined) return this.queue.shift();
    const key = this.waiting.shift();
    return key === undefined ? undefined : this.lanes.get(key)?.shift();
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
