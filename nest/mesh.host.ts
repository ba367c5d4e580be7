import { createMesh, MeshError, type Mesh, type MeshSignal, type MeshSignals } from '../src/index.js';
import { isExistingMesh, type MeshSource } from './mesh.options.js';
import { gateOf, installGate } from './startup-gate.js';

/** The mesh evmesh/nest runs, and whether it is evmesh/nest's to start and close. */
export interface MeshHost {
  readonly mesh: Mesh;
  /** Created from options here: started with the app and closed with it. */
  readonly owned: boolean;
  /** Drops this host's hold on the mesh's startup gate (a no-op where it has none). */
  readonly release: () => void;
  /** Forwards the mesh's signals (a transport's `on()`) until `detach()`. */
  readonly on: <K extends MeshSignal>(signal: K, listener: (...args: MeshSignals[K]) => void) => void;
  /** Removes what `on` attached: a mesh given as `{ mesh }` outlives the transport that closed. */
  readonly detach: () => void;
}

/**
 * With a `holder` name the host holds the mesh's events until it releases: a mesh
 * created here gets a startup gate; an existing mesh is held only while the gate
 * of the evmesh/nest host that created it is still closed (joining it). Other
 * existing meshes are never held: others may already publish on them.
 */
export function createMeshHost(source: MeshSource | undefined, holder?: string): MeshHost {
  if (isExistingMesh(source)) {
    const { mesh } = source;
    if (typeof mesh.subscribe !== 'function' || typeof mesh.close !== 'function') {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', '{ mesh } must be a mesh made by createMesh');
    }
    const gate = holder === undefined ? undefined : gateOf(mesh);
    return { mesh, owned: false, release: gate?.hold(holder as string) ?? noop, ...signalsOf(mesh) };
  }
  const mesh = createMesh(source);
  return { mesh, owned: true, release: holder === undefined ? noop : installGate(mesh).hold(holder), ...signalsOf(mesh) };
}

function signalsOf(mesh: Mesh): Pick<MeshHost, 'on' | 'detach'> {
  const attached: (() => void)[] = [];
  return {
    on(signal, listener) {
      mesh.on(signal, listener);
      attached.push(() => mesh.off(signal, listener));
    },
    detach() {
      for (const off of attached.splice(0)) off();
    },
  };
}

function noop(): void {}
