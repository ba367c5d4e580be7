import type { MeshErrorCode } from '../errors.js';
import type { FrameEncoderStats } from '../wire/frame-encoder.js';

/** A federated peer as the signals and `mesh.peers()` describe it. */
export interface PeerInfo {
  /** The peer's node id; for a configured peer never linked yet, `''` (else the id last linked at that address). */
  readonly node: string;
  /** This node dialed it (it is in `peers`); otherwise it connected to our `listen` port. */
  readonly dialed: boolean;
  readonly remoteAddress: string | undefined;
}

/**
 * Where a peer stands. `linked`: its link is up and its interest known (the 'peer:up'
 * moment, PROTOCOL §4.3). A configured peer (`peers`) not linked is `dialing` (a
 * connection being opened), `handshaking` (connected, HELLO and tables under way),
 * `backoff` (waiting to redial after a failure or a drop) or `closed` (the mesh closed).
 */
export type PeerState = 'dialing' | 'handshaking' | 'linked' | 'backoff' | 'closed';

/** What arrived over a link: whole frames decoded, and bytes read off the socket. */
export interface InboundStats {
  readonly frames: number;
  readonly bytes: number;
}

/** What a linked peer's interest amounts to here. */
export interface PeerInterest {
  /** Remote subscriptions this link advertised (each node's, however far, once per link). */
  readonly learned: number;
  /** Of those, the ones routed through this link (their best route). */
  readonly routed: number;
}

/** A peer in `mesh.peers()`: a linked peer with its link's counters, or a configured peer not linked. */
export interface PeerStats extends PeerInfo {
  /** The link's outbound queue and counters, where the transport counts them; undefined with no link. */
  readonly outbound: FrameEncoderStats | undefined;
  /** Frames and bytes received over the link; undefined with no link (or a transport that does not count). */
  readonly inbound?: InboundStats | undefined;
  /** Round trip of the last answered heartbeat, in ms; undefined before one was answered. */
  readonly rttMs?: number | undefined;
  /** Subscriptions learned over the link; undefined with no link. */
  readonly interest?: PeerInterest | undefined;
  readonly state: PeerState;
  /** The configured address this node dials (`tcp://host:port`); undefined for a peer that dialed us. */
  readonly address: string | undefined;
  /** Why the last attempt to link this configured peer failed; cleared once it is linked. */
  readonly lastError: { readonly code: MeshErrorCode; readonly message: string } | undefined;
}

/**
 * A client certificate the TLS handshake verified against `listen.tls.ca` (mutual TLS,
 * `requestCert: true`), as `socket.getPeerCertificate()` gives it.
 */
export interface HelloCertificate {
  /** The certificate's subject, e.g. `{ CN: 'billing', O: 'shop' }`. */
  readonly subject: Readonly<Record<string, string | string[]>>;
  /** SHA-256 fingerprint, `AA:BB:…`. */
  readonly fingerprint256: string;
}

/**
 * `verifyHello`'s answer: `true` admits (the identity is the peer's node id, or the
 * client's UserAgent `username`, else `subsystem`), `{ identity }` admits under that
 * identity (what hooks and the `acl` see), `false` refuses.
 */
export type HelloVerdict = boolean | { readonly identity: string };

/** What `verifyHello` learns about a connecting peer. */
export interface PeerHello {
  readonly node: string;
  readonly token: string | undefined;
  readonly remoteAddress: string | undefined;
  /** With mutual TLS: the client certificate the handshake verified (none without one). */
  readonly certificate?: HelloCertificate;
  /**
   * Set when a stock EventMesh client (not an evmesh peer) says HELLO; `node` is then
   * its UserAgent `subsystem` (empty if it sent none).
   */
  readonly client?: { readonly group: string; readonly purpose: 'pub' | 'sub' };
}
