import { MeshError } from '../errors.js';
import { memoryLinkPair } from '../federation/memory-link.js';
import { attachLink, type Mesh } from '../mesh/mesh.js';

export interface MemoryLinkHandle {
  /** Cuts the link, as a network failure would: interest learned through it is withdrawn. */
  close(): void;
}

/**
 * Federates two meshes of this process over an in-memory link that carries real
 * EventMesh TCP frames (encoded and decoded). Interest, events, groups and
 * request/reply cross it exactly as over a socket, so multi-node logic can be
 * tested without ports. Interest has propagated after the next macrotask
 * (e.g. `await new Promise(setImmediate)`).
 */
export function linkInMemory(a: Mesh, b: Mesh): MemoryLinkHandle {
  if (a.id === b.id) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'two meshes with the same id cannot be linked');
  const [toB, toA] = memoryLinkPair();
  attachLink(b, toA, false);
  attachLink(a, toB, true);
  return { close: () => toB.close() };
}
