import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { MeshError } from '../errors.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
  /** Dial with TLS (`tls://`, PROTOCOL §9.1). */
  readonly tls: boolean;
}

/** Parses `tcp://host:port` or `tls://host:port`. */
export function parsePeer(url: unknown): PeerAddress {
  const match = typeof url === 'string' ? /^(tcp|tls):\/\/([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(url) : null;
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port > 0 && port < 65536)) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `peer address must look like tcp://host:port or tls://host:port, got ${JSON.stringify(url)}`);
  }
  return { host: (match[2] as string).replace(/^\[|\]$/g, ''), port, tls: match[1] === 'tls' };
}

const MIN_BACKOFF = 100;
const MAX_BACKOFF = 10_000;

/**
 * Dials each peer and redials it when the connection ends, with jittered
 * exponential backoff (PROTOCOL §3.3: 100 ms doubling to 10 s, ±50 %). A successful
 * connection resets the backoff.
 */
export class Dialer {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly onSocket: (socket: Socket) => void, private readonly tls?: ConnectionOptions) {}

  dial(peer: PeerAddress, backoff = MIN_BACKOFF): void {
    if (this.stopped) return;
    const socket = peer.tls ? connectTls({ ...this.tls, host: peer.host, port: peer.port }) : connect(peer.port, peer.host);
    this.sockets.add(socket);
    let connected = false;
    socket.once(peer.tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      this.onSocket(socket);
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (this.stopped) return;
      const next = connected ? MIN_BACKOFF : Math.min(backoff * 2, MAX_BACKOFF);
      const delay = next * (0.5 + Math.random());
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dial(peer, next);
      }, delay);
      this.timers.add(timer);
    });
    socket.on('error', () => undefined); // 'close' follows and schedules the redial
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
  }
}
