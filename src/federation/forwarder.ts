import type { MeshEvent } from '../event/mesh-event.js';
import { eventJson } from '../event/event-json.js';
import { deliver } from '../delivery/dispatcher.js';
import { refuseFull } from '../delivery/slow-consumer.js';
import type { WireFrame } from '../wire/frame.js';
import { EventHeaders } from './event-headers.js';
import type { InterestTable } from './interest-table.js';
import { PeerEvents } from './peer-event.js';
import type { RemoteParty } from '../hooks/hook-list.js';
import type { FederationHost } from './federation-host.js';
import type { Proxies } from './proxies.js';
import { MAX_HOPS, eventFrame, optionalProp, prop, replyFrame, type Destinations } from './peer-frames.js';
import { timerDelay } from '../delivery/timer-delay.js';

/**
 * How the forwarder reaches a link: by id, with a whole frame, or with a builder that
 * gets the frame's seq drawn by the federation.
 */
export type SendOn = (link: string, frame: WireFrame | ((seq: string) => WireFrame)) => void;

interface Served {
  readonly origin: string;
  readonly deadline: number;
}

/**
 * Moves events and replies between nodes (PROTOCOL §5–§6): one copy per next hop
 * carrying the destinations behind it; at each hop, delivery to the subscriptions
 * named for this node and a new split of the rest. Also remembers requests from
 * other nodes served here, so a local handler's answer finds its way back.
 */
export class Forwarder {
  /** Requests from other nodes being served here: event id → requester node and deadline. */
  private readonly served = new Map<string, Served>();
  private readonly headers: EventHeaders;
  private readonly events = new PeerEvents();
  /** One timer forgets expired served requests, rather than one timer per request. */
  private sweeper: NodeJS.Timeout | undefined;
  private readonly sweep = (): void => this.forgetExpired();

  constructor(
    private readonly host: FederationHost,
    private readonly table: InterestTable,
    private readonly proxies: Proxies,
    private readonly sendOn: SendOn,
  ) {
    this.headers = new EventHeaders(host.selfId);
  }

  get servedRequests(): number {
    return this.served.size;
  }

  /** Sends a locally published `event` to the destinations routing collected (PROTOCOL §5.2), serialized once for every hop. */
  forward(event: MeshEvent, destinations: Destinations): void {
    const deadline = this.host.requestDeadline(event.id);
    this.split(destinations, this.host.selfId, 1, deadline, Buffer.from(eventJson(event)));
  }

  /** A local handler answered a request that came from another node (PROTOCOL §6.3). */
  answer(event: MeshEvent, value: unknown): boolean {
    const served = this.served.get(event.id);
    if (served === undefined) return false;
    this.served.delete(event.id);
    if (served.deadline < Date.now()) return false; // the requester has given up
    this.sendReply(Buffer.from(eventJson(this.host.replyTo(event, value))), served.origin, event.id);
    return true;
  }

  /** The link is gone: what was remembered for it goes too. */
  linkDown(link: string): void {
    this.headers.forget(link);
  }

  /** PROTOCOL §5.3: deliver what is ours, split the rest by next hop; a hook may refuse the event from `from`. */
  arrived(frame: WireFrame, from: RemoteParty): void {
    const origin = prop(frame, 'evmeshorigin');
    const { mine, rest } = this.headers.split(prop(frame, 'evmeshdest'));
    const hops = Number(prop(frame, 'evmeshhops'));
    const deadlineText = optionalProp(frame, 'evmeshdeadline');
    const deadline = deadlineText === undefined ? undefined : Number(deadlineText);
    if (deadline !== undefined && deadline < Date.now()) return; // PROTOCOL §6.1: nobody works past the deadline
    const event = this.events.read(frame.body);
    const hooks = this.host.hooks;
    if (hooks.onRemoteEvent !== undefined && !hooks.allows('onRemoteEvent', event, from)) return;
    if (mine !== undefined) {
      if (deadline !== undefined) this.serve(event.id, origin, deadline);
      for (const subId of mine) {
        const sub = this.proxies.local(subId);
        // PROTOCOL §5.5: nothing on a link waits for room; a full subscription refuses the event.
        if (sub !== undefined && !deliver(sub, event)) refuseFull(sub, event);
      }
    }
    // Copied: the body is a view into a socket chunk, which must not be kept alive.
    if (rest !== undefined && hops < MAX_HOPS) this.split(rest, origin, hops + 1, deadline, Buffer.from(frame.body as Buffer));
  }

  replyArrived(frame: WireFrame): void {
    const dest = prop(frame, 'evmeshdest');
    const inReplyTo = prop(frame, 'evmeshinreplyto');
    if (dest === this.host.selfId) this.host.settleRequest(inReplyTo, this.events.read(frame.body));
    else this.sendReply(Buffer.from(frame.body ?? Buffer.alloc(0)), dest, inReplyTo);
  }

  private serve(eventId: string, origin: string, deadline: number): void {
    this.served.set(eventId, { origin, deadline });
    if (this.sweeper === undefined) this.sweepAt(deadline);
  }

  private sweepAt(deadline: number): void {
    // Past the deadline the requester has given up; forget the request then.
    this.sweeper = setTimeout(this.sweep, timerDelay(deadline - Date.now()));
    this.sweeper.unref();
  }

  private forgetExpired(): void {
    this.sweeper = undefined;
    const now = Date.now();
    let next = Infinity;
    for (const [id, served] of this.served) {
      if (served.deadline <= now) this.served.delete(id);
      else if (served.deadline < next) next = served.deadline;
    }
    if (next !== Infinity) this.sweepAt(next);
  }

  private split(dest: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
    let only: string | undefined;
    let several = false;
    for (const node in dest) {
      if (only !== undefined) {
        several = true;
        break;
      }
      only = node;
    }
    if (!several) {
      // One destination node, the common case: no split to build.
      const hop = only === undefined ? undefined : this.table.nextHop(only);
      if (hop !== undefined) this.sendPart(hop, dest, origin, hops, deadline, body);
      return;
    }
    const byHop = new Map<string, Destinations>();
    for (const node of Object.keys(dest)) {
      const hop = this.table.nextHop(node);
      if (hop === undefined) continue; // the node went away since its interest was learned
      let part = byHop.get(hop);
      if (part === undefined) byHop.set(hop, (part = {}));
      part[node] = dest[node] as string[];
    }
    for (const [hop, part] of byHop) this.sendPart(hop, part, origin, hops, deadline, body);
  }

  private sendPart(hop: string, part: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
    if (deadline === undefined) this.sendOn(hop, { header: this.headers.header(hop, origin, part, hops), body });
    else this.sendOn(hop, (seq) => eventFrame(seq, 'REQUEST_TO_SERVER', body, origin, part, hops, deadline));
  }

  private sendReply(body: Buffer, dest: string, inReplyTo: string): void {
    const hop = this.table.nextHop(dest);
    if (hop !== undefined) this.sendOn(hop, (seq) => replyFrame(seq, body, dest, inReplyTo));
  }
}
