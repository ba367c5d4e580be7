import type { MeshEvent } from '../event/mesh-event.js';

interface Held {
  readonly event: MeshEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Holds a mesh's store appends back while one of its durable subscriptions is
 * attaching. A broker creates the durable's queue (consumer group, JetStream
 * consumer) asynchronously and keeps only what is stored after that, so an event
 * published right after `subscribe()` returned would otherwise reach the store
 * first and never reach the durable. Held appends go to the store in publish
 * order, all at once, when no attach is in progress any more (succeeded or failed).
 * With none in progress, the usual case, `holding` is false and nothing is held:
 * an append costs this one field read and no promise of its own.
 */
export class AttachGate {
  /** Attaches started and not yet settled. */
  private attaching = 0;
  /** Appends made while `attaching > 0`, in publish order; empty otherwise. */
  private held: Held[] = [];

  constructor(private readonly send: (event: MeshEvent) => Promise<void>) {}

  get holding(): boolean {
    return this.attaching > 0;
  }

  /** Counts an attach in progress until `attached` settles. */
  track(attached: Promise<unknown>): void {
    this.attaching++;
    const settled = (): void => {
      if (--this.attaching === 0) this.release();
    };
    attached.then(settled, settled);
  }

  /** Queues an append behind the attaches in progress; resolves once the store holds the event. */
  hold(event: MeshEvent): Promise<void> {
    return new Promise((resolve, reject) => void this.held.push({ event, resolve, reject }));
  }

  /** Synchronous, in order: an append made after this runs reaches the store after every held one. */
  private release(): void {
    const held = this.held;
    this.held = [];
    for (const { event, resolve, reject } of held) this.send(event).then(resolve, reject);
  }
}
