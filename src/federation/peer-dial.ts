import { MeshError } from '../errors.js';
import type { LinkWatcher } from './link.js';
import type { PeerAddress } from './peer-address.js';
import type { PeerState, PeerStats } from './peer-info.js';
import type { Log } from '../util/log.js';

/** PROTOCOL §3.3: 100 ms doubling to 10 s, each delay jittered ±50 %. */
const MIN_BACKOFF = 100;
const MAX_BACKOFF = 10_000;

/**
 * One configured peer and where linking it stands (PROTOCOL §3.3). The backoff resets
 * only once a link came up, so an address that accepts and closes (no evmesh node, a
 * node refusing us) is redialed ever more slowly, and a node with our own id only at the
 * slowest pace. A failure is reported when it differs from the last one reported, or
 * first after the peer was linked: a peer down for an hour is one report (logged at
 * warn), not one per redial; the redials that fail alike are logged at debug. Each
 * report names the address (`details.peer`).
 */
export class PeerDial implements LinkWatcher {
  state: PeerState = 'dialing';
  /** The id last linked at this address. */
  private node = '';
  private lastError: MeshError | undefined;
  /** The first failure seen during the current attempt: the one its end reports. */
  private failure: MeshError | undefined;
  /** What the last report was about (code and socket error code); cleared once linked. */
  private reported: string | undefined;
  private backoff = MIN_BACKOFF;
  /** The current attempt's link came up (it may be down again since). */
  private wasUp = false;

  constructor(
    readonly peer: PeerAddress,
    private readonly report: (error: MeshError) => void,
    private readonly changed: () => void,
    private readonly log: Log | undefined,
  ) {}

  get address(): string {
    return this.peer.url;
  }

  dialing(): void {
    this.failure = undefined;
    this.wasUp = false;
    this.set('dialing');
  }

  connected(): void {
    this.set('handshaking');
  }

  up(node: string): void {
    if (this.state === 'closed') return;
    this.wasUp = true;
    this.node = node;
    this.backoff = MIN_BACKOFF;
    this.lastError = undefined;
    this.reported = undefined;
    this.set('linked');
  }

  failed(error: MeshError): boolean {
    if (this.wasUp) return false;
    this.failure ??= new MeshError(error.code, `peer ${this.address}: ${error.message}`, {
      cause: error.cause, details: { ...error.details, peer: this.address },
    });
    return true;
  }

  down(): void {
    // Not linked from here on, though the socket may take a moment to close and be redialed.
    if (this.state === 'linked') this.set('backoff');
  }

  /**
   * The attempt's connection closed (`connectError`: why it never connected). Reports
   * the failure if it is news and returns the delay (ms) before the next dial.
   */
  ended(connectError: Error | undefined): number {
    if (this.wasUp) {
      this.backoff = MIN_BACKOFF; // it was up: redial soon, without a report ('peer:down' said it)
    } else {
      const error = this.failure ?? this.unreachable(connectError);
      this.lastError = error;
      const key = `${error.code} ${errnoOf(error.cause)}`;
      if (key !== this.reported) {
        this.reported = key;
        this.report(error);
      } else {
        this.log?.debug('peer dial failed again', { peer: this.address, code: error.code, reason: error.message });
      }
      // A node with our id stays one until someone changes its configuration: look only now and then.
      this.backoff = error.code === 'ERR_MESH_PEER_SAME_ID' ? MAX_BACKOFF : Math.min(this.backoff * 2, MAX_BACKOFF);
    }
    this.set('backoff');
    return this.backoff * (0.5 + Math.random());
  }

  close(): void {
    this.set('closed');
  }

  stats(): PeerStats {
    const lastError = this.lastError === undefined ? undefined : { code: this.lastError.code, message: this.lastError.message };
    return { node: this.node, dialed: true, remoteAddress: undefined, outbound: undefined, state: this.state, address: this.address, lastError };
  }

  private unreachable(connectError: Error | undefined): MeshError {
    const details = { peer: this.address };
    return connectError === undefined
      ? new MeshError('ERR_MESH_PEER_UNREACHABLE', `peer ${this.address} closed the connection before the HELLO completed (is it an evmesh node?)`, { details })
      : new MeshError('ERR_MESH_PEER_UNREACHABLE', `peer ${this.address} unreachable: ${connectError.message}`, { cause: connectError, details });
  }

  private set(state: PeerState): void {
    if (this.state === state) return;
    this.state = state;
    this.changed();
  }
}

function errnoOf(cause: unknown): string {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}
