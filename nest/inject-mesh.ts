import { Inject } from '@nestjs/common';
import { MESH } from './mesh.constants.js';

/** Injects the `Mesh` that `MeshModule` provides: `constructor(@InjectMesh() mesh: Mesh)`. */
export function InjectMesh(): PropertyDecorator & ParameterDecorator {
  return Inject(MESH);
}
