import { MeshError, memoryStore, type MeshStore } from '../../src/index.js';

/**
 * The memory store with a `ping` that fails on demand (`fail(true)`) and, given one, a
 * `backlog` it is told: what health checks and the admin snapshot ask a store.
 */
export function probedStore(backlog?: Record<string, number>): { store: MeshStore; fail(down: boolean): void } {
  const inner = memoryStore();
  let down = false;
  const store: MeshStore = {
    name: 'probed',
    capabilities: inner.capabilities,
    open: (context) => inner.open(context),
    append: (event) => inner.append(event),
    consume: (spec, handler) => inner.consume(spec, handler),
    close: (context) => inner.close(context),
    ...(backlog === undefined ? {} : { backlog: (durable: string) => Promise.resolve(backlog[durable]) }),
    ping: () => (down ? Promise.reject(new MeshError('ERR_MESH_STORE_UNAVAILABLE', 'engine went away')) : Promise.resolve()),
  };
  return { store, fail: (d) => void (down = d) };
}
