import { toMeshError } from '../errors.js';
import type { DeliveryOutcome } from '../hooks/hook-list.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { Fifo } from '../util/fifo.js';
import { handleFailure } from './failure.js';
import type { DeliveryHost } from './host.js';
import { hostOf, type MeshSubscription } from './subscription.js';

/**
 * Called once per delivery when it is over: true when the subscription's policy
 * ran its course (success, or retries and dead letter spent); false when the task
 * was dropped unhandled (subscription ended, mesh halted), so a store keeps it.
 */
export type DeliveryDone = (handled: boolean) => void;

class Task {
  attempt = 1;
  /** When the current attempt started (performance.now()), while delivery hooks watch; else -1. */
  started = -1;
  constructor(readonly event: MeshEvent, readonly key: string | undefined, readonly done: DeliveryDone | undefined) {}
}

/**
 * Real queuing for one subscription: at most `concurrency` handlers at once, in
 * publish order per ordering lane (the whole subscription when there is no
 * orderingKey). A task keeps its slot through retries and their backoff, so a
 * failing event never lets later events of its lane overtake it. A task that
 * comes up after its subscription ended, or after the mesh gave up draining, is
 * dropped: `done(false)` hands a stored event back to its store.
 * Subscriptions with concurrency > 1, an ordering key or a store get one at
 * once; others only when a handler first returns a promise or needs a retry.
 */
export class Scheduler {
  private running = 0;
  private pumping = false;
  private readonly queue = new Fifo<Task>();
  /** Keyed mode: a lane exists while its key has a task running or queued. */
  private readonly lanes = new Map<string, Fifo<Task>>();
  /** Keyed mode: keys whose next task waits for a free slot, in arrival order. */
  private readonly waiting = new Fifo<string>();
  // ES-private: the scheduler is reachable from a handler (ctx.subscription.sched).
  readonly #host: DeliveryHost;

  constructor(private readonly sub: MeshSubscription, heldSlots = 0) {
    this.running = heldSlots;
    this.#host = hostOf(sub);
  }

