import { MeshError } from '../errors.js';

// `@Publish(topic, { outbox })` publishes through a transactional outbox, which lives in
// an adapter (evmesh/adapters/postgres) the kernel must not import. The adapter installs
// this hook on the mesh when `outbox(mesh)` opens; the decorator only calls it. A
// `Symbol.for` key, like MESH_OF_INSTANCE, so the ESM and CJS copies of evmesh agree.
const OUTBOX_HOOK = Symbol.for('evmesh.outbox-hook');

/** What `@Publish(topic, { outbox })` needs of a mesh's outbox. */
export interface OutboxHook {
  /**
   * The executor to publish with: `explicit` (a method argument) when given, else the
   * one of the active transaction context; throws ERR_MESH_INVALID_OPTIONS when neither.
   * Called before the method runs, so a missing one fails before its effect.
   */
  executor(explicit: unknown): unknown;
  /** Inserts the event in the executor's transaction (`outbox.publish`). */
  publish(executor: unknown, topic: string, data: unknown): Promise<unknown>;
}

/** @internal Installed by `outbox(mesh)`. */
export function setOutboxHook(mesh: object, hook: OutboxHook): void {
  Object.defineProperty(mesh, OUTBOX_HOOK, { value: hook, configurable: true, enumerable: false, writable: true });
}

/** The hook of the mesh an outbox `@Publish` method runs on; ERR_MESH_INVALID_OPTIONS without one. */
export function outboxHookOf(mesh: object, topic: string): OutboxHook {
  const hook = (mesh as Record<symbol, OutboxHook | undefined>)[OUTBOX_HOOK];
  if (hook === undefined) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `@Publish('${topic}', { outbox }) runs on a mesh without an outbox: call outbox(mesh) (evmesh/adapters/postgres) first`, {
      details: { topic },
    });
  }
  return hook;
}
