import { createMesh, MeshError, type Mesh } from '../src/index.js';
import { isExistingMesh, type MeshSource } from './mesh.options.js';
import { holdUntilReleased, type ReleaseGate } from './startup-gate.js';

/** The mesh evmesh/nest runs, and whether it is evmesh/nest's to start and close. */
export interface MeshHost {
  readonly mesh: Mesh;
  /** Created from options here: started with the app and closed with it. */
  readonly owned: boolean;
  /** Lets the events held since creation through (a no-op for an existing mesh). */
  readonly release: ReleaseGate;
}

/**
 * A mesh evmesh/nest creates to serve handlers is held from birth until its listeners are bound.
 * An existing mesh is not: others may already publish on it, and a gate that a
 * failed bootstrap never opened would stall them for good.
 */
export function createMeshHost(source: MeshSource | undefined, hold = true): MeshHost {
  if (isExistingMesh(source)) {
    if (typeof source.mesh.subscribe !== 'function' || typeof source.mesh.close !== 'function') {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', '{ mesh } must be a mesh made by createMesh');
    }
    return { mesh: source.mesh, owned: false, release: noop };
  }
  const mesh = createMesh(source);
  return { mesh, owned: true, release: hold ? holdUntilReleased(mesh) : noop };
}

function noop(): void {}
