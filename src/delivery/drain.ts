/**
 * Counts deliveries a subscription scheduler holds (queued, running, or waiting
 * for a retry), so `close()` can wait for them. Deliveries on the synchronous
 * fast path never touch it.
 */
export class Drain {
  private count = 0;
  private waiters: (() => void)[] = [];

  get pending(): number {
    return this.count;
  }

  add(): void {
    this.count++;
  }

  done(): void {
    if (--this.count === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
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
