import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { Fifo } from '../util/fifo.js';

export interface Waiting {
  readonly event: MeshEvent;
  readonly resolve: () => void;
  readonly reject: (error: MeshError) => void;
}

/**
 * Events a `publish` routed to a subscription whose queue was full, in publish order,
 * each with the promise its publish waits for. They take the queue's free places
 * before anything new, so `publish` loses nothing and keeps its order; the promise
 * resolves when the scheduler took the event, or when the subscription ended (it
 * is delivered nowhere any more, as if it had unsubscribed first), and rejects when
 * close() gives up draining.
 */
export class WaitingRoom {
  private readonly queue = new Fifo<Waiting>();

  get length(): number {
    return this.queue.length;
  }

  enter(event: MeshEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => this.queue.push({ event, resolve, reject }));
  }

  /** The next event to let in, oldest first; the caller settles its promise. */
  next(): Waiting | undefined {
    return this.queue.shift();
  }

  /** Empties the room: `settle` is called for each event left waiting. */
  clear(settle: (waiting: Waiting) => void): void {
    for (let w = this.queue.shift(); w !== undefined; w = this.queue.shift()) settle(w);
  }

  events(): Iterable<MeshEvent> {
    const items = this.queue;
    return (function* () {
      for (const w of items) yield w.event;
    })();
  }
}
