import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { MeshError } from '../errors.js';
import { FrameDecoder } from '../wire/frame-decoder.js';
import { FrameEncoder, type FrameEncoderStats } from '../wire/frame-encoder.js';
import type { WireFrame } from '../wire/frame.js';
import type { Link } from './link.js';
import type { HelloCertificate } from './peer-info.js';

/** The client certificate of a TLS socket, only where the handshake verified it against the CA. */
function certificateOf(socket: Socket): HelloCertificate | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (typeof cert.fingerprint256 !== 'string' || cert.fingerprint256.length === 0) return undefined;
  const subject: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(cert.subject)) if (value !== undefined) subject[key] = value;
  return { subject, fingerprint256: cert.fingerprint256 };
}

/**
 * A link over a TCP (or TLS) socket: frames in through the incremental decoder,
 * frames out through the coalescing encoder, which waits for `'drain'` and refuses
 * past its bound (PROTOCOL §1.5). A decode error ends this connection only (§1.3).
 */
export class TcpLink implements Link {
  onFrame: ((frame: WireFrame) => void) | undefined = undefined;
  onClose: (() => void) | undefined = undefined;
  private readonly encoder: FrameEncoder;
  private closed = false;
  readonly remoteAddress: string | undefined;
  readonly certificate: HelloCertificate | undefined;

  constructor(private readonly socket: Socket, onError: (error: MeshError) => void) {
    socket.setNoDelay(true);
    this.remoteAddress = socket.remoteAddress;
    this.certificate = certificateOf(socket);
    this.encoder = new FrameEncoder(socket);
    const decoder = new FrameDecoder({
      onFrame: (frame) => this.onFrame?.(frame),
      onError: (error) => {
        onError(error);
        this.close();
      },
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.closed || this.close());
  }

  send(frame: WireFrame): void {
    this.encoder.send(frame);
  }

  stats(): FrameEncoderStats {
    return this.encoder.stats;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A last frame (a refused HELLO's answer) still goes out; then a graceful end,
    // and a hard stop if the peer never closes its side.
    if (!this.socket.destroyed) {
      this.encoder.flushNow();
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    this.encoder.close();
    this.onClose?.();
  }
}
