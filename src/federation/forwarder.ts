import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { eventJson } from '../event/event-json.js';
import { deliver } from '../delivery/dispatcher.js';
import { RequestTakers, type RequestFailure } from '../delivery/request-takers.js';
import { refuseFull } from '../delivery/slow-consumer.js';
import type { WireFrame } from '../wire/frame.js';
import { decodeEventBatch, BATCH_FORMAT, BATCH_PROPERTY } from '../wire/bodies/event-batch.js';
import { EventHeaders, type DestinationSplit, type EventHeader } from './event-headers.js';
import type { InterestTable } from './interest-table.js';
import { PeerEvents } from './peer-event.js';
import type { RemoteParty } from '../hooks/hook-list.js';
import type { FederationHost } from './federation-host.js';
import type { Proxies } from './proxies.js';
import { MAX_HOPS, eventFrame, optionalProp, prop, replyFrame, type Destinations } from './peer-frames.js';
import { failureBody, readOutcome, type ReplyOutcome } from './reply-outcome.js';
import { timerDelay } from '../delivery/timer-delay.js';
import { ArrivedTopics } from './arrived-topics.js';

/**
 * How the forwarder reaches a link: by id, with a whole frame, or with a builder that
 * gets the frame's seq drawn by the federation.
 */
export type SendOn = (link: string, frame: WireFrame | ((seq: string) => WireFrame)) => void;

/**
 * How the forwarder sends an event (not a request) on a link: its JSON with the headers for
 * a single frame and for a batch (PROTOCOL §5.6); the link's side picks which.
 */
export type SendEventOn = (link: string, header: EventHeader, body: string | Buffer) => void;

/** What an arriving event frame's header says, read once for all the events of a batch. */
interface Arrival {
  readonly origin: string;
  readonly split: DestinationSplit;
  readonly hops: number;
  readonly deadline: number | undefined;
}

interface Served {
  readonly origin: string;
  readonly deadline: number;
  /** This node's takers of the request; when none is left, the origin is told (PROTOCOL §6.4). */
  readonly takers: RequestTakers;
  /** The outcome went back already: it is sent once. */
  reported: boolean;
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
    private readonly sendEventOn: SendEventOn,
    /** Who is at the other end of a link (for the onRemoteSend check). */
    private readonly partyOf: (link: string) => RemoteParty | undefined,
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
    const nodes = this.split(destinations, event, this.host.selfId, 1, deadline, eventJson(event));
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

  /**
   * PROTOCOL §5.3: deliver what is ours, split the rest by next hop; a hook may refuse the event
   * from `from`. A batch (§5.6) is its events one after the other, as if each came alone; its
   * layout is checked first, so a malformed one delivers none of them.
   */
  arrived(frame: WireFrame, from: RemoteParty): void {
    const deadlineText = optionalProp(frame, 'evmeshdeadline');
    const arrival: Arrival = {
      origin: prop(frame, 'evmeshorigin'), split: this.headers.split(prop(frame, 'evmeshdest')),
      hops: Number(prop(frame, 'evmeshhops')), deadline: deadlineText === undefined ? undefined : Number(deadlineText),
    };
    const batch = frame.header.properties[BATCH_PROPERTY];
    if (batch === undefined) {
      if (arrival.deadline !== undefined && arrival.deadline < Date.now()) return; // PROTOCOL §6.1: nobody works past the deadline
      return this.arrivedOne(frame.body, arrival, from);
    }
    // PROTOCOL §5.6: only events travel in batches, in the one format there is.
    if (batch !== BATCH_FORMAT || frame.header.cmd !== 'ASYNC_MESSAGE_TO_SERVER' || arrival.deadline !== undefined) {
      throw new MeshError('ERR_MESH_WIRE_BAD_BODY', 'malformed event batch: not an event batch of format 1', { details: { reason: 'format', cmd: frame.header.cmd } });
    }
    for (const body of decodeEventBatch(frame.body)) this.arrivedOne(body, arrival, from);
  }

