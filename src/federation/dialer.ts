import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { MeshError } from '../errors.js';
import type { PeerAddress } from './peer-address.js';
import { PeerDial } from './peer-dial.js';
import type { PeerStats } from './peer-info.js';
import type { Log } from '../util/log.js';

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
  /** Checks of `whenLinked` callers, run on every change of a peer's state. */
  private readonly waiters = new Set<() => void>();

  constructor(
    peers: readonly PeerAddress[],
    private readonly onSocket: (socket: Socket, dial: PeerDial) => void,
    report: (error: MeshError) => void,
    private readonly tls?: ConnectionOptions,
    log?: Log,
  ) {
    const changed = (): void => {
      for (const check of [...this.waiters]) check();
    };
    this.dials = peers.map((peer) => new PeerDial(peer, report, changed, log));
  }

  start(): void {
    for (const dial of this.dials) this.dial(dial);
  }

  /** The configured peers not linked now (linked ones are listed by the federation). */
  unlinked(): PeerStats[] {
    return this.dials.filter((dial) => dial.state !== 'linked').map((dial) => dial.stats());
  }

  /**
   * Resolves once every configured peer is linked at the same moment; rejects after
   * `ms` with ERR_MESH_PEER_UNREACHABLE naming those that are not (dialing goes on),
   * or with ERR_MESH_CLOSED when the mesh closes first.
   */
  whenLinked(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: MeshError): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        if (this.stopped) finish(new MeshError('ERR_MESH_CLOSED', 'the mesh closed while waiting for its peers'));
        else if (this.dials.every((dial) => dial.state === 'linked')) finish();
      };
      const timer = setTimeout(() => finish(this.unreachable(ms)), ms);
      this.waiters.add(check);
      check();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    for (const dial of this.dials) dial.close();
    for (const check of [...this.waiters]) check();
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

  private unreachable(ms: number): MeshError {
    const missing = this.dials.filter((dial) => dial.state !== 'linked');
    const peers = missing.map((dial) => dial.address);
    const lastErrors = Object.fromEntries(missing.flatMap((dial) => {
      const { lastError } = dial.stats();
      return lastError === undefined ? [] : [[dial.address, lastError]];
    }));
    return new MeshError('ERR_MESH_PEER_UNREACHABLE', `${String(peers.length)} of ${String(this.dials.length)} peers not linked within ${String(ms)} ms: ${peers.join(', ')}`, {
      details: { peers, timeout: ms, lastErrors },
    });
  }
}
