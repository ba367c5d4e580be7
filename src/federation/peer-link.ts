import type { RemoteParty } from '../hooks/hook-list.js';
import type { WireFrame } from '../wire/frame.js';
import type { EventHeader } from './event-headers.js';
import type { InterestOutbox } from './interest-outbox.js';
import type { Link, LinkWatcher } from './link.js';
import type { PeerInfo } from './peer-info.js';

/** What a federation keeps about one of its links. */
export interface PeerLink {
  readonly link: Link;
  /** This node dialed it (PROTOCOL §7.1: who says which goodbye). */
  readonly dialed: boolean;
  peer: string | undefined;
  /** The peer's LISTEN arrived: its table is in, 'peer:up' was signalled (PROTOCOL §4.3). */
  listening: boolean;
  /** Last time anything arrived (PROTOCOL §3.1: any frame is a sign of life). */
  seen: number;
  /** Who is at the other end, as hooks are told (identity set by the HELLO). */
  party: RemoteParty;
  /** What `verifyHello` admitted this peer as, on a link it dialed us on; else its node id. */
  identity: string | undefined;
  /** The heartbeat awaiting its answer (its seq, and when it left), for the round trip. */
  ping: { seq: string; at: number } | undefined;
  /** Round trip of the last answered heartbeat, in ms. */
  rttMs: number | undefined;
  /** The dialer's, for a link it made to a configured peer: told when it is up, or why it failed before. */
  readonly watcher: LinkWatcher | undefined;
  /** Why this side closed it (logged with 'peer link down'); undefined: the connection itself closed. */
  reason: string | undefined;
  /** Events per batch frame the peer's HELLO said it accepts; 0: single frames only (PROTOCOL §5.6). */
  batchMax: number;
  /** Interest for the peer, sent as the link takes it (PROTOCOL §4.7). */
  readonly outbox: InterestOutbox;
}

/** A link just attached: nothing known about its peer yet. */
export function newPeerLink(link: Link, dialed: boolean, watcher: LinkWatcher | undefined, outbox: InterestOutbox): PeerLink {
  const party: RemoteParty = { kind: 'peer', identity: undefined, remoteAddress: link.remoteAddress };
  return {
    link, dialed, peer: undefined, listening: false, seen: Date.now(), party, identity: undefined, watcher,
    reason: undefined, ping: undefined, rttMs: undefined, batchMax: 0, outbox,
  };
}

export function info(entry: PeerLink, node: string): PeerInfo {
  return { node, dialed: entry.dialed, remoteAddress: entry.link.remoteAddress };
}

/** A heartbeat was answered: the round trip, if it answers the last one sent. */
export function pong(entry: PeerLink, frame: WireFrame): void {
  if (entry.ping === undefined || entry.ping.seq !== frame.header.seq) return;
  entry.rttMs = performance.now() - entry.ping.at;
  entry.ping = undefined;
}

/**
 * PROTOCOL §5.6: an event goes into a batch frame where the peer announced batches and the
 * transport makes them, else into a frame of its own. Throws as `Link.send` does.
 */
export function sendEvent(entry: PeerLink, header: EventHeader, body: string | Buffer): void {
  const link = entry.link;
  if (entry.batchMax > 0 && link.sendBatched !== undefined) link.sendBatched(header.batch, body, entry.batchMax);
  else link.send({ header: header.single, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body });
}
