import type { MeshError } from '../errors.js';

/** What holds deliveries (a subscription's scheduler), as the drain sees it. */
export interface DrainOwner {
  /** How many of the drain's deliveries it holds; kept by the drain. */
  held: number;
  /** close() gave up draining: deliveries waiting for room are refused with `error`. */
  halt(error: MeshError): void;
}

/**
 * Counts deliveries subscription schedulers hold (queued, running, waiting for a
 * retry or for room), so `close()` can wait for them, and knows which schedulers
 * hold some, so it can refuse what waits for room when it gives up. Deliveries on
 * the synchronous fast path never touch it. The set changes only when an owner goes
 * from none to some deliveries and back, not per delivery.
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
