import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { MeshError } from '../errors.js';
import { Dialer } from './dialer.js';
import type { Federation } from './federation.js';
import { Listener } from './listener.js';
import type { PeerAddress } from './peer-address.js';
import type { PeerStats } from './peer-info.js';
import { TcpLink } from './tcp-link.js';
import { OutboundBudget } from '../wire/outbound-budget.js';
import type { Refusals, ResolvedLimits } from './limits.js';
import type { Log } from '../util/log.js';

export interface TransportOptions {
  readonly listen: { readonly host: string; readonly port: number; readonly tls: TlsOptions | undefined } | undefined;
  readonly peers: readonly PeerAddress[];
  readonly peerTls: ConnectionOptions | undefined;
  readonly heartbeatInterval: number;
  readonly limits: ResolvedLimits;
  /** Where connections refused by a limit are counted (one report per burst). */
  readonly refusals: Refusals;
}

/** The sockets of a node: its listening port and the peers it dials, each connection a TcpLink. */
export class Transport {
  private listener: Listener | undefined;
  private dialer: Dialer | undefined;
  private closed = false;
  /** The address actually bound (the port is known only after listening on port 0). */
  address: { host: string; port: number } | undefined;

  constructor(
    private readonly federation: Federation,
    private readonly report: (error: MeshError) => void,
    private readonly log?: Log,
  ) {}

  /** Binds (rejecting with ERR_MESH_LISTEN_FAILED, nothing left open), then starts dialing. */
  async start(options: TransportOptions): Promise<void> {
    this.federation.startHeartbeat(options.heartbeatInterval);
    const { limits, refusals } = options;
    // PROTOCOL §10: one bound on the outbound bytes of every link of this node, accepted or dialed.
    const budget = new OutboundBudget(limits.maxOutboundBytes);
    if (options.listen !== undefined) {
      const accepted = { budget, helloTimeout: limits.helloTimeout, onHelloTimeout: () => refusals.count('helloTimeout') };
      const listener = new Listener(
        (socket) => this.federation.attach(new TcpLink(socket, this.report, accepted), false),
        limits.maxConnections, () => refusals.count('maxConnections'),
      );
      this.listener = listener;
      const port = await listener.listen(options.listen.host, options.listen.port, options.listen.tls);
      this.address = { host: options.listen.host, port };
    }
    if (options.peers.length > 0 && !this.closed) {
      const dialer = new Dialer(options.peers, (socket, dial) => {
        // Until the link is up, what goes wrong on it is the dial's failure, reported once per change.
        const link = new TcpLink(socket, (error) => {
          if (!dial.failed(error)) this.report(error);
        }, { budget });
        this.federation.attach(link, true, dial);
      }, this.report, options.peerTls, this.log);
      this.dialer = dialer;
      dialer.start();
    }
  }

  /** The linked peers, then the configured peers not linked. */
  peers(): PeerStats[] {
    const linked = this.federation.peers();
    return this.dialer === undefined ? linked : [...linked, ...this.dialer.unlinked()];
  }

  /** Resolves once every configured peer is linked (Dialer.whenLinked). */
  whenLinked(ms: number): Promise<void> {
    return this.dialer?.whenLinked(ms) ?? Promise.resolve();
  }

  /**
   * Closes the links first, letting what they were sent go out (up to `graceMs` to a slow
   * reader), then stops dialing and releases the port: the dialer and the listener
   * destroy the sockets left, which would drop bytes still buffered.
   */
  async close(graceMs = 1000, before: Promise<void> = Promise.resolve()): Promise<void> {
    this.closed = true;
    await Promise.all([this.federation.close(graceMs), before]);
    this.dialer?.stop();
    await this.listener?.close();
  }
}
