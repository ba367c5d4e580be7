import type { WireFrame } from '../wire/frame.js';
import type { FrameEncoderStats } from '../wire/frame-encoder.js';

/**
 * The seam between federation logic and transport (style.md §8): a link carries
 * whole frames both ways. The same peer logic runs over an in-memory pair in tests
 * and over TCP/TLS sockets between processes.
 */
export interface Link {
  /** Queues a frame for the other end; throws a MeshError when the link is closed or backed up. */
  send(frame: WireFrame): void;
  /** Closes both directions; `onClose` fires once on each end. */
  close(): void;
  /** The peer's address where the transport knows it (for `verifyHello`). */
  readonly remoteAddress?: string;
  /** Outbound counters where the transport keeps them (queue, bytes, drain waits, refusals). */
  stats?(): FrameEncoderStats;
  onFrame: ((frame: WireFrame) => void) | undefined;
  onClose: (() => void) | undefined;
}
