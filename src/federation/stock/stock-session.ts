import { MeshError, asMeshError } from '../../errors.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import type { RemoteParty } from '../../hooks/hook-list.js';
import { withoutSecrets } from '../redact.js';
import type { StockHost } from './stock-host.js';
import type { ResolvedStockOptions } from './stock-options.js';
import type { SubscriptionItem } from '../../wire/bodies/subscription.js';
import type { WireCommand } from '../../wire/constants.js';
import type { WireFrame } from '../../wire/frame.js';
import type { Link } from '../link.js';
import type { HandlerSession } from './handlers/handler-session.js';
import { hello } from './handlers/hello.js';
import { publish } from './handlers/publish.js';
import { request } from './handlers/request.js';
import { response } from './handlers/response.js';
import { listen, subscribeItems, unsubscribeAll } from './handlers/subscribe.js';
import { PushWindow, type Push } from './push-window.js';
import { SessionSubscriptions } from './session-subscriptions.js';
import { pushFrame, pushProtocolOf, replyFrame } from './stock-frames.js';
import { timerDelay } from '../../delivery/timer-delay.js';

/** What a session needs from the node's registry of stock sessions. */
export interface SessionRegistry {
  readonly host: StockHost;
  readonly options: ResolvedStockOptions;
  /** The session ended; `left` are its pushes nobody ACKed. */
  ended(session: StockSession, left: readonly Push[]): void;
  /** The push body of `event` (PROTOCOL §8.3), shared by the sessions it goes to; undefined (reported) when it cannot be pushed. */
  bodyOf(event: MeshEvent): Buffer | undefined;
}

/** A REQUEST_TO_CLIENT push kept for its answer, until the request's deadline. */
interface Awaited {
  readonly event: MeshEvent;
  readonly timer: NodeJS.Timeout;
}

/** Requests pushed as REQUEST_TO_CLIENT kept for their answer; the oldest go first past this. */
const MAX_AWAITING = 1000;
const AWAIT_AT_MOST = 60_000;

/**
 * One stock EventMesh client connection (PROTOCOL §8, §11.9–§11.14): its HELLO state,
 * its subscription items (mesh subscriptions once it LISTENs), its pushes and the
 * requests it was asked to answer. Each inbound command goes to its handler.
 */
export class StockSession implements HandlerSession {
  /** Fixed by an accepted HELLO (PROTOCOL §11.9); undefined before. */
  purpose: 'pub' | 'sub' | undefined = undefined;
  group = '';
  listening = false;
  helloPending = false;
  lastHeartbeat = Date.now();
  readonly items = new Map<string, SubscriptionItem>();
  private readonly subscriptions: SessionSubscriptions;
  private readonly awaiting = new Map<string, Awaited>();
  /** Its own REQUEST_TO_SERVERs still open: cancelled when it goes, nobody is left to answer. */
  readonly asking = new Set<MeshEvent>();
  readonly window: PushWindow;
  /** Who this client is, as hooks are told: its identity is set by an accepted HELLO. */
  party: RemoteParty;
  private closed = false;

  constructor(readonly registry: SessionRegistry, readonly link: Link) {
    this.subscriptions = new SessionSubscriptions(registry.host, (event, cmd) => this.deliver(event, cmd));
    this.window = new PushWindow(registry.options, (push) => this.send(pushFrame(push.cmd, push.seq as string, push.body, pushProtocolOf(push.event))));
    this.party = { kind: 'client', identity: undefined, remoteAddress: link.remoteAddress };
    link.onFrame = (frame) => this.receive(frame);
    link.onClose = () => this.end();
  }

  get host(): StockHost {
    return this.registry.host;
  }

  get open(): boolean {
    return !this.closed;
  }

  receive(frame: WireFrame): void {
    const hooks = this.host.hooks;
    if (hooks.onRemoteFrame !== undefined && !hooks.allows('onRemoteFrame', withoutSecrets(frame), this.party)) return;
    try {
      this.dispatch(frame);
    } catch (err) {
      // PROTOCOL §1.3 / §8.8: what cannot be read ends this connection only.
      this.host.report(asMeshError(err, 'ERR_MESH_WIRE_BAD_BODY', { cmd: frame.header.cmd, client: this.link.remoteAddress }));
      this.link.close();
    }
  }

  private dispatch(frame: WireFrame): void {
    const cmd = frame.header.cmd;
    if (cmd === 'HELLO_REQUEST') return hello(this, frame);
    if (this.purpose === undefined) {
      // PROTOCOL §11.4 rule 2: nothing but HELLO without a session.
      return this.send(replyFrame(frame, new MeshError('ERR_MESH_INVALID_OPTIONS', 'no session is found: HELLO first')));
    }
    switch (cmd) {
      case 'HEARTBEAT_REQUEST':
        this.lastHeartbeat = Date.now(); // PROTOCOL §11.10: only heartbeats keep a session alive
        return this.send(replyFrame(frame));
      case 'SUBSCRIBE_REQUEST':
        return subscribeItems(this, frame);
      case 'UNSUBSCRIBE_REQUEST':
        return unsubscribeAll(this, frame);
      case 'LISTEN_REQUEST':
        return listen(this, frame);
      case 'ASYNC_MESSAGE_TO_SERVER':
      case 'BROADCAST_MESSAGE_TO_SERVER':
        return this.overRate(frame) ? undefined : publish(this, frame);
      case 'REQUEST_TO_SERVER':
        return this.overRate(frame) ? undefined : request(this, frame);
      case 'RESPONSE_TO_SERVER':
        return response(this, frame);
      case 'ASYNC_MESSAGE_TO_CLIENT_ACK':
      case 'BROADCAST_MESSAGE_TO_CLIENT_ACK':
      case 'REQUEST_TO_CLIENT_ACK':
        return this.window.ack(frame.header.seq);
      case 'CLIENT_GOODBYE_REQUEST':
        // PROTOCOL §11.14: answered, then the connection ends (the response is flushed first).
        this.send(replyFrame(frame));
        return this.link.close();
      case 'RESPONSE_TO_CLIENT_ACK':
      case 'SERVER_GOODBYE_RESPONSE':
      case 'HEARTBEAT_RESPONSE':
        return; // acknowledgements of what we sent: nothing to do
      default:
        // PROTOCOL §11.4 rule 4: a command with no processor is answered with code 1.
        return this.send(replyFrame(frame, new MeshError('ERR_MESH_WIRE_UNKNOWN_COMMAND', `${cmd} is not served on a client session`)));
    }
  }

