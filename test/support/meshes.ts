import { afterEach } from 'vitest';
import { createMesh, type Mesh, type MeshOptions } from '../../src/index.js';

/**
 * Returns a `createMesh` whose meshes are all closed after each test, so a failing
 * test never leaves timers or subscriptions behind for the next one.
 */
export function closedAfterEach(): (options?: MeshOptions) => Mesh {
  const meshes: Mesh[] = [];
  afterEach(async () => {
    await Promise.all(meshes.splice(0).map((m) => m.close()));
  });
  return (options) => {
    const m = createMesh(options);
    meshes.push(m);
    return m;
  };
}
