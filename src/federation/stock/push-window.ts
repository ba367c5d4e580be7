import { MeshError } from '../../errors.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import type { WireCommand } from '../../wire/constants.js';

/** One push waiting for its ACK (PROTOCOL §11.12). */
export interface Push {
  readonly event: MeshEvent;
  readonly cmd: WireCommand;
  /** Encoded once: a redelivery sends the same bytes. */
  readonly body: Buffer;
  /** Set once sent: the per-session counter (PROTOCOL §8.3). */
  seq: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface PushWindowOptions {
  readonly redeliverAfter: number;
  readonly maxUnacked: number;
  readonly maxQueued: number;
}

/** How the window reaches the connection: sends one push frame (first time or again). */
export type SendPush = (push: Push) => void;

/**
 * A session's pushes: at most `maxUnacked` sent and not ACKed, the rest queued in
 * order. An un-ACKed push is sent again, with the same seq, every `redeliverAfter`
 * ms until ACKed or the session ends (PROTOCOL §8.3; the Java runtime drops it).
 * A client that lets the queue pass `maxQueued` is a slow consumer: the push is
 * refused with ERR_MESH_WIRE_BACKPRESSURE and the caller ends the session.
 */
export class PushWindow {
  private readonly unacked = new Map<string, Push>();
  private readonly queued: Push[] = [];
  /** Event ids in flight here: an event two subscriptions of one session match is pushed once. */
  private readonly ids = new Set<string>();
  private counter = 0;
  private open = true;

  constructor(private readonly options: PushWindowOptions, private readonly send: SendPush) {}

  /** Pushes sent and not ACKed yet, and pushes waiting for room in the window. */
  get pending(): { readonly unacked: number; readonly queued: number } {
    return { unacked: this.unacked.size, queued: this.queued.length };
  }

  push(event: MeshEvent, cmd: WireCommand, body: Buffer): void {
    if (!this.open || this.ids.has(event.id)) return;
    if (this.queued.length >= this.options.maxQueued) {
      throw new MeshError('ERR_MESH_WIRE_BACKPRESSURE', `EventMesh client has ${this.unacked.size} pushes un-ACKed and ${this.queued.length} queued`, {
        details: { eventId: event.id },
      });
    }
    this.ids.add(event.id);
    const push: Push = { event, cmd, body, seq: undefined, timer: undefined };
    if (this.unacked.size < this.options.maxUnacked) this.transmit(push);
    else this.queued.push(push);
  }

  /** PROTOCOL §11.12: the ACK names the push by seq; an unknown or repeated seq is ignored. */
  ack(seq: string | undefined): void {
    if (seq === undefined) return;
    const push = this.unacked.get(seq);
    if (push === undefined) return;
    this.settle(push);
  }

  /** A RESPONSE_TO_SERVER answers (and so acknowledges) the REQUEST_TO_CLIENT of that event. */
  ackEvent(eventId: string): void {
    for (const push of this.unacked.values()) {
      if (push.event.id === eventId) return this.settle(push);
    }
  }

  /** Ends the window; returns every push not ACKed (sent first, then queued), in order. */
  close(): Push[] {
    this.open = false;
    const left = [...this.unacked.values(), ...this.queued];
    for (const push of this.unacked.values()) clearTimeout(push.timer);
    this.unacked.clear();
    this.queued.length = 0;
    this.ids.clear();
    return left;
  }

  private settle(push: Push): void {
    clearTimeout(push.timer);
    this.unacked.delete(push.seq as string);
    this.ids.delete(push.event.id);
    const next = this.queued.shift();
    if (next !== undefined) this.transmit(next);
  }

  private transmit(push: Push): void {
    this.counter = (this.counter % 2_147_483_647) + 1;
    push.seq = String(this.counter);
    this.unacked.set(push.seq, push);
    this.send(push);
    this.arm(push);
  }

  private arm(push: Push): void {
    // A send can close the connection, and with it this window: no timer to hold it then.
    if (!this.open) return;
    push.timer = setTimeout(() => {
      if (!this.open || this.unacked.get(push.seq as string) !== push) return;
      this.send(push);
      this.arm(push);
    }, this.options.redeliverAfter);
    push.timer.unref();
  }
}
