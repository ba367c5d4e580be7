import type { MeshEvent } from '../event/mesh-event.js';
import type { DeliveryHost } from '../delivery/host.js';
import type { RequestFailure } from '../delivery/request-takers.js';
import type { RoutingTable } from '../delivery/routing-table.js';
import type { WireFrame } from '../wire/frame.js';
import type { Link } from './link.js';
import type { HelloVerdict, PeerHello, PeerInfo } from './peer-info.js';
import type { Refusals, ResolvedLimits } from './limits.js';

/** What the federation needs from its mesh; its proxies stand in the mesh's routing table. */
export interface FederationHost extends DeliveryHost {
  readonly selfId: string;
  readonly version: string;
  readonly table: RoutingTable;
  toEvent(value: unknown): MeshEvent;
  /** The reply event for a request answered here. */
  replyTo(request: MeshEvent, value: unknown): MeshEvent;
  /** Settles a request of this node with a reply that came back over a link. */
  settleRequest(id: string, reply: MeshEvent): void;
  /** The deadline (epoch ms) of an open request of this node, or undefined for a plain event. */
  requestDeadline(id: string): number | undefined;
  /** `maxPeers` is checked at each peer's HELLO. */
  readonly limits: ResolvedLimits;
  /** Counts connections refused by a limit (one report per burst). */
  readonly refusals: Refusals;
  /** A request of this node went to `nodes` other nodes: each is a taker until its outcome or reply (PROTOCOL §6.4). */
  requestForwarded(id: string, nodes: number): void;
  /** PROTOCOL §6.4: the takers of one node are done without answering a request of this node (`failure` when one failed). */
  remoteTakersDone(id: string, failure: RequestFailure | undefined): void;
  /** Sent in this node's HELLO. */
  readonly token: string | undefined;
  /** A peer came up or went down (mesh signals 'peer:up' / 'peer:down'); `reason`: why it went down, for the log. */
  peerChanged(up: boolean, peer: PeerInfo, reason?: string): void;
  /** The user's verdict on a connecting peer (PROTOCOL §9.2); true when no hook is set. */
  verifyHello(hello: PeerHello): HelloVerdict | Promise<HelloVerdict>;
  /** PROTOCOL §2.4: a HELLO without `evmeshnode` hands its link to the stock client sessions. */
  stockHello(link: Link, hello: WireFrame): void;
}

