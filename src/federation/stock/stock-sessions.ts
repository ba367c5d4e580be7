import { MeshError, asMeshError } from '../../errors.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import type { ResolvedStockOptions } from './stock-options.js';
import type { WireFrame } from '../../wire/frame.js';
import type { Link } from '../link.js';
import type { Push } from './push-window.js';
import { pushBody, replyFrame, serverGoodbyeFrame } from './stock-frames.js';
import type { StockHost } from './stock-host.js';
import { StockSession, type SessionRegistry } from './stock-session.js';

/** A stock client's session, as `mesh.inspect()` describes it. */
export interface StockSessionInfo {
  /** Its UserAgent `username` (else `subsystem`), or what `verifyHello` admitted it as; undefined before its HELLO. */
  readonly identity: string | undefined;
  readonly remoteAddress: string | undefined;
  readonly group: string;
  readonly purpose: 'pub' | 'sub' | undefined;
  /** The topics it subscribed to. */
  readonly topics: string[];
  /** It sent LISTEN: pushes flow. */
  readonly listening: boolean;
  /** Pushes sent and not ACKed yet. */
  readonly unacked: number;
  /** Pushes waiting for room in its window. */
  readonly queued: number;
}

/**
 * The stock EventMesh client sessions of one node (PROTOCOL §8): adopts a connection
 * whose HELLO has no `evmeshnode` (§2.4), expires silent sessions (PROTOCOL §11.10),
 * hands the un-ACKed pushes of a CLUSTERING session that ends to another session of
 * its group, and says SERVER_GOODBYE to every session when the mesh closes.
 */
export class StockSessions implements SessionRegistry {
  private readonly sessions = new Set<StockSession>();
  private sweeper: NodeJS.Timeout | undefined;
  private rotation = 0;
  private closing = false;
  // One event usually goes to several sessions in a row (broadcast): encode it once.
  private lastEvent: MeshEvent | undefined;
  private lastBody: Buffer | undefined;

  constructor(readonly host: StockHost) {}

  get options(): ResolvedStockOptions {
    return this.host.stockOptions;
  }

  /** Takes over `link`, whose first frame `hello` is a stock client's HELLO. */
  adopt(link: Link, hello: WireFrame): void {
    if (this.closing) {
      link.close();
      return;
    }
    const max = this.host.limits.maxStockSessions;
    if (this.sessions.size >= max) {
      // PROTOCOL §10: answered like any refused HELLO (code 1), counted, reported per burst.
      this.host.refusals.count('maxStockSessions');
      link.send(replyFrame(hello, new MeshError('ERR_MESH_CONNECTION_REFUSED', `this node serves its maximum of ${String(max)} client sessions`)));
      link.close();
      return;
    }
    const session = new StockSession(this, link);
    this.sessions.add(session);
    this.sweep();
    session.receive(hello);
  }

  bodyOf(event: MeshEvent): Buffer | undefined {
    if (event !== this.lastEvent) {
      this.lastEvent = event;
      this.lastBody = undefined;
      try {
        this.lastBody = pushBody(event);
      } catch (err) {
        // Not JSON-encodable or over the frame limit: reported once, however many sessions it was for.
        this.host.report(asMeshError(err, 'ERR_MESH_WIRE_BAD_BODY', { eventId: event.id }));
      }
    }
    return this.lastBody;
  }

  ended(session: StockSession, left: readonly Push[]): void {
    this.sessions.delete(session);
    if (this.closing || !this.host.accepting) return;
    for (const push of left) {
      // PROTOCOL §11.12: a CLUSTERING session's un-ACKed pushes go to another session of
      // its group; broadcasts were for that session only.
      if (push.cmd === 'BROADCAST_MESSAGE_TO_CLIENT') continue;
      this.repush(session.group, push);
    }
  }

  /** PROTOCOL §8.6: SERVER_GOODBYE_REQUEST (code 0) to every session, then each closes. */
  /** The open sessions, as `mesh.inspect()` lists them. */
  describe(): StockSessionInfo[] {
    return [...this.sessions].map((s) => ({
      identity: s.party.identity, remoteAddress: s.party.remoteAddress, group: s.group, purpose: s.purpose,
      topics: [...s.items.keys()], listening: s.listening, ...s.window.pending,
    }));
  }

  /** SERVER_GOODBYE to every session, then its end; resolves once their connections are gone (up to `graceMs` for a slow reader). */
  close(graceMs = 1000): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const closing: Promise<void>[] = [];
    for (const session of [...this.sessions]) {
      session.send(serverGoodbyeFrame());
      session.link.close(graceMs);
      if (session.link.closed !== undefined) closing.push(session.link.closed);
    }
    return Promise.all(closing).then(() => undefined);
  }

  private repush(group: string, push: Push): void {
    const others = [...this.sessions].filter((s) => s.group === group);
    const n = others.length;
    const start = n === 0 ? 0 : this.rotation++ % n;
    for (let i = 0; i < n; i++) {
      const other = others[(start + i) % n] as StockSession;
      const cmd = other.takes(push.event);
      if (cmd !== undefined) return other.deliver(push.event, cmd);
    }
    // No other session of the group here takes it: dropped, as the Java runtime does.
  }

  /** PROTOCOL §11.10: a session whose last heartbeat is older than `sessionTimeout` is closed. */
  private sweep(): void {
    if (this.sweeper !== undefined) return;
    const timeout = this.options.sessionTimeout;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const session of [...this.sessions]) if (now - session.lastHeartbeat > timeout) session.link.close();
    }, Math.max(10, Math.min(1000, Math.floor(timeout / 4))));
    this.sweeper.unref();
  }
}
