import type { MeshEvent } from '../event/mesh-event.js';
import { eventJson } from '../event/event-json.js';
import { deliver } from '../delivery/dispatcher.js';
import type { WireFrame } from '../wire/frame.js';
import { EventHeaders } from './event-headers.js';
import type { InterestTable } from './interest-table.js';
import { PeerEvents } from './peer-event.js';
import type { RemoteParty } from '../hooks/hook-list.js';
import type { FederationHost } from './federation-host.js';
import type { Proxies } from './proxies.js';
import { MAX_HOPS, eventFrame, optionalProp, prop, replyFrame, type Destinations } from './peer-frames.js';
import { timerDelay } from '../delivery/timer-delay.js';
import { ArrivedTopics } from './arrived-topics.js';

/**
 * How the forwarder reaches a link: by id, with a whole frame, or with a builder that
 * gets the frame's seq drawn by the federation.
 */
export type SendOn = (link: string, frame: WireFrame | ((seq: string) => WireFrame)) => void;

interface Served {
  readonly origin: string;
  readonly deadline: number;
}

/** A request this node sent or passed on: the links it left on and the nodes it was for (PROTOCOL §9.3). */
interface Asked {
  readonly links: string[];
  readonly nodes: string[];
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
  /** Requests this node sent or passed on, by event id (PROTOCOL §9.3: a reply is taken only from where the request went). */
  private readonly asked = new Map<string, Asked>();
  private readonly headers: EventHeaders;
  private readonly events = new PeerEvents();
  private readonly topics = new ArrivedTopics();
  /** One timer forgets expired served requests, rather than one timer per request. */
  private sweeper: NodeJS.Timeout | undefined;
  private readonly sweep = (): void => this.forgetExpired();

  constructor(
    private readonly host: FederationHost,
    private readonly table: InterestTable,
    private readonly proxies: Proxies,
    private readonly sendOn: SendOn,
    /** Who is at the other end of a link (for the onRemoteSend check). */
    private readonly partyOf: (link: string) => RemoteParty | undefined,
  ) {
    this.headers = new EventHeaders(host.selfId);
  }

  get servedRequests(): number {
    return this.served.size;
  }

  /** Sends a locally published `event` to the destinations routing collected (PROTOCOL §5.2), serialized once for every hop. */
  forward(event: MeshEvent, destinations: Destinations): void {
    const deadline = this.host.requestDeadline(event.id);
    this.split(destinations, event, this.host.selfId, 1, deadline, Buffer.from(eventJson(event)));
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
      // PROTOCOL §9.3: the destination list only says where to look; each subscription it
      // names gets the event only if its pattern matches (deliver checks the filter).
      const topics = this.topics.reset(event);
      for (const subId of mine) {
        const local = this.proxies.local(subId);
        if (local !== undefined && topics.match(local.pattern)) deliver(local.sub, event);
      }
    }
    // Copied: the body is a view into a socket chunk, which must not be kept alive.
    if (rest !== undefined && hops < MAX_HOPS) this.split(rest, event, origin, hops + 1, deadline, Buffer.from(frame.body as Buffer));
  }

  /**
   * PROTOCOL §6.3 / §9.3: a node that sent or passed on the request takes (or passes on)
   * its reply only from a link the request left on or one through which a node it was
   * for is reachable (the way back may differ where paths tie), and only once. A hop the
   * request did not cross passes the reply on; the requester still checks it.
   */
  replyArrived(frame: WireFrame, link: string): void {
    const dest = prop(frame, 'evmeshdest');
    const inReplyTo = prop(frame, 'evmeshinreplyto');
    const asked = this.asked.get(inReplyTo);
    if (asked === undefined ? dest === this.host.selfId : !this.mayAnswer(asked, link)) return;
    this.asked.delete(inReplyTo);
    if (dest === this.host.selfId) this.host.settleRequest(inReplyTo, this.events.read(frame.body));
    else this.sendReply(Buffer.from(frame.body ?? Buffer.alloc(0)), dest, inReplyTo);
  }

  private serve(eventId: string, origin: string, deadline: number): void {
    this.served.set(eventId, { origin, deadline });
    if (this.sweeper === undefined) this.sweepAt(deadline);
  }

  private ask(eventId: string, link: string, part: Destinations, deadline: number): void {
    let asked = this.asked.get(eventId);
    if (asked === undefined) this.asked.set(eventId, (asked = { links: [], nodes: [], deadline }));
    asked.links.push(link);
    for (const node in part) asked.nodes.push(node);
    if (this.sweeper === undefined) this.sweepAt(deadline);
  }

  private mayAnswer(asked: Asked, link: string): boolean {
    return asked.links.includes(link) || asked.nodes.some((node) => this.table.reaches(node, link));
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
    for (const map of [this.served, this.asked]) {
      for (const [id, entry] of map) {
        if (entry.deadline <= now) map.delete(id);
        else if (entry.deadline < next) next = entry.deadline;
      }
    }
    if (next !== Infinity) this.sweepAt(next);
  }

  private split(dest: Destinations, event: MeshEvent, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
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
      if (hop !== undefined) this.sendPart(hop, event, dest, origin, hops, deadline, body);
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
    for (const [hop, part] of byHop) this.sendPart(hop, event, part, origin, hops, deadline, body);
  }

  private sendPart(hop: string, event: MeshEvent, part: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
    const hooks = this.host.hooks;
    if (hooks.onRemoteSend !== undefined) {
      const to = this.partyOf(hop);
      if (to === undefined || !hooks.allows('onRemoteSend', event, to)) return;
    }
    if (deadline === undefined) this.sendOn(hop, { header: this.headers.header(hop, origin, part, hops), body });
    else {
      this.ask(event.id, hop, part, deadline);
      this.sendOn(hop, (seq) => eventFrame(seq, 'REQUEST_TO_SERVER', body, origin, part, hops, deadline));
    }
  }

  private sendReply(body: Buffer, dest: string, inReplyTo: string): void {
    const hop = this.table.nextHop(dest);
    if (hop !== undefined) this.sendOn(hop, (seq) => replyFrame(seq, body, dest, inReplyTo));
  }
}
