import { MeshError, asMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { RequestFailure } from '../delivery/request-takers.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import type { WireFrame } from '../wire/frame.js';
import type { PeerStats } from './peer-info.js';
import { decodeUserAgent } from '../wire/bodies/user-agent.js';
import { replyCommandOf } from '../wire/constants.js';
import type { InterestChanges } from './interest.js';
import { InterestTable } from './interest-table.js';
import { InterestOutbox, type InterestItem } from './interest-outbox.js';
import type { Link, LinkWatcher } from './link.js';
import type { EventHeader } from './event-headers.js';
import { info, newPeerLink, pong, sendEvent, type PeerLink } from './peer-link.js';
import { Forwarder } from './forwarder.js';
import type { FederationHost } from './federation-host.js';
import { Proxies } from './proxies.js';
import { applyVerdict } from './hello-verdict.js';
import { withoutSecrets } from './redact.js';
import {
  advertiseFrame, batchLimitOf, goodbyeFrame, goodbyeResponseFrame, heartbeatFrame, heartbeatResponseFrame, helloFrame, helloResponseFrame, listenFrame, refusedHelloFrame, isPath, jsonProp, optionalProp, prop, withdrawFrame, type Destinations,
} from './peer-frames.js';

export type { PeerStats } from './peer-info.js';

function noSessionFrame(frame: WireFrame): WireFrame {
  return { header: { cmd: replyCommandOf(frame.header.cmd), code: 1, desc: 'no session is found', seq: frame.header.seq, properties: {} }, body: undefined };
}

/** PROTOCOL §4: the presence entry every node advertises (never a proxy, never matched). */
const PRESENCE = '~node';
const PRESENCE_PATTERN = 'evmesh.node';

/**
 * One node's federation: its links, what it learned through them (the interest
 * table), proxies standing for remote subscriptions in the local routing table, and
 * the forwarding of events and replies (PROTOCOL §2–§7). Destinations are chosen at
 * the origin by ordinary routing (the proxies match, filter and join groups like local
 * subscriptions), collected while an event is routed, and sent once per next hop.
 */
export class Federation {
  readonly table: InterestTable;
  private readonly links = new Map<string, PeerLink>();
  private readonly proxies: Proxies;
  private readonly forwarder: Forwarder;
  private linkSeq = 0;
  private frameSeq = 0;
  /** Links whose HELLO completed (entry.peer set): what `limits.maxPeers` bounds. */
  private peerCount = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly host: FederationHost) {
    this.table = new InterestTable(host.selfId);
    // Every node is reachable for replies even with no subscription of its own:
    // it advertises its presence, which routes like interest but matches nothing.
    this.table.addLocal({ node: host.selfId, sub: PRESENCE, pattern: PRESENCE_PATTERN });
    this.proxies = new Proxies(host);
    this.forwarder = new Forwarder(host, this.table, this.proxies, (link, frame) => {
      const entry = this.links.get(link);
      if (entry !== undefined) this.send(entry.link, typeof frame === 'function' ? frame(this.seq()) : frame);
    }, (link, header, body) => {
      const entry = this.links.get(link);
      if (entry !== undefined) this.sendEvent(entry, header, body);
    }, (link) => this.links.get(link)?.party);
  }

  get servedRequests(): number {
    return this.forwarder.servedRequests;
  }

  /**
   * Attaches a link; the side that `dials` sends the HELLO (PROTOCOL §2.2). `watcher`
   * hears when it is up, and gets its failures before that instead of `report`.
   */
  attach(link: Link, dials: boolean, watcher?: LinkWatcher): void {
    const id = `l${++this.linkSeq}`;
    const outbox = new InterestOutbox(link, (item) => this.tell(link, item), (error) => {
      this.host.report(error);
      this.dropLink(link, error.code);
    });
    const entry = newPeerLink(link, dials, watcher, outbox);
    this.links.set(id, entry);
    link.onFrame = (frame) => this.receive(id, entry, frame);
    link.onClose = () => this.detach(id);
    if (dials) this.send(entry.link, helloFrame(this.seq(), this.host.selfId, this.host.version, this.host.token));
  }

  /** PROTOCOL §4.1: a local live subscription joins the federation's interest. */
  localAdded(sub: MeshSubscription): void {
    this.apply(this.table.addLocal(this.proxies.localEntry(sub)));
  }

  localRemoved(sub: MeshSubscription): void {
    const id = this.proxies.forgetLocal(sub);
    if (id !== undefined) this.apply(this.table.removeLocal(id));
  }

  /** Sends `event` to the remote subscriptions routing picked for it (one copy per next hop, PROTOCOL §5.2). */
  forward(event: MeshEvent, destinations: Destinations): void {
    this.forwarder.forward(event, destinations);
  }

  /** A local handler answered a request that came from another node (PROTOCOL §6.3). */
  answer(event: MeshEvent, value: unknown): boolean {
    return this.forwarder.answer(event, value);
  }

  /** A delivery of a request served here for another node is held (PROTOCOL §6.4). */
  tookRequest(id: string): boolean {
    return this.forwarder.took(id);
  }

  /** A taker of a request served here is done without answering (PROTOCOL §6.4). */
  requestSettled(id: string, failure: RequestFailure | undefined): void {
    this.forwarder.settled(id, failure);
  }

  /** PROTOCOL §7.1: says goodbye on every link (the frame is flushed before the link closes). */
  /**
   * Says goodbye on every link and closes it; what was sent before (events a publish was
   * told are on their way) is still written, for up to `graceMs` to a slow reader.
   * Resolves once every link is gone (or could not tell).
   */
  close(graceMs = 1000): Promise<void> {
    clearInterval(this.heartbeat);
    const closing: Promise<void>[] = [];
    for (const entry of [...this.links.values()]) {
      if (entry.peer !== undefined) this.send(entry.link, goodbyeFrame(this.seq(), entry.dialed));
      this.drop(entry, 'this node closed', graceMs);
      if (entry.link.closed !== undefined) closing.push(entry.link.closed);
    }
    this.proxies.clear();
    return Promise.all(closing).then(() => undefined);
  }

  private seq(): string {
    this.frameSeq = (this.frameSeq + 1) % 1_000_000_000;
    return String(this.frameSeq);
  }

  /** PROTOCOL §3: heartbeat every `interval`; a link silent for 3 intervals is dropped. */
  startHeartbeat(interval: number): void {
    if (this.heartbeat !== undefined) return;
    let last = Date.now();
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      // A tick this late means this process was blocked (a long synchronous task): timers
      // run before the loop reads the sockets, so what peers sent meanwhile is still unread.
      // Silence is judged from the next tick on, after that I/O, not held against them now.
      const blocked = now - last > 2 * interval;
      last = now;
      for (const entry of [...this.links.values()]) {
        if (!blocked && now - entry.seen > 3 * interval) this.drop(entry, 'heartbeat timeout');
        else if (entry.peer !== undefined) {
          entry.link.trim?.();
          const seq = this.seq();
          // An unanswered heartbeat is replaced: the round trip is that of the last one answered.
          entry.ping = { seq, at: performance.now() };
          this.send(entry.link, heartbeatFrame(seq));
        }
      }
    }, interval);
    this.heartbeat.unref();
  }

  private receive(id: string, entry: PeerLink, frame: WireFrame): void {
    entry.seen = Date.now();
    const hooks = this.host.hooks;
    if (hooks.onRemoteFrame !== undefined && !hooks.allows('onRemoteFrame', withoutSecrets(frame), entry.party)) return;
    try {
      this.dispatch(id, entry, frame);
    } catch (err) {
      // PROTOCOL §1.3: a peer that sends what we cannot read loses its link, nothing more.
      const error = asMeshError(err, 'ERR_MESH_WIRE_BAD_BODY', { link: id, peer: entry.peer });
      if (entry.watcher?.failed(error) !== true) this.host.report(error);
      this.drop(entry, error.code);
    }
  }

  private dispatch(id: string, entry: PeerLink, frame: WireFrame): void {
    if (entry.peer === undefined && !entry.dialed && frame.header.cmd !== 'HELLO_REQUEST') {
      // PROTOCOL §2.1 / §11.4 rule 2: nothing but a HELLO opens a session.
      return this.send(entry.link, noSessionFrame(frame));
    }
    switch (frame.header.cmd) {
      case 'HELLO_REQUEST': {
        const peer = optionalProp(frame, 'evmeshnode');
        if (peer === undefined) {
          if (entry.peer !== undefined || entry.dialed) {
            // PROTOCOL §2.4 is for a new connection: a peer link handed over would keep its interest with nobody behind it.
            this.send(entry.link, refusedHelloFrame(frame.header.seq, 'a peer link cannot become a client session'));
            throw new MeshError('ERR_MESH_WIRE_BAD_BODY', 'HELLO without evmeshnode on a peer link', { details: { link: id, peer: entry.peer } });
          }
          // PROTOCOL §2.4: a stock EventMesh client; the link is no peer link from here on.
          this.links.delete(id);
          entry.outbox.close();
          return this.host.stockHello(entry.link, frame);
        }
        return this.admit(id, entry, peer, frame);
      }
      case 'HEARTBEAT_REQUEST':
        return this.send(entry.link, heartbeatResponseFrame(frame.header.seq));
      case 'HEARTBEAT_RESPONSE':
        return pong(entry, frame);
      case 'CLIENT_GOODBYE_REQUEST':
        this.send(entry.link, goodbyeResponseFrame(frame.header.seq));
        return this.drop(entry, 'goodbye'); // PROTOCOL §7.1: withdraws what it carried (§4.5)
      case 'SERVER_GOODBYE_REQUEST':
        return this.drop(entry, 'goodbye');
      case 'HELLO_RESPONSE':
        if (frame.header.code !== 0) {
          const desc = frame.header.desc ?? 'no reason';
          const code = desc.startsWith('ERR_MESH_PEER_SAME_ID') ? 'ERR_MESH_PEER_SAME_ID' : 'ERR_MESH_PEER_REFUSED';
          throw new MeshError(code, `peer refused the HELLO: ${desc}`, { details: { link: id } });
        }
        entry.batchMax = batchLimitOf(frame);
        return this.up(id, entry, prop(frame, 'evmeshnode'));
      case 'SUBSCRIBE_REQUEST':
        return this.advertised(id, entry, frame);
      case 'UNSUBSCRIBE_REQUEST':
        return this.apply(this.table.withdraw(id, prop(frame, 'evmeshnode'), prop(frame, 'evmeshsub')));
      case 'ASYNC_MESSAGE_TO_SERVER':
      case 'REQUEST_TO_SERVER':
        return this.forwarder.arrived(frame, entry.party);
      case 'RESPONSE_TO_SERVER':
        return this.forwarder.replyArrived(frame, id);
      case 'LISTEN_REQUEST':
        return this.listening(entry);
      default:
        return; // heartbeat answers and ACKs need no action between evmesh peers
    }
  }

  /** PROTOCOL §2.2 / §9.2: the user's hook may refuse a peer (code 1, then close). */
  private admit(id: string, entry: PeerLink, peer: string, frame: WireFrame): void {
    const token = frame.body === undefined || frame.body.length === 0 ? undefined : decodeUserAgent(frame.body).token;
    // PROTOCOL §2.5: our own id (a dial to ourselves, or two nodes given one id). Refused, not
    // reported here: the dialing side reports it, once, and redials only at its slowest pace.
    if (peer === this.host.selfId) return this.refuse(entry, frame, `ERR_MESH_PEER_SAME_ID: ${peer} is this node's own id`);
    if (this.full(entry, frame)) return;
    entry.batchMax = batchLimitOf(frame);
    const { remoteAddress, certificate } = entry.link;
    const hello = certificate === undefined ? { node: peer, token, remoteAddress } : { node: peer, token, remoteAddress, certificate };
    applyVerdict(this.host.verifyHello(hello), peer, {
      admit: (identity) => {
        if (this.full(entry, frame)) return; // others were admitted while verifyHello ran
        entry.identity = identity;
        this.send(entry.link, helloResponseFrame(this.host.selfId, frame.header.seq));
        this.up(id, entry, peer);
      },
      refuse: () => this.refuse(entry, frame, 'refused by verifyHello'),
      failed: (err) => {
        this.host.report(asMeshError(err, 'ERR_MESH_INVALID_OPTIONS', { stage: 'verifyHello', peer }));
        this.refuse(entry, frame, 'verifyHello failed');
      },
    });
  }

  /** PROTOCOL §10: past `limits.maxPeers` a peer's HELLO is refused (code 1) and counted. */
  private full(entry: PeerLink, hello: WireFrame): boolean {
    const max = this.host.limits.maxPeers;
    if (this.peerCount < max || entry.peer !== undefined) return false;
    this.host.refusals.count('maxPeers');
    this.refuse(entry, hello, `ERR_MESH_CONNECTION_REFUSED: this node has its maximum of ${String(max)} peers`);
    return true;
  }

  private refuse(entry: PeerLink, hello: WireFrame, reason: string): void {
    this.send(entry.link, refusedHelloFrame(hello.header.seq, reason));
    entry.link.close();
  }

  /** PROTOCOL §4.1: a peer's advertisement joins the interest table, unless a hook refuses to route to it. */
  private advertised(id: string, entry: PeerLink, frame: WireFrame): void {
    const adv = this.proxies.advertisement(frame, jsonProp(frame, 'evmeshpath', isPath));
    const hooks = this.host.hooks;
    // A node's presence (§4.6) is no subscription: it routes replies and never matches an event.
    if (hooks.onRemoteSubscribe !== undefined && adv.sub !== PRESENCE && !hooks.allows('onRemoteSubscribe', adv, entry.party)) return;
    this.apply(this.table.advertise(id, adv));
  }

  private up(id: string, entry: PeerLink, peer: string): void {
    if (peer === this.host.selfId) throw new MeshError('ERR_MESH_PEER_SAME_ID', `the peer has this node's own id ${peer}`); // PROTOCOL §2.5
    if (entry.peer === undefined) this.peerCount++;
    entry.peer = peer;
    entry.link.admitted?.();
    entry.party = { kind: 'peer', identity: entry.identity ?? peer, remoteAddress: entry.link.remoteAddress };
    this.apply(this.table.linkUp(id, peer));
    entry.outbox.push('listen');
  }

  /**
   * PROTOCOL §4.3: the peer's LISTEN follows its whole table on the same link, so from
   * here on every subscription it knew is known here too: that is when 'peer:up' says so.
   */
  private listening(entry: PeerLink): void {
    if (entry.peer === undefined || entry.listening) return;
    entry.listening = true;
    // Before the signal, so a 'peer:up' listener sees the peer linked in mesh.peers().
    entry.watcher?.up(entry.peer);
    const hooks = this.host.hooks;
    if (hooks.onLinkUp !== undefined) hooks.run('onLinkUp', entry.party);
    this.host.peerChanged(true, info(entry, entry.peer));
  }

  private detach(id: string): void {
    const entry = this.links.get(id);
    if (entry === undefined) return;
    this.links.delete(id);
    entry.outbox.close();
    if (entry.peer !== undefined) this.peerCount--;
    entry.watcher?.down();
    this.forwarder.linkDown(id);
    this.apply(this.table.linkDown(id));
    if (entry.peer === undefined || !entry.listening) return;
    const hooks = this.host.hooks;
    if (hooks.onLinkDown !== undefined) hooks.run('onLinkDown', entry.party);
    this.host.peerChanged(false, info(entry, entry.peer), entry.reason ?? 'connection closed');
  }

  /**
   * The connected peers with their outbound counters (a slow peer shows a growing queue
   * and drain waits). A link the dialer watches is listed once up; before, the dialer lists it.
   */
  peers(): PeerStats[] {
    const out: PeerStats[] = [];
    for (const [id, entry] of this.links) {
      if (entry.peer === undefined || (entry.watcher !== undefined && !entry.listening)) continue;
      out.push({
        ...info(entry, entry.peer), outbound: entry.link.stats?.(), state: entry.listening ? 'linked' : 'handshaking',
        address: entry.watcher?.address, lastError: undefined,
        inbound: entry.link.inbound?.(), rttMs: entry.rttMs, interest: this.table.interestOf(id, PRESENCE),
      });
    }
    return out;
  }

  private apply(changes: InterestChanges): void {
    for (const action of changes.send) this.links.get(action.link)?.outbox.push(action);
    for (const ref of changes.removed) if (ref.sub !== PRESENCE) this.proxies.remove(ref);
    for (const entry of changes.added) if (entry.sub !== PRESENCE) this.proxies.upsert(entry);
  }

  private tell(link: Link, item: InterestItem): void {
    if (item === 'listen') return this.send(link, listenFrame(this.seq()));
    this.send(link, item.kind === 'advertise'
      ? advertiseFrame(this.seq(), item.adv)
      : withdrawFrame(this.seq(), item.node, item.sub, item.path));
  }

  /** Closes a link, saying why (the first reason wins: the close it started may take a moment). */
  private drop(entry: PeerLink, reason: string, graceMs?: number): void {
    entry.reason ??= reason;
    entry.link.close(graceMs);
  }

  /** A link that is closing refuses frames; its close is already withdrawing what it carried. */
  private send(link: Link, frame: WireFrame): void {
    try {
      link.send(frame);
    } catch (err) {
      this.sendFailed(link, err);
    }
  }

  private sendFailed(link: Link, err: unknown): void {
    const error = asMeshError(err, 'ERR_MESH_WIRE_BACKPRESSURE');
    if (error.code === 'ERR_MESH_CLOSED') return;
    this.host.report(error);
    this.dropLink(link, error.code);
  }

  /** PROTOCOL §5.6: in a batch frame where the peer takes them (peer-link.ts). */
  private sendEvent(entry: PeerLink, header: EventHeader, body: string | Buffer): void {
    try {
      sendEvent(entry, header, body);
    } catch (err) {
      this.sendFailed(entry.link, err);
    }
  }

  private dropLink(link: Link, reason: string): void {
    for (const entry of this.links.values()) if (entry.link === link) return this.drop(entry, reason);
    link.close();
  }
}