  /**
   * `limits.publishRate`, checked before the event is even read: over it, code 1 with
   * ERR_MESH_RATE_LIMITED (not reported: the client is told, and a flood must not become one of reports).
   */
  private overRate(frame: WireFrame): boolean {
    const limiter = this.host.publishLimiter;
    if (limiter === undefined || limiter.take(this.party.identity ?? '')) return false;
    this.send(replyFrame(frame, new MeshError('ERR_MESH_RATE_LIMITED', 'this identity publishes faster than limits.publishRate allows', {
      details: { identity: this.party.identity },
    })));
    return true;
  }

  /** Throws ERR_MESH_FORBIDDEN when hooks refuse this client the item's topic. */
  allow(item: SubscriptionItem): void {
    const group = item.mode === 'CLUSTERING' ? this.group : undefined;
    const hooks = this.host.hooks;
    if (hooks.onRemoteSubscribe !== undefined && !hooks.allows('onRemoteSubscribe', { pattern: item.topic, group }, this.party)) {
      throw new MeshError('ERR_MESH_FORBIDDEN', `topic ${item.topic} is refused for this client`, { details: { topic: item.topic, identity: this.party.identity } });
    }
  }

  /** PROTOCOL §8.2: the items become the session's mesh subscriptions, one per mode. */
  registerAll(): void {
    this.subscriptions.update(this.items.values(), this.group);
  }

  unregisterAll(): void {
    this.subscriptions.clear();
  }

  /** The push command of a CLUSTERING subscription here that takes `event` (re-push after another session ended). */
  takes(event: MeshEvent): WireCommand | undefined {
    if (this.closed || !this.listening) return undefined;
    return this.subscriptions.takes(event);
  }

  /** Whether hooks let this client bring `event` in (publish or request); false answers code 1. */
  mayBringIn(event: MeshEvent): boolean {
    const hooks = this.host.hooks;
    return hooks.onRemoteEvent === undefined || hooks.allows('onRemoteEvent', event, this.party);
  }

  deliver(event: MeshEvent, cmd: WireCommand): void {
    if (this.closed) return;
    // An event no push can carry is not pushed; the session is fine.
    const body = this.registry.bodyOf(event);
    if (body === undefined) return;
    if (cmd === 'REQUEST_TO_CLIENT') this.await(event);
    try {
      this.window.push(event, cmd, body);
    } catch (err) {
      this.host.report(asMeshError(err, 'ERR_MESH_WIRE_BACKPRESSURE', { client: this.link.remoteAddress }));
      this.link.close();
    }
  }

  /** The REQUEST_TO_CLIENT event `id` names, while this session awaits its answer. */
  awaited(id: unknown): MeshEvent | undefined {
    return typeof id === 'string' ? this.awaiting.get(id)?.event : undefined;
  }

  /** Its answer came (PROTOCOL §8.5): forgotten, and its push counts as ACKed. */
  answered(event: MeshEvent): void {
    this.forget(event.id);
    this.window.ackEvent(event.id);
  }

  private await(event: MeshEvent): void {
    this.forget(event.id);
    if (this.awaiting.size >= MAX_AWAITING) this.forget(this.awaiting.keys().next().value as string);
    const deadline = this.host.requestDeadline(event.id);
    const wait = deadline === undefined ? AWAIT_AT_MOST : timerDelay(deadline - Date.now());
    const timer = setTimeout(() => this.awaiting.delete(event.id), wait);
    timer.unref();
    this.awaiting.set(event.id, { event, timer });
  }

  // Timers are cleared, not left to fire: each holds the session until then.
  private forget(id: string): void {
    const entry = this.awaiting.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.awaiting.delete(id);
  }

  /** Queues a frame; a connection that is closing or backed up is left to its close. */
  send(frame: WireFrame): void {
    if (this.closed) return;
    try {
      this.link.send(frame);
    } catch (err) {
      const error = asMeshError(err, 'ERR_MESH_WIRE_BACKPRESSURE');
      if (error.code === 'ERR_MESH_CLOSED') return;
      this.host.report(error);
      this.link.close();
    }
  }

  /** PROTOCOL §8.7: its subscriptions are removed (and withdrawn from peers), its pushes handed on. */
  private end(): void {
    if (this.closed) return;
    this.closed = true;
    const hooks = this.host.hooks;
    if (this.purpose !== undefined) {
      if (hooks.onLinkDown !== undefined) hooks.run('onLinkDown', this.party);
      this.host.log.debug('stock client session closed', { client: this.party.identity, address: this.link.remoteAddress, group: this.group });
    }
    this.unregisterAll();
    for (const { timer } of this.awaiting.values()) clearTimeout(timer);
    this.awaiting.clear();
    for (const event of this.asking) this.host.cancelRequest(event);
    this.asking.clear();
    this.registry.ended(this, this.window.close());
  }
}
