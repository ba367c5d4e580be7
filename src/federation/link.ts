import type { MeshError } from '../errors.js';
import type { WireFrame } from '../wire/frame.js';
import type { FrameEncoderStats } from '../wire/frame-encoder.js';
import type { WireHeader } from '../wire/header.js';
import type { HelloCertificate, InboundStats } from './peer-info.js';

/**
 * The seam between federation logic and transport (style.md §8): a link carries
 * whole frames both ways. The same peer logic runs over an in-memory pair in tests
 * and over TCP/TLS sockets between processes.
 */
export interface Link {
  /** Queues a frame for the other end; throws a MeshError when the link is closed or backed up. */
  send(frame: WireFrame): void;
  /**
   * Queues one event (its CloudEvent JSON) into a batch frame with `header` (PROTOCOL §5.6),
   * coalesced with the events sent after it in the same tick; throws as `send` does. Only
   * for a peer that announced batches; a transport without it sends single frames.
   */
  sendBatched?(header: WireHeader, event: string | Buffer, maxEvents: number): void;
  /**
   * Closes both directions; `onClose` fires once on each end. What was sent before is
   * still written, for up to `graceMs` (default 1000) if the other end reads slowly.
   */
  close(graceMs?: number): void;
  /** Resolves once the transport is gone (everything written, or the grace ran out); where the transport can tell. */
  readonly closed?: Promise<void>;
  /** The peer's address where the transport knows it (for `verifyHello`). */
  readonly remoteAddress?: string;
  /** The client certificate a mutual-TLS handshake verified, where there is one (for `verifyHello`). */
  readonly certificate?: HelloCertificate;
  /** Outbound counters where the transport keeps them (queue, bytes, drain waits, refusals). */
  stats?(): FrameEncoderStats;
  /** Inbound counters where the transport keeps them. */
  inbound?(): InboundStats;
  /** Called each heartbeat: a quiet link lets go of its outbound buffer (FrameEncoder.trim). */
  trim?(): void;
  /** Its HELLO completed (a peer's or a stock client's was accepted): `limits.helloTimeout` no longer applies. */
  admitted?(): void;
  /** Encoded bytes queued and not yet handed to the transport, where it keeps them (interest waits under a mark, InterestOutbox). */
  queuedBytes?(): number;
  onFrame: ((frame: WireFrame) => void) | undefined;
  onClose: (() => void) | undefined;
  /** Set by the federation where the transport can tell: the link drained after it held back. */
  onDrain?: (() => void) | undefined;
}

/**
 * What the dialer of a link wants to hear from the federation about it: the link came
 * up, or why it failed before that (so redials back off and failures are reported once).
 */
export interface LinkWatcher {
  /** The configured address dialed (`tcp://host:port`), as `mesh.peers()` shows it. */
  readonly address: string;
  /** The peer's LISTEN arrived: the link is up and its interest known ('peer:up', PROTOCOL §4.3). */
  up(node: string): void;
  /** A failure of this link before it came up; false once it was up, and the caller reports it as usual. */
  failed(error: MeshError): boolean;
  /** The link closed (its socket may still be closing). */
  down(): void;
}
