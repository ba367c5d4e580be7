/** The longest delay a Node timer takes (about 24.8 days). */
const LONGEST = 2 ** 31 - 1;

/**
 * The store's one timer. Every `interval` ms it looks for rows another process
 * appended to the file (`interval` 0: never). While a durable consumer is attached
 * it also keeps the process alive, as a broker connection does for the other stores:
 * a process whose only work is a durable subscription waits for its events rather
 * than exiting at once (with the positions it handled unsaved). With no consumer
 * attached it keeps nothing alive.
 */
export class Poller {
  private readonly timer: NodeJS.Timeout;
  private holders = 0;

  constructor(interval: number, look: () => void) {
    this.timer = interval === 0 ? setInterval(noop, LONGEST) : setInterval(look, interval);
    this.timer.unref();
  }

  /** Keeps the process alive until the function returned is called (more calls do nothing). */
  hold(): () => void {
    if (this.holders++ === 0) this.timer.ref();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.holders === 0) this.timer.unref();
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function noop(): void {}
