import { type MeshError, toMeshError } from '../errors.js';
import type { DeliveryOutcome } from '../hooks/hook-list.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { Fifo } from '../util/fifo.js';
import type { DrainOwner, PendingDelivery } from './drain.js';
import { handleFailure } from './failure.js';
import type { DeliveryHost } from './host.js';
import { hostOf, type MeshSubscription } from './subscription.js';
import { RunningTasks, Task, type DeliveryDone } from './task.js';
import { WaitingRoom } from './waiting-room.js';

export type { DeliveryDone } from './task.js';

/**
 * Real queuing for one subscription: at most `concurrency` handlers at once, in
 * publish order per ordering lane (the whole subscription when there is no
 * orderingKey), and at most `maxQueued` events waiting for a slot: over it `push`
 * refuses, and a `publish` parks its event in the waiting room, whose events take
 * free places before anything new. A task keeps its slot through retries and their
 * backoff, so a failing event never lets later events of its lane overtake it. A
 * task that comes up after its subscription ended, or after the mesh gave up
 * draining, is dropped: `done(false)` hands a stored event back to its store.
 * Subscriptions with concurrency > 1, an ordering key or a store get one at
 * once; others only when a handler first returns a promise or needs a retry.
 */
export class Scheduler implements DrainOwner {
  /** Deliveries of the mesh's drain this scheduler holds (kept by the Drain). */
  held = 0;
  private running = 0;
  /** Tasks in `queue` and the lanes, not started yet: what `maxQueued` bounds. */
  private queued = 0;
  private pumping = false;
  /** Set while waiting publishes are let in (through a pipe, they come back through push). */
  private admitting = false;
  private readonly queue = new Fifo<Task>();
  /** Keyed mode: a lane exists while its key has a task running or queued. */
  private readonly lanes = new Map<string, Fifo<Task>>();
  /** Keyed mode: keys whose next task waits for a free slot, in arrival order. */
  private readonly waiting = new Fifo<string>();
  private readonly active = new RunningTasks();
  /** Publishes waiting for a place in the queue; made with the first one. */
  private room: WaitingRoom | undefined = undefined;
  // ES-private: the scheduler is reachable from a handler (ctx.subscription.sched).
  readonly #host: DeliveryHost;

  constructor(private readonly sub: MeshSubscription, heldSlots = 0) {
    this.running = heldSlots;
    this.#host = hostOf(sub);
  }

  /**
   * Queues `event`, or starts it when a slot is free. False, with nothing queued, when
   * the subscription is `full`: the caller parks the event (`publish`) or refuses it
   * (`emit`). A store's delivery (`done`) is never refused: its prefetch bounds those.
   */
  push(event: MeshEvent, done?: DeliveryDone): boolean {
    if (done === undefined && this.full) return false;
    this.enqueue(event, done);
    return true;
  }

  /** No place for one more event: `maxQueued` are waiting, or publishes wait for room ahead of it. */
  get full(): boolean {
    return this.queued >= this.sub.policy.maxQueued || (this.room !== undefined && this.room.length > 0 && !this.admitting);
  }

  /** Handlers running now (a task keeps its slot through its retries' backoff). */
  get inFlight(): number {
    return this.running;
  }

  /** Events waiting for a slot: queued tasks and publishes parked in the waiting room. */
  get waitingCount(): number {
    return this.queued + (this.room?.length ?? 0);
  }

  /** A `publish` met a full queue: the promise resolves once the event has its place. */
  park(event: MeshEvent): Promise<void> {
    this.#host.drain.add(this);
    return (this.room ??= new WaitingRoom()).enter(event);
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
    sub.delivered++;
    this.release();
    return true;
  }

  /** The fast path's running handler returned a promise: it becomes a task holding its slot. */
  adoptPromise(event: MeshEvent, promise: PromiseLike<unknown>, done?: DeliveryDone): void {
    const task = this.task(event, undefined, done);
    this.active.add(task);
    this.track(task, promise);
  }

  /** The fast path's handler threw and may be retried: the retry holds the slot. */
  adoptFailure(event: MeshEvent, error: unknown, done?: DeliveryDone): void {
    const task = this.task(event, undefined, done);
    this.active.add(task);
    this.fail(task, error);
  }

  /** The fast path's synchronous run is over: free its slot. */
  release(): void {
    this.running--;
    this.pump();
  }

  /**
   * The subscription ended: queued tasks are dropped now (a stored event goes back
   * to its store at once, for another consumer), not when their turn would come;
   * waiting publishes resolve (the event is delivered nowhere here any more).
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
    this.queued = 0;
    for (const task of dropped) {
      this.#host.drain.done(this);
      task.done?.(false);
      if (task.request) this.#host.requestSettled(task.event, this.sub, false, undefined);
    }
    this.room?.clear((waiting) => {
      this.#host.drain.done(this);
      waiting.resolve();
    });
  }

  /** close() gave up draining: publishes still waiting for room reject with `error`. */
  halt(error: MeshError): void {
    this.room?.clear((waiting) => {
      this.#host.drain.done(this);
      waiting.reject(error);
    });
  }

