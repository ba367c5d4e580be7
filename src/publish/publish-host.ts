import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { Destinations } from '../delivery/destinations.js';
import type { RoutingTable } from '../delivery/routing-table.js';
import type { Hooks } from '../hooks/hooks.js';

/** Sends an event beyond this node, to the remote subscriptions routing picked for it. */
export interface Forwarding {
  /** One copy per next hop, each carrying the destinations behind it (PROTOCOL §5.2). */
  forward(event: MeshEvent, destinations: Destinations): void;
}

/** Where published events are kept for durable subscriptions (the store, behind the mesh's durables). */
export interface DurableSink {
  /** Whether `append` is needed for this type at all: no promise is made per publish when not. */
  wants(type: string): boolean;
  /** Stores the event; resolves once the store holds it. */
  append(event: MeshEvent): Promise<void>;
}

/** What the publish path needs from its mesh. */
export interface PublishHost {
  readonly table: RoutingTable;
  readonly durables: DurableSink;
  /** Set once the mesh has peers; undefined keeps forwarding off the publish path. */
  readonly forwarding: Forwarding | undefined;
  readonly hooks: Hooks;
  report(error: MeshError): void;
  toEvent(value: unknown): MeshEvent;
}