  push(event: MeshEvent, done?: DeliveryDone): void {
    const key = this.keyOf(event);
    this.#host.drain.add();
    const task = new Task(event, key, done);
    if (key === undefined) {
      if (this.running < this.sub.policy.concurrency && this.queue.length === 0) this.start(task);
      else this.queue.push(task);
      return;
    }
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

  /**
   * A store's delivery may skip the queue: no ordering key, a free slot and nothing
   * waiting for one, so `push` would start it at once anyway.
   */
  get idle(): boolean {
    return this.sub.policy.keyOf === undefined && this.running < this.sub.policy.concurrency && this.queue.length === 0
      && !this.#host.hooks.watchesDeliveries;
  }

  /**
   * Runs a delivery now when `idle` (the caller checked it, and that the subscription
   * is live): true when the handler returned without a promise and did not throw, so
   * the delivery is over and handled, with no task, no callback and no drain count (as
   * on the in-process fast path). Otherwise the run becomes a task holding its slot,
   * finished through the callback `later()` returns (retries and dead letter as ever).
   */
  runNow(event: MeshEvent, later: () => DeliveryDone): boolean {
    const sub = this.sub;
    this.running++;
    let result: unknown;
    try {
      result = sub.handler(event, sub.contextFor(1));
    } catch (err) {
      this.adoptFailure(event, err, later());
      return false;
    }
    if (isThenable(result)) {
      this.adoptPromise(event, result, later());
      return false;
    }
    if (result !== undefined && this.#host.openRequests > 0) this.#host.answer(event, result);
    this.release();
    return true;
  }

  /** The fast path's running handler returned a promise: it becomes a task holding its slot. */
  adoptPromise(event: MeshEvent, promise: PromiseLike<unknown>, done?: DeliveryDone): void {
    this.#host.drain.add();
    this.track(new Task(event, undefined, done), promise);
  }

  /** The fast path's handler threw and may be retried: the retry holds the slot. */
  adoptFailure(event: MeshEvent, error: unknown, done?: DeliveryDone): void {
    this.#host.drain.add();
    this.fail(new Task(event, undefined, done), error);
  }

  /** The fast path's synchronous run is over: free its slot. */
  release(): void {
    this.running--;
    this.pump();
  }

  /**
   * The subscription ended: queued tasks are dropped now (a stored event goes back
   * to its store at once, for another consumer), not when their turn would come.
   * Running tasks finish on their own.
   */
  dropQueued(): void {
    const dropped: Task[] = [];
    for (let t = this.queue.shift(); t !== undefined; t = this.queue.shift()) dropped.push(t);
    for (let key = this.waiting.shift(); key !== undefined; key = this.waiting.shift()) {
      const lane = this.lanes.get(key);
      for (let t = lane?.shift(); t !== undefined; t = lane?.shift()) dropped.push(t);
      this.lanes.delete(key);
    }
    for (const lane of this.lanes.values()) for (let t = lane.shift(); t !== undefined; t = lane.shift()) dropped.push(t);
    for (const task of dropped) {
      this.#host.drain.done();
      task.done?.(false);
    }
  }

  /** A user key function that throws must not break delivery to anyone else: the event goes to lane "". */
  private keyOf(event: MeshEvent): string | undefined {
    const keyOf = this.sub.policy.keyOf;
    if (keyOf === undefined) return undefined;
    try {
      return keyOf(event);
    } catch (err) {
      this.#host.report(toMeshError('ERR_MESH_HANDLER_FAILED', err, {
        eventId: event.id, subscription: this.sub.name, pattern: this.sub.pattern, stage: 'orderingKey',
      }));
      return '';
    }
  }

  private start(task: Task): void {
    this.running++;
    this.run(task);
  }

  private run(task: Task): void {
    const sub = this.sub;
    if (!sub.live || this.#host.halted) {
      this.finish(task, false);
      return;
    }
    const hooks = this.#host.hooks;
    if (hooks.watchesDeliveries) {
      task.started = performance.now();
      if (hooks.onDeliver !== undefined) hooks.run('onDeliver', task.event, sub, task.attempt);
    }
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

  /** Tells `onSettle` hooks how the attempt `task` started ended. */
  private settled(task: Task, outcome: DeliveryOutcome): void {
    if (task.started < 0) return;
    const duration = performance.now() - task.started;
    task.started = -1;
    const hooks = this.#host.hooks;
    if (hooks.onSettle !== undefined) hooks.run('onSettle', task.event, this.sub, outcome, duration);
  }

  private track(task: Task, promise: PromiseLike<unknown>): void {
    try {
      promise.then(
        (value) => this.succeed(task, value),
        (err: unknown) => this.fail(task, err),
      );
    } catch (err) {
      // A hand-made thenable whose then() throws is a failed handler, not our crash.
      this.fail(task, err);
    }
  }

  private succeed(task: Task, value: unknown): void {
    this.settled(task, 'ok');
    if (value !== undefined && this.#host.openRequests > 0) this.#host.answer(task.event, value);
    this.finish(task, true);
  }

  private fail(task: Task, error: unknown): void {
    const retryIn = handleFailure(this.sub, task.event, task.attempt, error);
    this.settled(task, retryIn >= 0 ? 'retried' : this.sub.policy.deadLetter === undefined ? 'failed' : 'dead_lettered');
    if (retryIn < 0) {
      this.finish(task, true);
      return;
    }
    if (this.#host.halted) {
      this.finish(task, false);
      return;
    }
    const timers = this.#host.timers;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task.attempt++;
      this.run(task);
    }, retryIn);
    timers.add(timer);
  }

  private finish(task: Task, handled: boolean): void {
    this.running--;
    this.#host.drain.done();
    task.done?.(handled);
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
