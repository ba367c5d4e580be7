import type { MeshEvent } from '../event/mesh-event.js';
import { deliver } from '../delivery/dispatcher.js';
import type { WireFrame } from '../wire/frame.js';
import type { InterestTable } from './interest-table.js';
import type { FederationHost, Proxies } from './proxies.js';
import {
  MAX_HOPS, eventFrame, isDestinations, jsonProp, optionalProp, prop, replyFrame, type Destinations,
} from './peer-frames.js';

/** How the forwarder reaches a link: by id, with the frame's seq drawn by the federation. */
export type SendOn = (link: string, frame: (seq: string) => WireFrame) => void;

/**
 * Moves events and replies between nodes (PROTOCOL §5–§6): one copy per next hop
 * carrying the destinations behind it; at each hop, delivery to the subscriptions
 * named for this node and a new split of the rest. Also remembers requests from
 * other nodes served here, so a local handler's answer finds its way back.
 */
export class Forwarder {
  /** Requests from other nodes being served here: event id → requester node. */
  private readonly served = new Map<string, string>();

  constructor(
    private readonly host: FederationHost,
    private readonly table: InterestTable,
    private readonly proxies: Proxies,
    private readonly sendOn: SendOn,
  ) {}

  get servedRequests(): number {
    return this.served.size;
  }

  /** Sends what proxies collected for a locally published `event` (PROTOCOL §5.2). */
  flush(event: MeshEvent, destinations: Destinations): void {
    const deadline = this.host.requestDeadline(event.id);
    this.forward(destinations, this.host.selfId, 1, deadline, Buffer.from(JSON.stringify(event)));
  }

  /** A local handler answered a request that came from another node (PROTOCOL §6.3). */
  answer(event: MeshEvent, value: unknown): boolean {
    const origin = this.served.get(event.id);
    if (origin === undefined) return false;
    this.served.delete(event.id);
    this.sendReply(Buffer.from(JSON.stringify(this.host.replyTo(event, value))), origin, event.id);
    return true;
  }

  /** PROTOCOL §5.3: deliver what is ours, split the rest by next hop. */
  arrived(frame: WireFrame): void {
    const origin = prop(frame, 'evmeshorigin');
    const dest = jsonProp(frame, 'evmeshdest', isDestinations);
    const hops = Number(prop(frame, 'evmeshhops'));
    const deadlineText = optionalProp(frame, 'evmeshdeadline');
    const deadline = deadlineText === undefined ? undefined : Number(deadlineText);
    if (deadline !== undefined && deadline < Date.now()) return; // PROTOCOL §6.1: nobody works past the deadline
    const body = frame.body ?? Buffer.alloc(0);
    const event = this.host.toEvent(JSON.parse(body.toString('utf8')) as unknown);
    const self = this.host.selfId;
    const mine = dest[self];
    if (mine !== undefined) {
      delete dest[self];
      if (deadline !== undefined) this.serve(event.id, origin, deadline);
      for (const subId of mine) {
        const sub = this.proxies.local(subId);
        if (sub !== undefined) deliver(sub, event);
      }
    }
    // Copied: the body is a view into a socket chunk, which must not be kept alive.
    if (Object.keys(dest).length > 0 && hops < MAX_HOPS) this.forward(dest, origin, hops + 1, deadline, Buffer.from(body));
  }

  replyArrived(frame: WireFrame): void {
    const dest = prop(frame, 'evmeshdest');
    const inReplyTo = prop(frame, 'evmeshinreplyto');
    const body = frame.body ?? Buffer.alloc(0);
    if (dest === this.host.selfId) this.host.settleRequest(inReplyTo, this.host.toEvent(JSON.parse(body.toString('utf8')) as unknown));
    else this.sendReply(Buffer.from(body), dest, inReplyTo);
  }

  private serve(eventId: string, origin: string, deadline: number): void {
    this.served.set(eventId, origin);
    // Past the deadline the requester has given up; forget the request then.
    setTimeout(() => this.served.delete(eventId), Math.max(0, deadline - Date.now())).unref();
  }

  private forward(dest: Destinations, origin: string, hops: number, deadline: number | undefined, body: Buffer): void {
    const byHop = new Map<string, Destinations>();
    for (const [node, subs] of Object.entries(dest)) {
      const hop = this.table.nextHop(node);
      if (hop === undefined) continue; // the node went away since its interest was learned
      let part = byHop.get(hop);
      if (part === undefined) byHop.set(hop, (part = {}));
      part[node] = subs;
    }
    const cmd = deadline === undefined ? 'ASYNC_MESSAGE_TO_SERVER' : 'REQUEST_TO_SERVER';
    for (const [hop, part] of byHop) this.sendOn(hop, (seq) => eventFrame(seq, cmd, body, origin, part, hops, deadline));
  }

  private sendReply(body: Buffer, dest: string, inReplyTo: string): void {
    const hop = this.table.nextHop(dest);
    if (hop !== undefined) this.sendOn(hop, (seq) => replyFrame(seq, body, dest, inReplyTo));
  }
}
