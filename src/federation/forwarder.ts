import type { MeshEvent } from '../event/mesh-event.js';
import { eventJson } from '../event/event-json.js';
import { deliver } from '../delivery/dispatcher.js';
import { RequestTakers, type RequestFailure } from '../delivery/request-takers.js';
import { refuseFull } from '../delivery/slow-consumer.js';
import type { WireFrame } from '../wire/frame.js';
import { EventHeaders } from './event-headers.js';
import type { InterestTable } from './interest-table.js';
import { PeerEvents } from './peer-event.js';
import type { RemoteParty } from '../hooks/hook-list.js';
import type { FederationHost } from './federation-host.js';
import type { Proxies } from './proxies.js';
import { MAX_HOPS, eventFrame, optionalProp, prop, replyFrame, type Destinations } from './peer-frames.js';
import { failureBody, readOutcome, type ReplyOutcome } from './reply-outcome.js';
import { timerDelay } from '../delivery/timer-delay.js';

/**
 * How the forwarder reaches a link: by id, with a whole frame, or with a builder that
 * gets the frame's seq drawn by the federation.
 */
export type SendOn = (link: string, frame: WireFrame | ((seq: string) => WireFrame)) => void;

interface Served {
  readonly origin: string;
  readonly deadline: number;
  /** This node's takers of the request; when none is left, the origin is told (PROTOCOL §6.4). */
  readonly takers: RequestTakers;
  /** The outcome went back already: it is sent once. */
  reported: boolean;
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

  /**
   * Sends a locally published `event` to the destinations routing collected (PROTOCOL §5.2),
   * serialized once for every hop. A request counts each node it went to as a taker (§6.4).
   */
  forward(event: MeshEvent, destinations: Destinations): void {
    const deadline = this.host.requestDeadline(event.id);
    const nodes = this.split(destinations, this.host.selfId, 1, deadline, Buffer.from(eventJson(event)));
    if (deadline !== undefined && nodes > 0) this.host.requestForwarded(event.id, nodes);
  }

  /** A delivery of a request served here is held: it counts as one of this node's takers. */
  took(id: string): boolean {
    const served = this.served.get(id);
    if (served === undefined) return false;
    served.takers.add();
    return true;
  }

  /** A taker of a request served here is done without answering (`failure` when it failed). */
  settled(id: string, failure: RequestFailure | undefined): void {
    this.served.get(id)?.takers.done(failure);
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
      const served = deadline === undefined ? undefined : this.serve(event.id, origin, deadline);
      for (const subId of mine) {
        const sub = this.proxies.local(subId);
        // PROTOCOL §5.5: nothing on a link waits for room; a full subscription refuses the event.
        if (sub !== undefined && !deliver(sub, event)) refuseFull(sub, event);
      }
      served?.takers.check();
    }
    // Copied: the body is a view into a socket chunk, which must not be kept alive.
    if (rest !== undefined && hops < MAX_HOPS) this.split(rest, origin, hops + 1, deadline, Buffer.from(frame.body as Buffer));
  }

  /** PROTOCOL §6.3–§6.4: a reply, or the outcome of a node's takers, for this node or passed on. */
  replyArrived(frame: WireFrame): void {
    const dest = prop(frame, 'evmeshdest');
    const inReplyTo = prop(frame, 'evmeshinreplyto');
    const outcome = readOutcome(frame);
    if (dest !== this.host.selfId) this.sendReply(Buffer.from(frame.body ?? Buffer.alloc(0)), dest, inReplyTo, outcome?.kind);
    else if (outcome === undefined) this.host.settleRequest(inReplyTo, this.events.read(frame.body));
    else this.host.remoteTakersDone(inReplyTo, outcome.failure);
  }

  private serve(eventId: string, origin: string, deadline: number): Served {
    const served: Served = { origin, deadline, takers: new RequestTakers((t) => this.takersDone(eventId, served, t.failure)), reported: false };
    this.served.set(eventId, served);
    if (this.sweeper === undefined) this.sweepAt(deadline);
    return served;
  }

  /**
   * PROTOCOL §6.4: no taker here is left and none answered: the origin learns it, with
   * the first failure if one failed. The entry stays until the deadline, for an answer
   * that comes another way (a stock client's RESPONSE_TO_SERVER).
   */
  private takersDone(eventId: string, served: Served, failure: RequestFailure | undefined): void {
    if (served.reported || this.served.get(eventId) !== served || served.deadline < Date.now()) return;
    served.reported = true;
    const body = failure === undefined ? Buffer.alloc(0) : failureBody(failure);
    this.sendReply(body, served.origin, eventId, failure === undefined ? 'none' : 'failed');
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

  /** Sends one copy per next hop; returns how many destination nodes it went to. */
  private split(dest: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): number {
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
      if (hop === undefined) return 0;
      this.sendPart(hop, dest, origin, hops, deadline, body);
      return 1;
    }
    const byHop = new Map<string, Destinations>();
    let nodes = 0;
    for (const node of Object.keys(dest)) {
      const hop = this.table.nextHop(node);
      if (hop === undefined) continue; // the node went away since its interest was learned
      let part = byHop.get(hop);
      if (part === undefined) byHop.set(hop, (part = {}));
      part[node] = dest[node] as string[];
      nodes++;
    }
    for (const [hop, part] of byHop) this.sendPart(hop, part, origin, hops, deadline, body);
    return nodes;
  }

  private sendPart(hop: string, part: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
    if (deadline === undefined) this.sendOn(hop, { header: this.headers.header(hop, origin, part, hops), body });
    else this.sendOn(hop, (seq) => eventFrame(seq, 'REQUEST_TO_SERVER', body, origin, part, hops, deadline));
  }

  private sendReply(body: Buffer, dest: string, inReplyTo: string, outcome?: ReplyOutcome): void {
    const hop = this.table.nextHop(dest);
    if (hop !== undefined) this.sendOn(hop, (seq) => replyFrame(seq, body, dest, inReplyTo, outcome));
  }
}
