import type { MeshError } from '../errors.js';

/** One delivery a mesh still holds, as `close()` lists it when it gives up draining. */
export interface PendingDelivery {
  readonly eventId: string;
  /** The subscription's name. */
  readonly subscription: string;
  /** Fed by the store: the event stays there and is delivered again. */
  readonly durable: boolean;
  /** Its handler is running (or waits for a retry), it is queued, or a `publish` waits for room for it. */
  readonly state: 'running' | 'queued' | 'waiting';
}

/** What holds deliveries (a subscription's scheduler), as the drain sees it. */
export interface DrainOwner {
  /** How many of the drain's deliveries it holds; kept by the drain. */
  held: number;
  /** Appends up to `room` of the deliveries it holds to `into`. */
  listPending(into: PendingDelivery[], room: number): void;
  /** close() gave up draining: deliveries waiting for room are refused with `error`. */
  halt(error: MeshError): void;
}

/**
 * Counts deliveries subscription schedulers hold (queued, running, waiting for a
 * retry or for room), so `close()` can wait for them, and knows which schedulers
 * hold some, so that when it gives up it can refuse what waits for room and say
 * what it abandoned. Deliveries on the synchronous fast path never touch it. The set
 * changes only when an owner goes from none to some deliveries and back, not per
 * delivery.
 */
export class Drain {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly owners = new Set<DrainOwner>();

  get pending(): number {
    return this.count;
  }

  add(owner: DrainOwner): void {
    this.count++;
    if (owner.held++ === 0) this.owners.add(owner);
  }

  done(owner: DrainOwner): void {
    if (--owner.held === 0) this.owners.delete(owner);
    if (--this.count === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Up to `limit` of the pending deliveries, for the drain-timeout report. */
  list(limit: number): PendingDelivery[] {
    const into: PendingDelivery[] = [];
    for (const owner of this.owners) {
      if (into.length >= limit) break;
      owner.listPending(into, limit - into.length);
    }
    return into;
  }

  /** close() is past its deadline: every owner refuses what waits for room. */
  halt(error: MeshError): void {
    for (const owner of [...this.owners]) owner.halt(error);
  }

  /** Resolves true once nothing is pending, or false when `ms` runs out first. */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, ms);
      this.waiters.push(wake);
    });
  }
}
