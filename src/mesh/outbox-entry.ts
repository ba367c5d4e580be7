import type { MeshEvent } from '../event/mesh-event.js';
import { createEvent, toMeshEvent, type CloudEventInput, type EventAttributes } from '../event/normalize.js';
import type { MeshStore } from '../store/store.js';
import { kernelOf, type Mesh } from './mesh.js';

// What a transactional outbox (evmesh/adapters/postgres) needs from a mesh: the event
// `publish` would send, the store behind the mesh, and a way to route an event the
// store already holds to live destinations only.

/**
 * @internal The event `mesh.publish(topicOrEvent, data, attributes)` would send, built
 * and validated the same way (id, source, time), with tracing on the caller's trace
 * context (PRODUCER span), but neither routed nor stored.
 */
export function buildEvent(mesh: Mesh, topicOrEvent: string | CloudEventInput | MeshEvent, data?: unknown, attributes?: EventAttributes): MeshEvent {
  const k = kernelOf(mesh);
  k.assertOpen();
  let event: MeshEvent;
  if (typeof topicOrEvent !== 'string') {
    event = toMeshEvent(k, topicOrEvent);
  } else {
    // Validates the topic, as publish does.
    k.table.route(topicOrEvent);
    event = createEvent(k, topicOrEvent, data, attributes);
  }
  // The trace is the caller's, now: the relay routing it later runs in no one's context
  // (its own producer step leaves an event that has a traceparent as it is).
  k.traceStamp?.(event);
  return event;
}

/** @internal The store of a mesh (`createMesh({ store })`). */
export function storeOf(mesh: Mesh): MeshStore {
  return kernelOf(mesh).durables.store;
}

/** @internal Opens the mesh's store (once, as start() does) and resolves when it is open. */
export function openStoreOf(mesh: Mesh): Promise<void> {
  return kernelOf(mesh).durables.ready();
}

/**
 * @internal Routes `event` to the mesh's live destinations (local subscriptions, groups,
 * federated peers, stock clients, SSE), never to its store and not through its `use`
 * chain. Rejects with ERR_MESH_CLOSED once the mesh is closing, so a store delivery
 * is handed back rather than lost.
 */
export function routeLive(mesh: Mesh, event: MeshEvent): Promise<void> {
  const k = kernelOf(mesh);
  try {
    k.assertOpen();
  } catch (err) {
    return Promise.reject(err);
  }
  return k.publisher.live(event);
}
