import type { MeshEvent } from '../../../event/mesh-event.js';
import type { RemoteParty } from '../../../hooks/hook-list.js';
import type { SubscriptionItem } from '../../../wire/bodies/subscription.js';
import type { WireFrame } from '../../../wire/frame.js';
import type { Link } from '../../link.js';
import type { StockHost } from '../stock-host.js';

/** What a command handler reads and changes of the client session it serves (StockSession is one). */
export interface HandlerSession {
  readonly host: StockHost;
  readonly link: Link;
  /** False once the session ended. */
  readonly open: boolean;
  /** Fixed by an accepted HELLO; undefined before. */
  purpose: 'pub' | 'sub' | undefined;
  group: string;
  helloPending: boolean;
  lastHeartbeat: number;
  listening: boolean;
  party: RemoteParty;
  /** Its subscription items by topic (mesh subscriptions once it LISTENs). */
  readonly items: Map<string, SubscriptionItem>;
  /** Its own REQUEST_TO_SERVERs still open. */
  readonly asking: Set<MeshEvent>;
  send(frame: WireFrame): void;
  /** Throws ERR_MESH_FORBIDDEN when hooks refuse the client this item. */
  allow(item: SubscriptionItem): void;
  /** Makes `items` its mesh subscriptions (PROTOCOL §8.2). */
  registerAll(): void;
  unregisterAll(): void;
  /** The REQUEST_TO_CLIENT event `id` names, while the session awaits its answer. */
  awaited(id: unknown): MeshEvent | undefined;
  answered(event: MeshEvent): void;
  /** Whether hooks let this client bring `event` in. */
  mayBringIn(event: MeshEvent): boolean;
}
