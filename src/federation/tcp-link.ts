import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { MeshError } from '../errors.js';
import { FrameDecoder } from '../wire/frame-decoder.js';
import { FrameEncoder, type FrameEncoderStats } from '../wire/frame-encoder.js';
import type { WireFrame } from '../wire/frame.js';
import type { WireHeader } from '../wire/header.js';
import type { OutboundBudget } from '../wire/outbound-budget.js';
import type { Link } from './link.js';
import type { HelloCertificate, InboundStats } from './peer-info.js';

/** The client certificate of a TLS socket, only where the handshake verified it against the CA. */
function certificateOf(socket: Socket): HelloCertificate | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (typeof cert.fingerprint256 !== 'string' || cert.fingerprint256.length === 0) return undefined;
  const subject: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(cert.subject)) if (value !== undefined) subject[key] = value;
  return { subject, fingerprint256: cert.fingerprint256 };
}

/** What a TCP link is held to besides its own queue bound. */
export interface TcpLinkLimits {
  /** Shared with the node's other links (`limits.maxOutboundBytes`). */
  readonly budget?: OutboundBudget;
  /** A link that has not completed its HELLO after this many ms is closed, and `onHelloTimeout` told. */
  readonly helloTimeout?: number;
  readonly onHelloTimeout?: () => void;
}

/**
 * A link over a TCP (or TLS) socket: frames in through the incremental decoder,
 * frames out through the coalescing encoder, which waits for `'drain'` and refuses
 * past its bound (PROTOCOL §1.5). A decode error ends this connection only (§1.3).
 */
export class TcpLink implements Link {
  onFrame: ((frame: WireFrame) => void) | undefined = undefined;
  onClose: (() => void) | undefined = undefined;
  onDrain: (() => void) | undefined = undefined;
  private readonly encoder: FrameEncoder;
  private ended = false;
  private framesIn = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  readonly remoteAddress: string | undefined;
  readonly certificate: HelloCertificate | undefined;
  /** Resolves on the socket's 'close': what was written is out, or it was destroyed. */
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket, private readonly onError: (error: MeshError) => void, limits: TcpLinkLimits = {}) {
    socket.setNoDelay(true);
    this.remoteAddress = socket.remoteAddress;
    this.certificate = certificateOf(socket);
    this.encoder = new FrameEncoder(socket, { budget: limits.budget, onShed: () => this.shed() });
    const decoder = new FrameDecoder({
      onFrame: (frame) => {
        this.framesIn++;
        this.onFrame?.(frame);
      },
      onError: (error) => {
        onError(error);
        this.close();
      },
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => this.close());
    socket.on('drain', () => this.onDrain?.());
    socket.on('close', () => this.ended || this.close());
    if (limits.helloTimeout !== undefined) {
      const onTimeout = limits.onHelloTimeout;
      // PROTOCOL §10: frames other than a HELLO do not keep a connection open.
      this.helloTimer = setTimeout(() => {
        if (this.ended) return;
        onTimeout?.();
        this.close();
      }, limits.helloTimeout);
      this.helloTimer.unref();
    }
  }

  send(frame: WireFrame): void {
    this.encoder.send(frame);
  }

  sendBatched(header: WireHeader, event: string | Buffer, maxEvents: number): void {
    this.encoder.sendBatched(header, event, maxEvents);
  }

  trim(): void {
    this.encoder.trim();
  }

  inbound(): InboundStats {
    return { frames: this.framesIn, bytes: this.socket.bytesRead };
  }

  queuedBytes(): number {
    return this.encoder.queuedBytes;
  }

  stats(): FrameEncoderStats {
    return this.encoder.stats;
  }

  admitted(): void {
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
  }

  close(graceMs = 1000): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.helloTimer);
    // What was sent still goes out (the events a publish was told are on their way, a
    // refused HELLO's answer); then a graceful end, and a hard stop if the peer does not
    // read it all, or never closes its side, within the grace.
    if (!this.socket.destroyed) {
      this.encoder.flushNow();
      this.socket.end();
      setTimeout(() => this.socket.destroy(), graceMs).unref();
    }
    this.encoder.close();
    this.onClose?.();
  }

  /** The node's outbound budget drops this link, the slowest reader: nothing more is written to it. */
  private shed(): void {
    if (this.ended) return;
    const held = this.encoder.heldBytes;
    this.ended = true;
    clearTimeout(this.helloTimer);
    this.encoder.close();
    this.socket.destroy();
    this.onError(new MeshError('ERR_MESH_WIRE_BACKPRESSURE', 'dropped: the outbound bytes of all connections reached their bound, and this peer held the most', {
      details: { remoteAddress: this.remoteAddress, heldBytes: held, global: true },
    }));
    this.onClose?.();
  }
}