  private arrivedOne(body: Buffer | undefined, arrival: Arrival, from: RemoteParty): void {
    const { mine, rest } = arrival.split;
    const event = this.events.read(body);
    const hooks = this.host.hooks;
    if (hooks.onRemoteEvent !== undefined && !hooks.allows('onRemoteEvent', event, from)) return;
    if (mine !== undefined) {
      const served = arrival.deadline === undefined ? undefined : this.serve(event.id, arrival.origin, arrival.deadline);
      // PROTOCOL §9.3: the destination list only says where to look; each subscription it
      // names gets the event only if its pattern matches (deliver checks the filter).
      const topics = this.topics.reset(event);
      for (const subId of mine) {
        const local = this.proxies.local(subId);
        if (local === undefined || !topics.match(local.pattern)) continue;
        // PROTOCOL §5.5: nothing on a link waits for room; a full subscription refuses the event.
        if (!deliver(local.sub, event)) refuseFull(local.sub, event);
      }
      served?.takers.check();
    }
    // Copied: the body is a view into a socket chunk, which must not be kept alive.
    if (rest !== undefined && arrival.hops < MAX_HOPS) {
      this.split(rest, event, arrival.origin, arrival.hops + 1, arrival.deadline, Buffer.from(body as Buffer));
    }
  }

  /**
   * PROTOCOL §6.3–§6.4 / §9.3: a reply, or the outcome of a node's takers, for this node or
   * passed on. A node that sent or passed on the request takes (or passes on) what comes back
   * only from a link the request left on or one through which a node it was for is reachable
   * (the way back may differ where paths tie); a reply only once, outcomes from each node. A
   * hop the request did not cross passes it on; the requester still checks it.
   */
  replyArrived(frame: WireFrame, link: string): void {
    const dest = prop(frame, 'evmeshdest');
    const inReplyTo = prop(frame, 'evmeshinreplyto');
    const outcome = readOutcome(frame);
    const asked = this.asked.get(inReplyTo);
    if (asked === undefined ? dest === this.host.selfId : !this.mayAnswer(asked, link)) return;
    if (outcome === undefined) this.asked.delete(inReplyTo);
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

  /** Sends one copy per next hop; returns how many destination nodes it went to. */
  private split(dest: Destinations, event: MeshEvent, origin: string, hops: number, deadline: number | undefined, body: string | Buffer): number {
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
      if (hop === undefined || !this.sendPart(hop, event, dest, origin, hops, deadline, body)) return 0;
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
    for (const [hop, part] of byHop) if (!this.sendPart(hop, event, part, origin, hops, deadline, body)) nodes -= Object.keys(part).length;
    return nodes;
  }

  /** Sends `part` over `hop`; false when a hook (the ACL) keeps the event off that link. */
  private sendPart(
    hop: string, event: MeshEvent, part: Destinations, origin: string, hops: number, deadline: number | undefined, body: string | Buffer,
  ): boolean {
    const hooks = this.host.hooks;
    if (hooks.onRemoteSend !== undefined) {
      const to = this.partyOf(hop);
      if (to === undefined || !hooks.allows('onRemoteSend', event, to)) return false;
    }
    if (deadline === undefined) this.sendEventOn(hop, this.headers.header(hop, origin, part, hops), body);
    else {
      this.ask(event.id, hop, part, deadline);
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      this.sendOn(hop, (seq) => eventFrame(seq, 'REQUEST_TO_SERVER', bytes, origin, part, hops, deadline));
    }
    return true;
  }

  private sendReply(body: Buffer, dest: string, inReplyTo: string, outcome?: ReplyOutcome): void {
    const hop = this.table.nextHop(dest);
    if (hop !== undefined) this.sendOn(hop, (seq) => replyFrame(seq, body, dest, inReplyTo, outcome));
  }
}
