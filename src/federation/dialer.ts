import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import type { MeshError } from '../errors.js';
import type { PeerAddress } from './peer-address.js';
import { PeerDial } from './peer-dial.js';
import type { PeerStats } from './peer-info.js';

export { parsePeer, type PeerAddress } from './peer-address.js';

/**
 * Dials each configured peer and redials it when the connection ends, with jittered
 * exponential backoff that resets only once a link came up (`PeerDial`, PROTOCOL §3.3).
 */
export class Dialer {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private readonly dials: PeerDial[];
  constructor(
    peers: readonly PeerAddress[],
    private readonly onSocket: (socket: Socket, dial: PeerDial) => void,
    report: (error: MeshError) => void,
    private readonly tls?: ConnectionOptions,
  ) {
    this.dials = peers.map((peer) => new PeerDial(peer, report, () => undefined));
  }

  start(): void {
    for (const dial of this.dials) this.dial(dial);
  }

  /** The configured peers not linked now (linked ones are listed by the federation). */
  unlinked(): PeerStats[] {
    return this.dials.filter((dial) => dial.state !== 'linked').map((dial) => dial.stats());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    for (const dial of this.dials) dial.close();
  }

  private dial(dial: PeerDial): void {
    if (this.stopped) return;
    dial.dialing();
    const { peer } = dial;
    const socket = peer.tls ? connectTls({ ...this.tls, host: peer.host, port: peer.port }) : connect(peer.port, peer.host);
    this.sockets.add(socket);
    let connected = false;
    let connectError: Error | undefined;
    socket.once(peer.tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      dial.connected();
      this.onSocket(socket, dial);
    });
    // Only an error before the connection tells why the peer is unreachable; once
    // connected, the link's own close says what happened.
    socket.on('error', (err) => {
      if (!connected) connectError ??= err;
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (this.stopped) return;
      const delay = dial.ended(connected ? undefined : connectError ?? new Error('connection closed'));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dial(dial);
      }, delay);
      this.timers.add(timer);
    });
  }

}