  /** Appends up to `room` of the deliveries held here (for close()'s drain-timeout report). */
  listPending(into: PendingDelivery[], room: number): void {
    const limit = into.length + room;
    const sub = this.sub;
    const add = (event: MeshEvent, state: PendingDelivery['state']): boolean => {
      if (into.length >= limit) return false;
      into.push({ eventId: event.id, subscription: sub.name, durable: sub.durable !== undefined, state });
      return true;
    };
    for (const task of this.active) if (!add(task.event, 'running')) return;
    for (const task of this.queue) if (!add(task.event, 'queued')) return;
    for (const lane of this.lanes.values()) for (const task of lane) if (!add(task.event, 'queued')) return;
    if (this.room !== undefined) for (const event of this.room.events()) if (!add(event, 'waiting')) return;
  }

  private enqueue(event: MeshEvent, done: DeliveryDone | undefined): void {
    const key = this.keyOf(event);
    const task = this.task(event, key, done);
    if (key === undefined) {
      if (this.running < this.sub.policy.concurrency && this.queue.length === 0) this.start(task);
      else this.wait(this.queue, task);
      return;
    }
    const lane = this.lanes.get(key);
    if (lane !== undefined) {
      this.wait(lane, task);
    } else if (this.running < this.sub.policy.concurrency) {
      this.lanes.set(key, new Fifo());
      this.start(task);
    } else {
      const fresh = new Fifo<Task>();
      this.lanes.set(key, fresh);
      this.wait(fresh, task);
      this.waiting.push(key);
    }
  }

  private wait(fifo: Fifo<Task>, task: Task): void {
    fifo.push(task);
    this.queued++;
  }

  /** A task the drain counts and, when its event is an open request, the request too (as a taker). */
  private task(event: MeshEvent, key: string | undefined, done: DeliveryDone | undefined): Task {
    const host = this.#host;
    host.drain.add(this);
    const task = new Task(event, key, done);
    if (host.openRequests > 0) task.request = host.tookRequest(event);
    return task;
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
    this.active.add(task);
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
      const event = task.event;
      const ctx = sub.contextFor(task.attempt);
      result = hooks.wrapDelivery === undefined ? sub.handler(event, ctx) : hooks.wrap(event, sub, task.attempt, () => sub.handler(event, ctx));
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
    this.sub.delivered++;
    this.settled(task, 'ok');
    if (value !== undefined && this.#host.openRequests > 0) this.#host.answer(task.event, value);
    this.finish(task, true);
  }

  private fail(task: Task, error: unknown): void {
    const retryIn = handleFailure(this.sub, task.event, task.attempt, error);
    this.settled(task, retryIn >= 0 ? 'retried' : this.sub.policy.deadLetter === undefined ? 'failed' : 'dead_lettered');
    if (retryIn < 0) {
      this.finish(task, true, true, error);
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

  /** `failed` with `error` when the last attempt threw (an open request learns it). */
  private finish(task: Task, handled: boolean, failed = false, error: unknown = undefined): void {
    this.running--;
    this.active.remove(task);
    this.#host.drain.done(this);
    task.done?.(handled);
    // The request (if still open) learns this taker is done: with its failure, it may now reject.
    if (task.request) this.#host.requestSettled(task.event, this.sub, failed, error);
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
      do {
        while (this.running < this.sub.policy.concurrency) {
          const task = this.nextTask();
          if (task === undefined) break;
          this.start(task);
        }
      } while (this.room !== undefined && this.room.length > 0 && this.admit());
    } finally {
      this.pumping = false;
    }
  }

  private nextTask(): Task | undefined {
    let task: Task | undefined;
    if (this.sub.policy.keyOf === undefined) {
      task = this.queue.shift();
    } else {
      const key = this.waiting.shift();
      task = key === undefined ? undefined : this.lanes.get(key)?.shift();
    }
    if (task !== undefined) this.queued--;
    return task;
  }

  /**
   * Lets waiting publishes in, oldest first, while the queue has places (through the
   * subscription's pipe when it has one, as `deliver` would have). True when one got in.
   */
  private admit(): boolean {
    const room = this.room as WaitingRoom;
    const sub = this.sub;
    let admitted = false;
    this.admitting = true;
    try {
      while (this.queued < sub.policy.maxQueued) {
        const waiting = room.next();
        if (waiting === undefined) break;
        if (sub.pipeIn !== undefined) sub.pipeIn.next(waiting.event);
        else this.enqueue(waiting.event, undefined);
        this.#host.drain.done(this);
        waiting.resolve();
        admitted = true;
      }
    } finally {
      this.admitting = false;
    }
    return admitted;
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
